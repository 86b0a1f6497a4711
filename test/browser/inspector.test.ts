import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GoogleGenAI, Modality } from '@google/genai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLiveSession, defineTool, type LiveSession } from '../../src/index.js';
import { startInspector, type Inspector } from '../../src/devtools/index.js';
import { startLiveEmulator, type LiveEmulator } from '../../src/testing/index.js';
import { deferred, FRAME } from '../helpers.js';
import { ARTIFACTS, launchChromium } from './chromium.js';

let browser: Browser;
let inspector: Inspector;
let emulator: LiveEmulator;
let session: LiveSession | undefined;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [browser, inspector, emulator] = await Promise.all([
    launchChromium(inject('chromiumPath')),
    startInspector(),
    startLiveEmulator({ graceMs: 0 }),
  ]);
});

afterAll(async () => {
  await session?.close();
  await browser?.close();
  await inspector?.close();
  await emulator?.close();
});

/** Waits until the page shows `state` as the active leaf, the only one highlighted as such. */
async function expectState(page: Page, state: string) {
  const id = `session.${state}`;
  await page.waitForSelector(`[data-state-id="${id}"].active.leaf`);
  expect(await page.textContent('#state')).toBe(state);
  expect(await page.$$eval('.state.leaf', (nodes) => nodes.map((n) => n.getAttribute('data-state-id')))).toEqual([id]);
  // Every ancestor is highlighted too, and nothing else.
  const ancestors = state.split('.').map((_, i, parts) => `session.${parts.slice(0, i + 1).join('.')}`);
  expect(await page.$$eval('.state.active', (nodes) => nodes.map((n) => n.getAttribute('data-state-id')))).toEqual(['session', ...ancestors]);
}

async function counter(page: Page, name: string): Promise<number> {
  return Number(await page.textContent(`[data-counter="${name}"]`));
}

async function waitForCounter(page: Page, name: string, value: number) {
  await page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector as string)?.textContent === String(expected),
    [`[data-counter="${name}"]`, value] as const,
  );
}

describe('the offline inspector page, in headless Chromium', () => {
  it('shows the right state, gate, timeline, pending calls and counters at each step', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // The page must need nothing but its own server.
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `inspector-${name}.png`), fullPage: true });

    await page.goto(inspector.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    // The chart is drawn from the machine: every state is there, nested.
    for (const id of ['session.idle.disconnected', 'session.idle.reconnecting.backoff', 'session.awaitingToolResponse', 'session.closed']) {
      expect(await page.$(`[data-state-id="${id}"]`)).not.toBeNull();
    }
    expect(await page.$(`[data-state-id="session.idle"] [data-state-id="session.idle.reconnecting"] [data-state-id="session.idle.reconnecting.opening"]`)).not.toBeNull();
    expect(await page.textContent('#status')).toBe('waiting for a session');
    await shot('1-waiting');

    // A session over the real SDK to the emulator, its tool held until the test lets it go.
    const result = deferred<{ tempC: number }>();
    session = createLiveSession({
      ai: new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } }),
      model: 'models/gemini-live-emulated',
      config: { responseModalities: [Modality.AUDIO] },
      tools: [defineTool({ name: 'get_weather', execute: () => result.promise })],
      inspect: inspector.inspect,
      inspectFrames: true,
    });
    await expectState(page, 'idle.disconnected');
    expect(await page.getAttribute('#gate', 'data-gate')).toBe('open');

    const connection = emulator.nextConnection();
    await session.connect();
    const conn = await connection;
    await expectState(page, 'streaming');
    expect(await page.textContent('#input')).toBe('realtime input: forwarded');
    for (let i = 0; i < 5; i += 1) session.sendAudio(FRAME);
    await page.waitForSelector('#timeline li[data-type="input.audio"][data-mark="forwarded"][data-count="5"]');
    await waitForCounter(page, 'forwarded.audio', 5);
    // The frames reached the server before it calls the tool (its grace window is 0 here).
    await expect.poll(() => conn.counters.audioFrames).toBe(5);
    await shot('2-streaming');

    // The toolCall closes the gate; the call shows with a running timer; the mic's frames are dropped.
    const gateClosed = new Promise<void>((resolve) => session?.on('gate', ({ state }) => state === 'closed' && resolve()));
    const [callId] = conn.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
    await gateClosed;
    await expectState(page, 'awaitingToolResponse');
    expect(await page.getAttribute('#gate', 'data-gate')).toBe('closed');
    expect(await page.textContent('#gate')).toBe('GATE CLOSED');
    expect(await page.textContent('#input')).toBe('realtime input: dropped (gated)');
    const pending = `#pending li[data-key="${callId}"]`;
    await page.waitForSelector(pending);
    expect(await page.textContent(pending)).toContain(`get_weather [${callId}] running`);
    await page.waitForFunction((selector) => parseFloat(document.querySelector(`${selector} .timer`)?.textContent ?? '0') >= 0.3, pending);
    for (let i = 0; i < 3; i += 1) session.sendAudio(FRAME);
    await page.waitForSelector('#timeline li[data-type="input.audio"][data-mark="dropped"][data-count="3"]');
    expect(await page.textContent('#timeline li[data-mark="dropped"] .mark')).toBe('dropped (gated)');
    await waitForCounter(page, 'dropped.gated', 3);
    expect(await page.textContent('#timeline li[data-type="server.toolCall"] .tr')).toBe('streaming → awaitingToolResponse');
    await shot('3-gated');

    // The answer goes out and the gate reopens.
    result.resolve({ tempC: 18 });
    await conn.waitForToolResponse();
    await expectState(page, 'streaming');
    expect(await page.getAttribute('#gate', 'data-gate')).toBe('open');
    await page.waitForSelector('#pending li.empty');
    await waitForCounter(page, 'toolResponsesSent', 1);
    session.sendAudio(FRAME);
    await waitForCounter(page, 'forwarded.audio', 6);
    expect(await counter(page, 'toolCalls')).toBe(1);
    expect(await counter(page, 'received')).toBe(9);
    await shot('4-reopened');

    await session.close();
    await expectState(page, 'closed');
    await page.waitForSelector('body[data-status="done"]');
    expect(await page.textContent('#closed')).toBe('closed by {"by":"client"}');
    await shot('5-closed');

    // Another session with the same inspector: the page starts its story afresh.
    const second = createLiveSession({
      ai: new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } }),
      model: 'models/gemini-live-emulated',
      inspect: inspector.inspect,
    });
    await expectState(page, 'idle.disconnected');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li').length === 1);
    expect(await page.getAttribute('#timeline li', 'data-type')).toBe('xstate.init');
    await second.close();
    await expectState(page, 'closed');

    expect(emulator.stats.violations1008).toBe(0);
    expect(problems).toEqual([]);
    expect(requests.every((url) => url.startsWith(inspector.url))).toBe(true);
    await page.close();
  });
});
