/**
 * `npm run demo -- --inspect`, watched in headless Chromium: the demo waits for the page to draw
 * the chart, the page follows the conversation to its close, and once the demo has ended it still
 * holds the whole story, a page opened late included. Its three moments (streaming, gated, closed)
 * are taken from the timeline (time travel), so each screenshot shows exactly that moment, whatever
 * the machine's load; the gated one is docs/inspector.png (rewritten by `npm run docs:screenshot`;
 * its pixels are not compared).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, launchChromium } from './chromium.js';

const root = resolve(import.meta.dirname, '..', '..');
/** The screenshot docs/devtools.md shows. */
const DOCS_SCREENSHOT = join(root, 'docs', 'inspector.png');

let browser: Browser;
let demo: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium(inject('chromiumPath'));
});

afterAll(async () => {
  demo?.kill('SIGKILL');
  await browser?.close();
});

/** The leaf state the chart highlights, the only one, and that it is `state`. */
async function expectHighlighted(page: Page, state: string) {
  await page.waitForSelector(`#chart [data-state-id="session.${state}"].active.leaf`);
  expect(await page.$$eval('#chart .state.leaf', (nodes) => nodes.map((n) => n.getAttribute('data-state-id')))).toEqual([`session.${state}`]);
  expect(await page.textContent('#state')).toBe(state);
}

describe('npm run demo -- --inspect, in headless Chromium', () => {
  it('shows the demo live, then keeps its whole story readable after it ends', async () => {
    demo = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/demo.ts', '--inspect', '--inspect-keep', '120'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    demo.stdout.setEncoding('utf8');
    demo.stdout.on('data', (chunk: string) => (stdout += chunk));
    demo.stderr.resume();
    const exited = new Promise<number | null>((done) => demo?.on('exit', done));
    await expect.poll(() => /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout), { timeout: 30_000 }).not.toBeNull();
    const url = /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1] ?? '';

    const page = await browser.newPage({ viewport: { width: 1800, height: 1150 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `demo-${name}.png`), fullPage: true });
    await page.goto(url);
    // The conversation starts once the page has drawn the chart, and the page follows it live.
    await page.waitForSelector('#chart[data-layout="done"] svg');
    await expect.poll(() => stdout, { timeout: 10_000 }).toContain('inspector page connected');
    await page.waitForSelector('#timeline li[data-type="server.toolCall"]');
    await expectHighlighted(page, 'closed');
    await expect.poll(() => stdout, { timeout: 30_000 }).toContain("the session's whole story stays at");

    // After the end: the final state, why, and the whole timeline, from the first event.
    expect(await page.textContent('#gate')).toBe('SESSION CLOSED');
    expect(await page.textContent('#ending-reason')).toBe('Closed by the application (close()).');
    expect(await page.textContent('#ending-summary')).toContain('2 tool calls: 1 answered with a result, 1 with an error');
    const types = await page.$$eval('#timeline li', (items) => items.map((li) => li.getAttribute('data-type')));
    expect(types.at(-1)).toBe('xstate.init');
    expect(types[0]).toBe('CLOSE');
    expect(types).toEqual(expect.arrayContaining(['CONNECT', 'server.setupComplete', 'server.toolCall', 'tool.result', 'input.audio']));
    await shot('3-closed');

    // The three moments, each as the page shows it: streaming, gated, closed.
    await page.click('#timeline li[data-type="server.setupComplete"]');
    await expectHighlighted(page, 'streaming');
    expect(await page.textContent('#gate')).toBe('GATE OPEN');
    await shot('1-streaming');
    await page.click('#timeline li[data-type="server.toolCall"]');
    await expectHighlighted(page, 'awaitingToolResponse');
    expect(await page.textContent('#gate')).toBe('GATE CLOSED');
    expect(await page.$$eval('#pending li[data-key]', (items) => items.map((li) => li.getAttribute('data-key')))).toEqual(['fc-1', 'fc-2']);
    expect(await page.$$eval('#chart .transition.last .label', (labels) => labels.map((l) => l.textContent))).toEqual([
      'always[hasBlockingCallsPending]',
    ]);
    await shot('2-gated');
    // `npm run docs:screenshot` refreshes the one docs/devtools.md shows; other runs leave it be.
    if (process.env['UPDATE_SCREENSHOTS'] === '1') await copyFile(join(ARTIFACTS, 'demo-2-gated.png'), DOCS_SCREENSHOT);

    // A page opened after the end gets the same story.
    const late = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await late.goto(url);
    await late.waitForSelector('#chart[data-layout="done"] svg');
    await expectHighlighted(late, 'closed');
    expect(await late.$$eval('#timeline li', (items) => items.length)).toBe(types.length);
    await late.close();

    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('connection closes with 1008: 0');
    expect(problems).toEqual([]);
    await page.close();
  });
});
