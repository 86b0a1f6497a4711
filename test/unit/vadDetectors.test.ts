import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../../src/audio/vad/detector.js';
import { createSileroVad } from '../../src/audio/vad/silero.js';
import { createWebRtcVad } from '../../src/audio/vad/webrtc.js';
import { VadError } from '../../src/protocol/errors.js';
import { loadCorpus } from '../vad/corpus.js';
import { SAMPLES_PER_MS } from '../vad/wav.js';

const require = createRequire(import.meta.url);
const corpus = loadCorpus();
const first = corpus.utterances[0] as (typeof corpus.utterances)[number];

/** Scores `ms` of the speech track from `fromMs`, frame by frame. */
async function scores(detector: VoiceActivityDetector, fromMs: number, ms: number): Promise<number[]> {
  const n = detector.frameSamples;
  const out: number[] = [];
  for (let at = fromMs * SAMPLES_PER_MS; at + n <= (fromMs + ms) * SAMPLES_PER_MS; at += n) {
    out.push(await detector.process(corpus.speech.slice(at, at + n)));
  }
  return out;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('it resolved'),
    (error: unknown) => error,
  );
}

describe('createWebRtcVad', () => {
  it('loads fvad.wasm from the installed package in Node and tells speech from silence', async () => {
    const detector = await createWebRtcVad();
    expect(detector).toMatchObject({ name: 'webrtc', frameSamples: 160 });
    // The silence before the first utterance, then the utterance itself.
    expect(mean(await scores(detector, 0, first.startMs))).toBe(0);
    expect(mean(await scores(detector, first.startMs, first.endMs - first.startMs))).toBeGreaterThan(0.8);
    detector.dispose();
  });

  it('takes the WebAssembly as bytes, and gives the same decisions', async () => {
    const wasm = readFileSync(join(dirname(require.resolve('@echogarden/fvad-wasm')), 'fvad.wasm'));
    const fromBytes = await createWebRtcVad({ wasm: new Uint8Array(wasm), frameMs: 20 });
    const fromPackage = await createWebRtcVad({ frameMs: 20 });
    expect(fromBytes.frameSamples).toBe(320);
    expect(await scores(fromBytes, 0, 3_000)).toEqual(await scores(fromPackage, 0, 3_000));
    fromBytes.dispose();
    fromPackage.dispose();
  });

  it('keeps each detector its own state in the shared module, and reset() starts one afresh', async () => {
    const a = await createWebRtcVad({ mode: 0 });
    const b = await createWebRtcVad({ mode: 0 });
    const alone = await scores(a, 0, 2_500);
    a.reset();
    // Interleaved with b, a decides exactly as it did alone.
    const interleaved: number[] = [];
    for (let at = 0; at + 160 <= 2_500 * SAMPLES_PER_MS; at += 160) {
      interleaved.push(await a.process(corpus.speech.slice(at, at + 160)));
      await b.process(corpus.speech.slice(at + 8_000, at + 8_160));
    }
    expect(interleaved).toEqual(alone);
    a.dispose();
    b.dispose();
  });

  it('refuses a frame after dispose(), and disposing twice is harmless', async () => {
    const detector = await createWebRtcVad();
    detector.dispose();
    detector.dispose();
    expect(() => detector.process(new Int16Array(160))).toThrow(VadError);
  });

  it.each([
    [{ mode: 4 as 0 }, /mode must be 0, 1, 2 or 3/],
    [{ frameMs: 25 as 20 }, /frameMs must be 10, 20 or 30/],
  ])('refuses %o with VAD_INVALID_OPTIONS', async (options, reason) => {
    const error = await rejection(createWebRtcVad(options));
    expect(error).toBeInstanceOf(VadError);
    expect(error).toMatchObject({ code: 'VAD_INVALID_OPTIONS', reason: expect.stringMatching(reason) });
  });

  it('says how to install the package when it cannot be imported', async () => {
    const error = await rejection(createWebRtcVad({ wasm: 'unused', load: () => import('@echogarden/no-such-package' as string) }));
    expect(error).toMatchObject({ code: 'VAD_UNAVAILABLE', source: 'webrtc', reason: expect.stringContaining('npm install @echogarden/fvad-wasm') });
  });

  it('reports WebAssembly that will not load as VAD_UNAVAILABLE, and loads afterwards from a good source', async () => {
    const error = await rejection(createWebRtcVad({ wasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }));
    expect(error).toMatchObject({ code: 'VAD_UNAVAILABLE', reason: expect.stringContaining('fvad.wasm could not be loaded from 8 bytes') });
    const detector = await createWebRtcVad();
    expect(await detector.process(new Int16Array(160))).toBe(0);
    detector.dispose();
  });
});

describe('createSileroVad', () => {
  it("loads the model shipped by @ricky0123/vad-web in Node and scores speech high and silence low", async () => {
    const detector = await createSileroVad();
    expect(detector).toMatchObject({ name: 'silero-v6', frameSamples: 512 });
    const silence = await scores(detector, 0, first.startMs - 100);
    const speech = await scores(detector, first.startMs, first.endMs - first.startMs);
    expect(Math.max(...silence)).toBeLessThan(0.1);
    expect(mean(speech)).toBeGreaterThan(0.6);
    for (const p of [...silence, ...speech]) expect(p).toBeGreaterThanOrEqual(0);
    detector.dispose();
  });

  it('takes the model as bytes, and reset() makes it score the same audio the same way again', async () => {
    const model = readFileSync(join(dirname(require.resolve('@ricky0123/vad-web')), 'silero_vad_v5.onnx'));
    const detector = await createSileroVad({ model: new Uint8Array(model) });
    expect(detector.name).toBe('silero-custom');
    const once = await scores(detector, first.startMs, 600);
    detector.reset();
    expect(await scores(detector, first.startMs, 600)).toEqual(once);
    detector.dispose();
    await expect(detector.process(new Int16Array(512))).rejects.toThrow(VadError);
  });

  it('refuses a relative WebAssembly URL where there is no page to resolve it against', async () => {
    const error = await rejection(createSileroVad({ wasm: 'ort/ort-wasm-simd-threaded.wasm' }));
    expect(error).toMatchObject({ code: 'VAD_INVALID_OPTIONS', reason: expect.stringContaining('wasm is not a URL') });
  });

  it('reports a model that cannot be read as VAD_UNAVAILABLE', async () => {
    const error = await rejection(createSileroVad({ model: '/no/such/model.onnx' }));
    expect(error).toMatchObject({ code: 'VAD_UNAVAILABLE', source: 'silero-custom', reason: expect.stringContaining('/no/such/model.onnx') });
  });

  it('says how to install onnxruntime-web when it cannot be imported, and refuses a module that is not it', async () => {
    const missing = await rejection(createSileroVad({ load: () => Promise.reject(new Error('Cannot find package')) }));
    expect(missing).toMatchObject({ code: 'VAD_UNAVAILABLE', reason: expect.stringContaining('npm install onnxruntime-web @ricky0123/vad-web') });
    const wrong = await rejection(createSileroVad({ load: () => Promise.resolve({ default: {} }) }));
    expect(wrong).toMatchObject({ code: 'VAD_UNAVAILABLE', reason: expect.stringContaining('does not look like onnxruntime-web') });
  });
});
