import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GoogleGenAI, Modality } from '@google/genai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLiveSession, defineTool, type LiveSession } from '../../src/index.js';
import { allStates, chartIds, describeChart, startInspector, type Inspector } from '../../src/devtools/index.js';
import { sessionMachine } from '../../src/machines/index.js';
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

/** Waits until the chart is laid out and drawn. */
async function chartDrawn(page: Page) {
  await page.waitForSelector('#chart[data-layout="done"] svg');
}

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
    await chartDrawn(page);
    // The chart is drawn from the machine's definition: every state, and every transition (an
    // arrow when it changes state, a line in its box when it stays), counted against it.
    const chart = describeChart(sessionMachine);
    const ids = chartIds(chart);
    const drawnStates = await page.$$eval('#chart [data-state-id]', (nodes) => nodes.map((n) => n.getAttribute('data-state-id')));
    expect(drawnStates.sort()).toEqual([...ids.states].sort());
    const drawnTransitions = await page.$$eval('#chart [data-transition-ids]', (nodes) =>
      nodes.flatMap((n) => (n.getAttribute('data-transition-ids') ?? '').split(' ')),
    );
    expect(new Set(drawnTransitions)).toEqual(new Set(ids.transitions));
    const definition = allStates(chart).flatMap((s) => s.transitions);
    expect(ids.transitions).toHaveLength(definition.length);
    const arrows = await page.$$eval('#chart g.transition', (nodes) =>
      nodes.map((n) => ({ paths: n.querySelectorAll('path').length, label: n.querySelector('.label')?.textContent })),
    );
    expect(arrows).toHaveLength(definition.filter((t) => t.targets.length > 0).length);
    expect(arrows.every((arrow) => arrow.paths === 1 && (arrow.label ?? '').length > 0)).toBe(true);
    expect(arrows.map((a) => a.label)).toContain('always[hasBlockingCallsPending]');
    // States are nested boxes: each child's box lies inside its parent's.
    const box = (id: string) =>
      page.$eval(`[data-state-id="${id}"] > .box`, (rect) => {
        const { x, y, width, height } = (rect as SVGGraphicsElement).getBBox();
        return { x, y, width, height };
      });
    for (const [outer, inner] of [['session', 'session.idle'], ['session.idle', 'session.idle.reconnecting'], ['session.idle.reconnecting', 'session.idle.reconnecting.opening']] as const) {
      const [o, i] = [await box(outer), await box(inner)];
      expect(i.x >= o.x && i.y >= o.y && i.x + i.width <= o.x + o.width && i.y + i.height <= o.y + o.height, `${inner} inside ${outer}`).toBe(true);
    }
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
    // The transition that closed the gate (streaming's eventless one, on the toolCall's step) is marked on the chart.
    const toolCallArrow = `session.streaming#${chart.states.find((s) => s.key === 'streaming')?.transitions.findIndex((t) => t.kind === 'always' && t.targets.includes('session.awaitingToolResponse'))}`;
    expect(await page.$$eval('#chart .transition.last', (nodes) => nodes.map((n) => n.getAttribute('data-transition-ids')))).toEqual([toolCallArrow]);
    expect(await page.textContent('#last')).toBe('last transition: streaming → awaitingToolResponse on server.toolCall');
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
    // A closed session reads as closed: no gate, the final state, why, the counters in words.
    expect(await page.getAttribute('#gate', 'data-gate')).toBe('ended');
    expect(await page.textContent('#gate')).toBe('SESSION CLOSED');
    expect(await page.isVisible('#ending-panel')).toBe(true);
    expect(await page.textContent('#ending-state')).toBe('Final state: closed.');
    expect(await page.textContent('#ending-reason')).toBe('Closed by the application (close()).');
    expect(await page.$$eval('#ending-summary li', (items) => items.map((li) => li.textContent))).toEqual([
      '9 inputs received: 6 forwarded, 3 dropped (3 while a tool call was pending).',
      '1 tool call: 1 answered with a result, 0 with an error, 0 cancelled; 1 toolResponse sent.',
      expect.stringMatching(/^The gate was closed for \d+\.\d\d s in all\.$/),
      'No reconnects.',
      'No errors.',
    ]);
    await shot('5-closed');

    // Time travel: a click on a timeline line shows the session as it was then.
    await page.click('#timeline li[data-type="server.toolCall"]');
    await page.waitForSelector('body[data-viewing="past"]');
    await expectState(page, 'awaitingToolResponse');
    expect(await page.textContent('#gate')).toBe('GATE CLOSED');
    expect(await page.textContent(`#pending li[data-key="${callId}"]`)).toContain('running');
    expect(await page.textContent('#past-when')).toMatch(/right after server\.toolCall\.$/);
    expect(await page.$$eval('#chart .transition.last', (nodes) => nodes.map((n) => n.getAttribute('data-transition-ids')))).toEqual([toolCallArrow]);
    await page.click('#timeline li[data-type="server.setupComplete"]');
    await expectState(page, 'streaming');
    expect(await page.textContent('#gate')).toBe('GATE OPEN');
    await shot('6-time-travel');
    await page.keyboard.press('Escape');
    await page.waitForSelector('body[data-viewing="live"]');
    await expectState(page, 'closed');

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

  it('shows the tool-call ledger, each call with its state, once the machine keeps one', async () => {
    // The machine keeps no ledger yet: a synthetic snapshot carries one, as `context.ledger`.
    const own = await startInspector();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(own.url);
      await page.waitForSelector('#conn[data-conn="live"]');
      expect(await page.isHidden('#ledger-panel')).toBe(true);
      const actorRef = { sessionId: 'synthetic:0' };
      const at = Date.now();
      const ledger = {
        'fc-1': { key: 'fc-1', id: 'fc-1', name: 'get_weather', args: { city: 'Paris' }, generation: 1, state: 'answered', startedAt: at - 2000, endedAt: at - 800 },
        'fc-2': { key: 'fc-2', id: 'fc-2', name: 'book_table', args: { seats: 2 }, generation: 1, state: 'orphaned', startedAt: at - 1500 },
        'fc-3': { key: 'fc-3', id: 'fc-3', name: 'book_table', args: { seats: 2 }, generation: 2, state: 'running', startedAt: at - 500 },
      };
      own.inspect({
        type: '@xstate.snapshot',
        rootId: 'synthetic:0',
        actorRef,
        event: { type: 'server.toolCall', generation: 2, calls: [] },
        snapshot: { value: 'awaitingToolResponse', status: 'active', context: { ledger, pending: {} } },
      } as never);
      await page.waitForSelector('#ledger-panel:not([hidden])');
      const rows = await page.$$eval('#ledger tr[data-key]', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-key'), tr.getAttribute('data-ledger-state'), tr.querySelector('.call')?.textContent, tr.children[2]?.textContent]),
      );
      expect(rows).toEqual([
        ['fc-1', 'answered', 'get_weather [fc-1]', '#1'],
        ['fc-2', 'orphaned', 'book_table [fc-2]', '#1'],
        ['fc-3', 'running', 'book_table [fc-3]', '#2'],
      ]);
      expect(await page.textContent('#ledger tr[data-key="fc-1"] td.took')).toBe('1.2 s');
      // A call still running shows a ticking timer.
      await page.waitForFunction(() => parseFloat(document.querySelector('#ledger tr[data-key="fc-3"] .timer')?.textContent ?? '0') >= 0.5);
      await page.screenshot({ path: join(ARTIFACTS, 'inspector-ledger.png'), fullPage: true });
    } finally {
      await page.close();
      await own.close();
    }
  });
});
