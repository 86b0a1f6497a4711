/**
 * The offline inspector: a small HTTP and WebSocket server on 127.0.0.1 that serves the page (its
 * few files all come from this package, elkjs included) and streams the session to it as it runs.
 * Node only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import { sessionMachine } from '../../machines/session.machine.js';
import { describeChart, type ChartState } from '../chart.js';
import { loadPageAssets } from './assets.js';
import { createInspectorModel, type InspectorUpdate, type InspectorView, type TimelineEntry } from './model.js';
import { inspectorPage } from './page.js';

/** Options of {@link startInspector}. */
export interface InspectorOptions {
  /** Port to listen on (default 0: a free port; read it back from `port` or `url`). */
  port?: number;
  /** Address to listen on (default `127.0.0.1`: the page is for this machine only). */
  host?: string;
  /** The machine whose chart is drawn (default the session machine). */
  machine?: AnyStateMachine;
  /** Timeline lines kept for a page that opens late (default 500). */
  maxEntries?: number;
  /** The page's title. */
  title?: string;
}

/** A running inspector. */
export interface Inspector {
  /** The page's address, e.g. `http://127.0.0.1:43117/`. */
  readonly url: string;
  readonly port: number;
  /** The inspection observer: pass it as `createLiveSession({ inspect: inspector.inspect })`. */
  readonly inspect: (event: InspectionEvent) => void;
  /** The chart the page draws. */
  readonly chart: ChartState;
  /** The view the page shows now. */
  view(): InspectorView;
  /** The timeline lines kept. */
  timeline(): TimelineEntry[];
  /** Pages connected right now. */
  readonly clients: number;
  /** Resolves when a page has connected (at once if one is). */
  /**
   * Resolves when a page has connected (at once if one is); with `drawn`, only once a page has
   * also laid out and drawn the chart, so that it shows what happens from then on as it happens.
   */
  waitForClient(options?: { timeoutMs?: number; drawn?: boolean }): Promise<void>;
  /** Disconnects every page and stops listening. Inspection after it is ignored. Idempotent. */
  close(): Promise<void>;
}

/** A page that reads more slowly than the session runs is dropped past this much unsent data. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Starts the offline inspector. Open its `url` in any browser on this machine: the page draws the
 * statechart as a graph laid out by elkjs, highlights the active state and the last transition,
 * and shows the gate, a timeline of events (each input marked forwarded, dropped or buffered; a
 * click shows the chart as it was then), the pending tool calls with their timers, the tool-call
 * ledger, the counters, and once the session has closed, why, in words. It needs no internet.
 *
 * @example
 * ```ts
 * import { startInspector } from 'gemini-live-fsm/devtools';
 * const inspector = await startInspector({ port: 4400 });
 * console.log(`inspector: ${inspector.url}`);
 * const session = createLiveSession({ ai, model, tools, inspect: inspector.inspect });
 * // …
 * await inspector.close();
 * ```
 */
export async function startInspector(options: InspectorOptions = {}): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  const chart = describeChart(options.machine ?? sessionMachine);
  const page = inspectorPage(options.title ?? 'gemini-live-fsm inspector');
  const assets = await loadPageAssets();
  const maxEntries = options.maxEntries ?? 500;
  let closed = false;
  // Each waiter is told about every page that connects, and every page that has drawn its chart.
  const waiters = new Set<(drawn: boolean) => void>();
  const drawnPages = new WeakSet<WebSocket>();

  const server = createServer();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 });

  const broadcast = (update: InspectorUpdate) => {
    if (sockets.clients.size === 0) return;
    // Each line's frame is the view it comes with: the page puts it back, so it is not sent twice.
    const entries = update.entries.map(({ frame: _frame, ...entry }) => entry);
    const message = JSON.stringify({ type: 'update', view: update.view, entries });
    for (const client of sockets.clients) {
      if (client.readyState !== WebSocket.OPEN) continue;
      if (client.bufferedAmount > MAX_BUFFERED_BYTES) client.terminate();
      else client.send(message);
    }
  };
  const model = createInspectorModel({ maxEntries, onUpdate: broadcast });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A page on another site must not read the session: only this origin's Host is served
  // (which also keeps DNS rebinding out).
  const allowedHosts = new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  const hostAllowed = (req: IncomingMessage) => allowedHosts.has(req.headers.host ?? '');

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!hostAllowed(req) || req.method !== 'GET') {
      res.writeHead(hostAllowed(req) ? 405 : 403).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const asset = assets.get(path);
    if (path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // Every file comes from here; the only connection the page makes is to this server.
        'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ws://${req.headers.host ?? ''}`,
      });
      res.end(page);
    } else if (asset) {
      res.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'no-store' });
      res.end(asset.body);
    } else if (path === '/state.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ chart, view: model.view(), timeline: model.timeline() }));
    } else {
      res.writeHead(404).end();
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (closed || path !== '/ws' || !hostAllowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (client) => sockets.emit('connection', client, req));
  });

  sockets.on('connection', (client: WebSocket) => {
    client.on('error', () => client.terminate());
    // The page's one message: it has drawn the chart.
    client.on('message', (data: Buffer) => {
      if (data.toString('utf8') !== '{"type":"drawn"}') return;
      drawnPages.add(client);
      for (const wake of [...waiters]) wake(true);
    });
    client.send(JSON.stringify({ type: 'init', chart, view: model.view(), timeline: model.timeline(), maxEntries }));
    for (const wake of [...waiters]) wake(false);
  });

  return {
    url: `${origin}/`,
    port,
    chart,
    inspect: (event) => {
      if (!closed) model.inspect(event);
    },
    view: model.view,
    timeline: model.timeline,
    get clients() {
      return sockets.clients.size;
    },
    waitForClient({ timeoutMs = 10_000, drawn = false } = {}) {
      const ready = [...sockets.clients].some((client) => !drawn || drawnPages.has(client));
      if (ready) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = (pageDrawn: boolean) => {
          if (drawn && !pageDrawn) return;
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(done);
          reject(new Error(`no inspector page ${drawn ? 'drew the chart' : 'connected'} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(done);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
