import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/browser/serve.js';
import type { ExampleResult } from '../../examples/browser/main.js';
import type { LiveEmulator } from '../../src/testing/index.js';
import { ARTIFACTS, launchChromium } from './chromium.js';

/** The key the example's server mints tokens with: it must never reach the page. */
const SERVER_KEY = 'AIzaSyExampleServerKeyOnly-0123456789abc';

let browser: Browser;
let example: RunningExample;
let emulator: LiveEmulator;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // The fake microphone speaks the demo's question (it loops), instead of its default beep.
  const speech = `--use-file-for-fake-audio-capture=${join(import.meta.dirname, '..', '..', 'examples', 'demo', 'question.wav')}`;
  // A mic frame the page sent before the toolCall reached it is already on the wire: the emulator's
  // grace window lets such frames through (counted), sized for a busy CI machine as in the e2e
  // suite. In a browser the SDK also decodes each binary frame asynchronously (Blob.text()).
  [browser, example] = await Promise.all([
    launchChromium(inject('chromiumPath'), [speech]),
    startExample({ apiKey: SERVER_KEY, emulator: { graceMs: 250 } }),
  ]);
  if (!example.emulator) throw new Error('the example runs on the emulator here');
  emulator = example.emulator;
});

afterAll(async () => {
  await browser?.close();
  await example?.close();
});

/** Everything the page shows, says and sends, to search for secrets. */
function watch(page: Page) {
  const problems: string[] = [];
  const consoleLines: string[] = [];
  const frames: string[] = [];
  const socketUrls: string[] = [];
  const bodies: Promise<string>[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    consoleLines.push(message.text());
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('websocket', (socket) => {
    socketUrls.push(socket.url());
    socket.on('framesent', ({ payload }) => frames.push(String(payload)));
    socket.on('framereceived', ({ payload }) => frames.push(String(payload)));
  });
  page.on('response', (response) => bodies.push(response.body().then((body) => body.toString('utf8'), () => '')));
  return { problems, consoleLines, frames, socketUrls, bodies };
}

describe('the browser example, in headless Chromium with a fake microphone', () => {
  it('connects with a token, survives a goAway with a fresh one, stops playback on barge-in, and never holds the key', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = watch(page);
    // A stand-in for the Redux DevTools extension, so that the adapter is seen working in a browser.
    await page.addInitScript(() => {
      const actions: string[] = [];
      Object.assign(window, {
        reduxActions: actions,
        __REDUX_DEVTOOLS_EXTENSION__: {
          connect: () => ({ init: () => undefined, send: (action: { type: string }) => actions.push(action.type) }),
        },
      });
    });
    await page.goto(example.url);
    const first = emulator.nextConnection({ timeoutMs: 20_000 });
    await page.click('#start');
    await page.waitForSelector('body[data-status="done"], body[data-status="failed"]', { timeout: 45_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'example-done.png'), fullPage: true });
    expect(seen.problems).toEqual([]);
    expect(await page.getAttribute('body', 'data-status')).toBe('done');

    const result = (await page.evaluate(() => window.exampleResult)) as ExampleResult;
    const reduxActions = (await page.evaluate(() => (window as unknown as { reduxActions: string[] }).reduxActions)) as string[];
    const conn = await first;
    const resumed = emulator.connections[1];
    await Promise.all(emulator.connections.map((c) => c.closed));

    // Two connections, each on the constrained endpoint with a token of its own; the second resumed the first.
    expect(emulator.connections).toHaveLength(2);
    expect(result.tokensFetched).toBe(2);
    expect(emulator.tokens.map((token) => token.used)).toEqual([1, 1]);
    expect([conn.token, resumed?.token]).toEqual(emulator.tokens.map((token) => token.name));
    expect(seen.socketUrls.every((url) => url.includes('BidiGenerateContentConstrained?access_token=auth_tokens/'))).toBe(true);
    expect(resumed?.resumedFrom).toBeDefined();
    expect(resumed?.refusal).toBeUndefined();

    // The first connection: audio as 16 kHz PCM16 in 20 ms frames, one tool response, no 1008.
    expect(emulator.stats.violations1008).toBe(0);
    expect(emulator.stats.closes[1008]).toBeUndefined();
    expect(conn.counters.audioMs).toBeGreaterThanOrEqual(600);
    expect(conn.counters.toolResponses).toBe(1);
    expect(conn.counters.graceTolerated).toBeLessThanOrEqual(250 / 20);
    const audio = conn.frames.flatMap((f) => (f.message?.realtimeInput?.audio ? [f.message.realtimeInput.audio] : []));
    expect(new Set(audio.map((a) => a.mimeType))).toEqual(new Set(['audio/pcm;rate=16000']));
    expect(new Set(audio.map((a) => Buffer.from(a.data, 'base64').length))).toEqual(new Set([640]));
    // The fake microphone speaks: the resampled audio is mostly not silence.
    const voiced = audio.filter((a) => maxAbs(Buffer.from(a.data, 'base64')) > 300);
    expect(voiced.length).toBeGreaterThan(audio.length / 2);

    // The page side: the gate closed around the tool call while the mic kept streaming; then the resume.
    expect(result.micSampleRate).toBeGreaterThanOrEqual(44_100);
    expect(result.events).toEqual(
      expect.arrayContaining(['token', 'connected', 'toolCall', 'gate:closed', 'toolResult', 'gate:opened', 'turnComplete', 'goAway', 'reconnected', 'interrupted', 'heard']),
    );
    expect(result.events.indexOf('gate:closed')).toBeLessThan(result.events.indexOf('gate:opened'));
    expect(result.events.indexOf('goAway')).toBeLessThan(result.events.indexOf('reconnected'));
    expect(result.metrics).toMatchObject({ toolCalls: 1, toolResponsesSent: 1, reconnects: 1 });
    expect(result.metrics.dropped.gated).toBeGreaterThan(0);

    // Barge-in: 2.5 s of answer, interrupted 0.7 s after it was sent. What was heard is what had played.
    expect(result.interruptions).toHaveLength(1);
    const [cut] = result.interruptions;
    expect(cut?.heardMs).toBeGreaterThan(200);
    expect(cut?.heardMs).toBeLessThan(2000);
    expect((cut?.heardMs ?? 0) + (cut?.discardedMs ?? 0)).toBeCloseTo(2500, 0);
    expect(cut?.fadeFrames).toBeGreaterThan(0);
    expect(cut?.fadeFrames).toBeLessThanOrEqual(128);
    expect(result.playback.receivedMs).toBeCloseTo(300 + 800 + 2500, 0);
    expect(result.playback.discardedMs).toBeCloseTo(cut?.discardedMs ?? -1, 0);
    expect(reduxActions).toEqual(expect.arrayContaining(['CONNECT', 'server.setupComplete', 'server.toolCall', 'tool.result', 'server.goAway', 'CLOSE']));
    expect(await page.textContent('#gate')).toBe('open');

    // The key never reached the page: not its files, its token answers, its DOM, its sockets, its console.
    const everything = [
      page.url(),
      await page.content(),
      ...(await Promise.all(seen.bodies)),
      ...seen.socketUrls,
      ...seen.frames,
      ...seen.consoleLines,
    ].join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    expect(everything.includes(SERVER_KEY)).toBe(false);
    // Tokens travel only where they must (the token answer and the socket's URL), never to the console or the page.
    const shown = [await page.content(), ...seen.consoleLines].join('\n');
    expect(emulator.tokens.filter((token) => shown.includes(token.name))).toEqual([]);
    await context.close();
  });
});

function maxAbs(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}
