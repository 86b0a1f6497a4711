import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startExample, type RunningExample } from '../../examples/browser/serve.js';
import type { ExampleResult } from '../../examples/browser/main.js';
import { ARTIFACTS, launchChromium } from './chromium.js';

let browser: Browser;
let example: RunningExample;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  // The fake microphone speaks the demo's question (it loops), instead of its default beep.
  const speech = `--use-file-for-fake-audio-capture=${join(import.meta.dirname, '..', '..', 'examples', 'demo', 'question.wav')}`;
  // A mic frame the page sent before the toolCall reached it is already on the wire: the emulator's
  // grace window lets such frames through (counted), sized for a busy CI machine as in the e2e
  // suite. In a browser the SDK also decodes each binary frame asynchronously (Blob.text()).
  [browser, example] = await Promise.all([
    launchChromium(inject('chromiumPath'), [speech]),
    startExample({ emulator: { graceMs: 250 } }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await example?.close();
});

/** Problems the page reports: uncaught errors and console errors. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  return problems;
}

describe('the browser example, in headless Chromium with a fake microphone', () => {
  it('runs a session with a tool call against the emulator and is never closed with 1008', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchProblems(page);
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
    const connection = example.emulator.nextConnection({ timeoutMs: 20_000 });
    await page.click('#start');
    await page.waitForSelector('body[data-status="done"], body[data-status="failed"]', { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'example-done.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(await page.getAttribute('body', 'data-status')).toBe('done');

    const result = (await page.evaluate(() => window.exampleResult)) as ExampleResult;
    const reduxActions = (await page.evaluate(() => (window as unknown as { reduxActions: string[] }).reduxActions)) as string[];
    const conn = await connection;
    await conn.closed;

    // The server side: audio arrived as 16 kHz PCM16 in 20 ms frames, one tool response, no 1008.
    expect(example.emulator.stats.violations1008).toBe(0);
    expect(example.emulator.stats.closes[1008]).toBeUndefined();
    expect(conn.counters.audioMs).toBeGreaterThanOrEqual(600);
    expect(conn.counters.toolResponses).toBe(1);
    expect(conn.counters.graceTolerated).toBeLessThanOrEqual(250 / 20);
    const audio = conn.frames.flatMap((f) => (f.message?.realtimeInput?.audio ? [f.message.realtimeInput.audio] : []));
    expect(new Set(audio.map((a) => a.mimeType))).toEqual(new Set(['audio/pcm;rate=16000']));
    expect(new Set(audio.map((a) => Buffer.from(a.data, 'base64').length))).toEqual(new Set([640]));
    // The fake microphone speaks: the resampled audio is mostly not silence.
    const voiced = audio.filter((a) => maxAbs(Buffer.from(a.data, 'base64')) > 300);
    expect(voiced.length).toBeGreaterThan(audio.length / 2);

    // The page side: the gate closed around the tool call while the mic kept streaming.
    expect(result.micSampleRate).toBeGreaterThanOrEqual(44_100);
    expect(result.events).toEqual(expect.arrayContaining(['connected', 'toolCall', 'gate:closed', 'toolResult', 'gate:opened', 'turnComplete']));
    expect(result.events.indexOf('gate:closed')).toBeLessThan(result.events.indexOf('gate:opened'));
    expect(result.metrics.toolCalls).toBe(1);
    expect(result.metrics.toolResponsesSent).toBe(1);
    expect(result.metrics.dropped.gated).toBeGreaterThan(0);
    expect(result.metrics.forwarded.audio).toBe(audio.length);
    expect(result.modelAudioMs).toBeGreaterThan(1000);
    expect(reduxActions).toEqual(expect.arrayContaining(['CONNECT', 'server.setupComplete', 'server.toolCall', 'tool.result', 'CLOSE']));
    expect(await page.textContent('#gate')).toBe('open');
    await context.close();
  });
});

function maxAbs(pcm: Buffer): number {
  let max = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) max = Math.max(max, Math.abs(pcm.readInt16LE(i)));
  return max;
}
