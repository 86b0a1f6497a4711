/**
 * The gateway: a WebSocket server that relays each client's audio to Gemini through a session of
 * the library, the session keyed by the client's session id and kept in a session store (Redis in
 * `npm run example:gateway`), so that any gateway process can carry a call on when another dies.
 *
 * Two kinds of client:
 * - `ws://HOST/session?id=SESSION_ID`: a browser page (served at `/`) or any WebSocket client:
 *   binary messages are 16 kHz PCM16 audio each way in (24 kHz out), text messages JSON
 *   (`relay.ts`);
 * - `ws://HOST/twilio`: a phone line, Twilio Media Streams; the session id is the stream's
 *   `sessionId` parameter (`<Parameter name="sessionId" …/>`), else the call's `callSid`.
 *
 * A client that comes back (to this process or another) with the same session id takes the session
 * over: the process that held it is fenced and stops. A client that hangs up (`{"type":"hangup"}`,
 * or Twilio's `stop`) ends the conversation: its record is deleted.
 */
import type { GoogleGenAI, LiveConnectConfig } from '@google/genai';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { createLiveSession, type AnyTool, type LiveSession } from '../../src/index.js';
import type { SessionStore } from '../../src/store/index.js';
import { connectTwilioCall, type CallSession } from '../../src/telephony/index.js';
import { relay, type GatewayEvent } from './relay.js';

/** Something the gateway did, for its log (one JSON line each in `serve.ts`). */
export type GatewayLog =
  | { event: 'listening'; port: number; ownerId: string }
  | { event: 'client'; kind: 'ws' | 'twilio'; sessionId: string }
  | { event: 'restored'; sessionId: string; resumed: boolean; rerun: string[]; undelivered: string[] }
  | { event: 'connected'; sessionId: string }
  | { event: 'tool'; sessionId: string; name: string; idempotencyKey?: string; via?: string }
  | { event: 'closed'; sessionId: string; by: string; reason?: string }
  | { event: 'error'; sessionId: string; code: string; reason: string };

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** Where sessions are kept (Redis, for more than one process). */
  store: SessionStore;
  /** The SDK client (it holds the API key, or points at the emulator), the model and its config. */
  ai: GoogleGenAI;
  model: string;
  config: LiveConnectConfig;
  tools: AnyTool[];
  /** This process, as the store's leases name it. */
  ownerId: string;
  /** How long a lease lasts unless renewed (default 15 s): how long a dead gateway holds its calls. */
  leaseMs?: number;
  port?: number;
  /** A folder holding the browser page (`index.html`, `main.js`) to serve at `/`. */
  pageDir?: string;
  log?: (entry: GatewayLog) => void;
}

/** A running gateway. */
export interface Gateway {
  readonly port: number;
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The sessions it drives now, by session id. */
  readonly sessions: ReadonlyMap<string, LiveSession>;
  /** Closes every session (their records are kept: another process may carry them on) and stops listening. */
  close(): Promise<void>;
}

const PAGE_TYPES: Record<string, string> = { '/': 'text/html; charset=utf-8', '/main.js': 'text/javascript; charset=utf-8' };

