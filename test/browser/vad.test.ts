import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDetectorStream } from '../../src/audio/vad/detectorStream.js';
import { createSpeechSegmenter, type SpeechSegmentEvent } from '../../src/audio/vad/segmenter.js';
import { createWebRtcVad } from '../../src/audio/vad/webrtc.js';
import { FIXTURES, loadCorpus } from '../vad/corpus.js';
import { pcmBytes } from '../vad/wav.js';
import { launchChromium } from './chromium.js';
import type { VadPageResult } from './vad/page.js';

const require = createRequire(import.meta.url);
const fvadWasm = join(dirname(require.resolve('@echogarden/fvad-wasm')), 'fvad.wasm');
const ortWasm = join(dirname(require.resolve('onnxruntime-web/wasm')), 'ort-wasm-simd-threaded.wasm');
const sileroModel = join(dirname(require.resolve('@ricky0123/vad-web')), 'silero_vad_v6.onnx');

let browser: Browser;
let server: Server;
let base: string;
/** Every path the page asked for. */
const requested: string[] = [];

/** Serves the page, its bundle, the fixture, and fvad.wasm under two names (a chosen URL, and its default place beside the bundle). */
async function serve(): Promise<void> {
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, 'vad', 'page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['module'], // fvad.js imports it on a path only Node takes
    logLevel: 'silent',
  });
  const files: Record<string, [string, Uint8Array | string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>VAD</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', bundle.outputFiles[0]?.text ?? ''],
    '/fvad.wasm': ['application/wasm', await readFile(fvadWasm)],
    '/assets/vad/fvad.wasm': ['application/wasm', await readFile(fvadWasm)],
    '/speech.wav': ['audio/wav', await readFile(join(FIXTURES, 'speech.wav'))],
    '/ort/ort-wasm-simd-threaded.wasm': ['application/wasm', await readFile(ortWasm)],
    '/models/silero_vad_v6.onnx': ['application/octet-stream', await readFile(sileroModel)],
  };
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requested.push(path);
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [browser] = await Promise.all([launchChromium(inject('chromiumPath')), serve()]);
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});

/** The same run in Node: the events the page should find. */
async function inNode(): Promise<SpeechSegmentEvent[]> {
  const detector = await createWebRtcVad();
  const segmenter = createSpeechSegmenter();
  const events: SpeechSegmentEvent[] = [];
  const stream = createDetectorStream(detector, {
    onScore: ({ probability, startMs, endMs }) => {
      const event = segmenter.push(probability, startMs, endMs);
      if (event) events.push(event);
    },
    onError: (error) => expect.unreachable(error.message),
  });
  const pcm = pcmBytes(loadCorpus().speech);
  for (let offset = 0; offset < pcm.length; offset += 640) stream.push(pcm.subarray(offset, offset + 640));
  detector.dispose();
  return events;
}

async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  await page.goto(`${base}/`);
  await page.waitForFunction(() => typeof window.runVad === 'function' && typeof window.runSilero === 'function');
  return { page, problems };
}

describe('the default detector in headless Chromium', () => {
  it('loads its WebAssembly from a URL and brackets the fixture exactly as it does in Node', async () => {
    const expected = await inNode();
    const utterances = loadCorpus().utterances;
    expect(expected.map((e) => e.type)).toEqual(utterances.flatMap(() => ['speechStart', 'speechEnd']));

    const { page, problems } = await openPage();
    requested.length = 0;
    const result = (await page.evaluate(() => window.runVad('/speech.wav', '/assets/vad/fvad.wasm'))) as VadPageResult;
    expect(problems).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.frameSamples).toBe(160);
    expect(result.events).toEqual(expected);
    expect(requested).toContain('/assets/vad/fvad.wasm');
    expect(requested).not.toContain('/fvad.wasm');
    await page.close();
  });

  it('finds fvad.wasm beside the bundle when no URL is given', async () => {
    const { page, problems } = await openPage();
    requested.length = 0;
    const result = (await page.evaluate(() => window.runVad('/speech.wav', undefined))) as VadPageResult;
    expect(problems).toEqual([]);
    expect(result.events.filter((e) => e.type === 'speechStart')).toHaveLength(loadCorpus().utterances.length);
    expect(requested).toContain('/fvad.wasm');
    await page.close();
  });

  it('reports WebAssembly that is not there as VAD_UNAVAILABLE', async () => {
    const { page } = await openPage();
    const message = await page.evaluate(() => window.runVad('/speech.wav', '/missing.wasm').then(() => 'resolved', (error: Error) => error.message));
    expect(message).toMatch(/^VAD_UNAVAILABLE: webrtc: fvad\.wasm could not be loaded from \/missing\.wasm/);
    await page.close();
  });
});

describe('Silero in headless Chromium', () => {
  it('loads onnxruntime-web and the model from URLs and finds every utterance of the fixture', async () => {
    const { page, problems } = await openPage();
    requested.length = 0;
    const result = (await page.evaluate(() => window.runSilero('/speech.wav', '/models/silero_vad_v6.onnx', '/ort/ort-wasm-simd-threaded.wasm'))) as VadPageResult;
    expect(problems).toEqual([]);
    expect(result.errors).toEqual([]);
    expect(result.frameSamples).toBe(512);
    expect(requested).toEqual(expect.arrayContaining(['/models/silero_vad_v6.onnx', '/ort/ort-wasm-simd-threaded.wasm']));
    expect(requested.filter((path) => path.endsWith('.mjs'))).toEqual([]); // the runtime's JS came in the bundle
    const starts = result.events.filter((e) => e.type === 'speechStart');
    const utterances = loadCorpus().utterances;
    expect(starts).toHaveLength(utterances.length);
    for (const [i, start] of starts.entries()) expect(Math.abs(start.atMs - (utterances[i]?.startMs ?? 0))).toBeLessThan(150);
    await page.close();
  });
});
