/**
 * The browser player in headless Chromium: after `interrupted` it stops within one render
 * quantum. A recorder worklet of the test's own taps the player's output, so what is measured is
 * what came out, sample by sample, not what the player says about itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { serveFolder } from '../../examples/browser/serve.js';
import type { BargeInMeasure } from './pages/player.js';
import { launchChromium } from './chromium.js';

const OUT = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'browser-player');
const RENDER_QUANTUM = 128;

let browser: Browser;
let site: { url: string; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  await mkdir(OUT, { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, 'pages', 'player.ts')],
    outfile: join(OUT, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  await writeFile(join(OUT, 'index.html'), '<!doctype html><meta charset="utf-8"><title>player</title><script type="module" src="./main.js"></script>');
  [browser, site] = await Promise.all([launchChromium(inject('chromiumPath'), ['--autoplay-policy=no-user-gesture-required']), serveFolder(OUT)]);
  page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(site.url);
  await page.waitForFunction(() => typeof window.measureBargeIn === 'function');
  expect(problems).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('createAudioPlayer, barge-in', () => {
  it.each([24_000, 48_000])('at %i Hz the output falls silent within one render quantum of the interruption', async (sampleRate) => {
    const measured = (await page.evaluate((rate) => window.measureBargeIn(rate), sampleRate)) as BargeInMeasure;
    const step = 24_000 / sampleRate;
    // The player cut in the quantum right after it was asked, or later only as message delivery allows.
    expect(measured.cutFrame).toBeGreaterThanOrEqual(measured.askedFrame);
    expect(measured.cutFrame % RENDER_QUANTUM).toBe(0);
    // From the cut on: at most one render quantum of sound, fading, then silence.
    expect(measured.report.fadeFrames).toBe(RENDER_QUANTUM);
    expect(measured.audibleAfterCut).toBeLessThanOrEqual(RENDER_QUANTUM);
    expect(measured.lastAudibleFrame).toBeLessThan(measured.cutFrame + RENDER_QUANTUM);
    expect(measured.fadeEndPeak).toBeLessThan(measured.fadeStartPeak / 4);
    // Counted from the request itself, the sound after it is the quanta until the cut plus the fade.
    expect(measured.audibleAfterAsked).toBeLessThanOrEqual(measured.cutFrame - measured.askedFrame + RENDER_QUANTUM);
    // What the player reports as heard is what came out of it (a sine has a zero sample or two).
    expect(Math.abs(measured.report.heardSamples - measured.audibleFrames * step)).toBeLessThanOrEqual(4);
    expect(measured.report.heardSamples + measured.report.discardedSamples).toBe(48_000);
    expect(measured.report.heardMs).toBeGreaterThanOrEqual(300);
  });
});