/** Starts a gateway on 127.0.0.1. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.log ?? (() => undefined);
  const sessions = new Map<string, LiveSession>();
  // A session being handed over inside this process: the next one waits for it to be written.
  const closing = new Map<string, Promise<void>>();

  const openSession = async (sessionId: string): Promise<LiveSession> => {
    const previous = sessions.get(sessionId);
    if (previous) {
      sessions.delete(sessionId);
      closing.set(sessionId, previous.close());
    }
    await closing.get(sessionId);
    closing.delete(sessionId);
    const session = createLiveSession({
      ai: options.ai,
      model: options.model,
      config: options.config,
      tools: options.tools,
      sessionId,
      store: options.store,
      // The client came here: wherever the session was, it moves here (the old holder is fenced).
      storeOptions: { ownerId: options.ownerId, takeOver: true, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) },
    });
    sessions.set(sessionId, session);
    session.on('sessionRestored', ({ resuming, rerun, undelivered }) =>
      log({ event: 'restored', sessionId, resumed: resuming, rerun: rerun.map((c) => c.name), undelivered: undelivered.map((c) => c.name) }),
    );
    session.on('connected', () => log({ event: 'connected', sessionId }));
    session.on('toolResultDelivered', ({ call, via }) => log({ event: 'tool', sessionId, name: call.name, via }));
    session.on('error', ({ error }) => log({ event: 'error', sessionId, code: error.code, reason: error.reason }));
    session.on('closed', ({ closedBy }) => {
      if (sessions.get(sessionId) === session) sessions.delete(sessionId);
      log({ event: 'closed', sessionId, by: closedBy.by, ...(closedBy.by === 'client' ? {} : { reason: closedBy.error.reason }) });
    });
    return session;
  };

  /** Ends a client's session: deleted if the conversation is over, kept (for another process) if not. */
  const endSession = (session: LiveSession, sessionId: string, conversationOver: boolean) => {
    if (sessions.get(sessionId) === session) sessions.delete(sessionId);
    const closed = session.close({ deleteRecord: conversationOver });
    closing.set(sessionId, closed);
    void closed.finally(() => closing.get(sessionId) === closed && closing.delete(sessionId));
  };

  const plainClient = (socket: WebSocket, sessionId: string) => {
    log({ event: 'client', kind: 'ws', sessionId });
    const queued: RawData[] = [];
    let wired: ReturnType<typeof relay> | undefined;
    const take = (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      wired?.receive(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
    };
    socket.on('message', (data, isBinary) => (wired ? take(data, isBinary) : queued.push(data)));
    const client = {
      sendAudio: (pcm: Uint8Array) => socket.readyState === socket.OPEN && socket.send(pcm, { binary: true }),
      sendEvent: (event: GatewayEvent) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(event)),
    };
    void openSession(sessionId).then(async (session) => {
      wired = relay(session, sessionId, client);
      queued.splice(0); // audio from before the session existed is in-flight audio: lost
      session.on('closed', () => socket.close(1000, 'session closed'));
      socket.on('close', () => {
        wired?.detach();
        endSession(session, sessionId, wired?.hungUp === true);
      });
      if (socket.readyState !== socket.OPEN) return endSession(session, sessionId, false);
      await session.connect().catch(() => undefined); // reported as an error event, and the session closes
    });
  };

  const phoneLine = (socket: WebSocket) => {
    const line = lateSession();
    let session: LiveSession | undefined;
    let sessionId = '';
    const call = connectTwilioCall(socket, line, {
      onStart: (start) => {
        sessionId = start.customParameters['sessionId'] ?? start.callSid;
        log({ event: 'client', kind: 'twilio', sessionId });
        void openSession(sessionId).then(async (opened) => {
          session = opened;
          line.bind(opened);
          opened.on('closed', () => socket.close(1000, 'session closed'));
          await opened.connect().catch(() => undefined);
        });
      },
    });
    void call.ended.then(({ reason }) => {
      if (session) endSession(session, sessionId, reason === 'stop');
    });
  };

  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const type = PAGE_TYPES[path];
    if (!options.pageDir || !type) return void response.writeHead(404).end();
    readFile(join(options.pageDir, path === '/' ? 'index.html' : 'main.js')).then(
      (body) => response.writeHead(200, { 'content-type': type }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://gateway');
    const sessionId = url.searchParams.get('id') ?? '';
    if (url.pathname === '/twilio') wss.handleUpgrade(request, socket, head, (ws) => phoneLine(ws));
    else if (url.pathname === '/session' && /^[\w.:-]{1,200}$/.test(sessionId)) wss.handleUpgrade(request, socket, head, (ws) => plainClient(ws, sessionId));
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  log({ event: 'listening', port, ownerId: options.ownerId });

  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    sessions,
    async close() {
      await Promise.all([...sessions.values()].map((session) => session.close()));
      await Promise.all(closing.values());
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * A session for a phone call that is known only once the call's `start` names it: listeners and
 * audio wait for `bind` (the caller's audio before it is in-flight audio, and dropped).
 */
function lateSession(): CallSession & { bind(session: LiveSession): void } {
  type Wanted = { type: string; listener: (event: never) => void; off?: () => void };
  const wanted = new Set<Wanted>();
  let bound: LiveSession | undefined;
  const subscribe = (session: LiveSession, entry: Wanted) => (session.on as (type: string, listener: (event: never) => void) => () => void)(entry.type, entry.listener);
  const line = {
    on(type: string, listener: (event: never) => void) {
      const entry: Wanted = { type, listener };
      if (bound) entry.off = subscribe(bound, entry);
      wanted.add(entry);
      return () => {
        entry.off?.();
        wanted.delete(entry);
      };
    },
    sendAudio(pcm: Uint8Array) {
      bound?.sendAudio(pcm);
    },
    bind(session: LiveSession) {
      bound = session;
      for (const entry of wanted) entry.off = subscribe(session, entry);
    },
  };
  return line as CallSession & { bind(session: LiveSession): void };
}
