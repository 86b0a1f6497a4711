import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startInspector, type Inspector } from '../../src/devtools/index.js';
import { connectedSession, FRAME } from '../helpers.js';

let inspector: Inspector | undefined;
afterEach(async () => {
  await inspector?.close();
  inspector = undefined;
});

/** A GET with a chosen Host header (fetch will not let one be set). */
function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The messages a page would receive, in order. */
function pageSocket(url: string) {
  const messages: { type: string; [key: string]: unknown }[] = [];
  const socket = new WebSocket(url.replace('http://', 'ws://') + 'ws');
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as (typeof messages)[number]));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, opened };
}

describe('startInspector', () => {
  it('serves the page and every file it needs from the package, on 127.0.0.1', async () => {
    inspector = await startInspector();
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(inspector.port, '/');
    expect(page.status).toBe(200);
    // Scripts and styles from this server only: it works offline, and nothing else can run.
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(page.body).toContain('<div id="chart"');
    const references = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(references).toEqual(['/style.css', '/vendor/elk.bundled.js', '/page/main.js']);
    expect(page.body).not.toMatch(/@import|url\(/);
    for (const path of ['/page/main.js', '/page/chart.js', '/page/panels.js', '/page/timeline.js', '/page/dom.js', '/diagram/graph.js', '/diagram/svg.js']) {
      const file = await get(inspector.port, path);
      expect(file.status, path).toBe(200);
      expect(file.headers['content-type']).toBe('text/javascript; charset=utf-8');
      // Browser modules import one another by relative paths, all served here.
      for (const [, from] of file.body.matchAll(/^import .* from '([^']+)';$/gm)) expect(from, path).toMatch(/^\.\.?\//);
    }
    const elk = await get(inspector.port, '/vendor/elk.bundled.js');
    expect(elk.status).toBe(200);
    expect(elk.body).toContain('ELK');
    expect((await get(inspector.port, '/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(inspector.port, '/nothing')).status).toBe(404);
    expect((await get(inspector.port, '/page/../../../package.json')).status).toBe(404);
    expect((await get(inspector.port, '/page/main.ts')).status).toBe(404);
  });

  it('refuses requests for another host name (DNS rebinding) ', async () => {
    inspector = await startInspector();
    expect((await get(inspector.port, '/', `evil.example:${inspector.port}`)).status).toBe(403);
    expect((await get(inspector.port, '/', `localhost:${inspector.port}`)).status).toBe(200);
  });

  it('streams the chart, then every update of the session, to each page', async () => {
    inspector = await startInspector();
    const page = pageSocket(inspector.url);
    await page.opened;
    await inspector.waitForClient();
    expect(inspector.clients).toBe(1);

    const h = await connectedSession({ inspect: inspector.inspect, inspectFrames: true });
    h.session.sendAudio(FRAME);
    await h.session.close();

    await expect.poll(() => page.messages.at(-1)?.['view']).toMatchObject({ state: 'closed', status: 'done' });
    const [init, ...updates] = page.messages;
    expect(init).toMatchObject({ type: 'init', view: { status: 'waiting' }, timeline: [], maxEntries: 500 });
    expect((init?.['chart'] as { id: string }).id).toBe('session');
    expect(updates.every((m) => m.type === 'update')).toBe(true);
    const entries = updates.flatMap((m) => m['entries'] as { type: string; mark?: string; frame?: unknown }[]);
    expect(entries).toContainEqual(expect.objectContaining({ type: 'input.audio', mark: 'forwarded' }));
    // A line's moment is its update's view: it is not sent twice.
    expect(entries.every((entry) => entry.frame === undefined)).toBe(true);

    // A page that opens late gets the story so far.
    const late = pageSocket(inspector.url);
    await expect.poll(() => late.messages[0]?.type).toBe('init');
    const lateTimeline = late.messages[0]?.['timeline'] as { type: string; frame?: { state?: string } }[];
    expect(lateTimeline.map((e) => e.type)).toContain('server.setupComplete');
    // A page that opens late can still travel back: each line keeps its moment.
    expect(lateTimeline.find((e) => e.type === 'server.setupComplete')?.frame?.state).toBe('streaming');
    const state = JSON.parse((await get(inspector.port, '/state.json')).body) as { view: { state: string } };
    expect(state.view.state).toBe('closed');
    page.socket.close();
    late.socket.close();
  });

  it('closes for good: pages are dropped, the port is freed, inspection is ignored', async () => {
    const started = await startInspector();
    const page = pageSocket(started.url);
    await page.opened;
    const dropped = new Promise((resolve) => page.socket.once('close', resolve));
    await started.close();
    await dropped;
    await started.close();
    await expect(get(started.port, '/')).rejects.toThrow();
    const h = await connectedSession({ inspect: started.inspect, inspectFrames: true });
    expect(started.view().status).toBe('waiting');
    await h.session.close();
  });

  it('waits, if asked, until a page has drawn the chart', async () => {
    inspector = await startInspector();
    let drawn = false;
    const waiting = inspector.waitForClient({ drawn: true }).then(() => (drawn = true));
    const page = pageSocket(inspector.url);
    await page.opened;
    await expect.poll(() => page.messages[0]?.type).toBe('init');
    await inspector.waitForClient(); // connected is enough for this one
    expect(drawn).toBe(false);
    page.socket.send('{"type":"something else"}');
    page.socket.send('{"type":"drawn"}');
    await waiting;
    expect(drawn).toBe(true);
    await inspector.waitForClient({ drawn: true }); // at once now
    page.socket.close();
  });

  it('rejects waitForClient when no page comes', async () => {
    inspector = await startInspector();
    await expect(inspector.waitForClient({ timeoutMs: 50 })).rejects.toThrow('no inspector page connected');
  });
});
