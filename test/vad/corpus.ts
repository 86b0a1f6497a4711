/**
 * The VAD corpus: the committed fixtures of `test/fixtures/vad/` (synthesized speech with its
 * labels, and babble) and the scenes mixed from them on load: the speech track in white, pink
 * and babble noise at several SNRs, and noise alone, for false starts. White and pink noise come
 * from a seeded generator, so every scene is the same on every run. Labels carry over unchanged:
 * mixing moves no utterance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_PER_MS, decodeWav } from './wav.js';

/** Where the fixtures are. */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'vad');

/** Where one synthesized utterance is, as placed by `scripts/make-vad-fixtures.ts`. */
export interface UtteranceLabel {
  text: string;
  voice: string;
  levelDbfs: number;
  startMs: number;
  endMs: number;
}

/** The committed fixtures. */
export interface Corpus {
  speech: Int16Array;
  babble: Int16Array;
  utterances: UtteranceLabel[];
}

/** The kinds of noise mixed in. */
export type NoiseKind = 'white' | 'pink' | 'babble';

/** Audio with the labelled utterances in it (none in a noise-only scene). */
export interface Scene {
  name: string;
  noise: NoiseKind | 'none';
  /** Speech power over noise power, in dB; undefined for clean speech and for noise alone. */
  snrDb: number | undefined;
  samples: Int16Array;
  utterances: UtteranceLabel[];
}

/** A speech scene: the speech track with one noise at one SNR. */
export interface Condition {
  noise: NoiseKind | 'none';
  snrDb?: number;
}

/** The conditions of the speech scenes: clean, and each noise at 20, 10 and 5 dB (babble 20 and 10). */
export const CONDITIONS: Condition[] = [
  { noise: 'none' },
  { noise: 'white', snrDb: 20 },
  { noise: 'white', snrDb: 10 },
  { noise: 'white', snrDb: 5 },
  { noise: 'pink', snrDb: 20 },
  { noise: 'pink', snrDb: 10 },
  { noise: 'pink', snrDb: 5 },
  { noise: 'babble', snrDb: 20 },
  { noise: 'babble', snrDb: 10 },
];

/** The SNR whose noise level the noise-only scenes play at: noise as loud as in the 10 dB scenes. */
export const NOISE_ONLY_SNR_DB = 10;

/** Loads the committed fixtures. */
export function loadCorpus(): Corpus {
  const labels = JSON.parse(readFileSync(join(FIXTURES, 'labels.json'), 'utf8')) as { speech: { utterances: UtteranceLabel[] } };
  return {
    speech: decodeWav(readFileSync(join(FIXTURES, 'speech.wav'))),
    babble: decodeWav(readFileSync(join(FIXTURES, 'babble.wav'))),
    utterances: labels.speech.utterances.map(({ text, voice, levelDbfs, startMs, endMs }) => ({ text, voice, levelDbfs, startMs, endMs })),
  };
}

/** The speech track mixed with each condition. */
export function speechScenes(corpus: Corpus, conditions: Condition[] = CONDITIONS): Scene[] {
  const speechRms = activeSpeechRms(corpus);
  return conditions.map((condition, index) => {
    const samples = Float64Array.from(corpus.speech);
    if (condition.noise !== 'none') {
      const snrDb = condition.snrDb ?? NOISE_ONLY_SNR_DB;
      addInPlace(samples, noise(corpus, condition.noise, samples.length, speechRms / 10 ** (snrDb / 20), 1_000 + index));
    }
    const name = condition.noise === 'none' ? 'speech-clean' : `speech-${condition.noise}-${condition.snrDb}dB`;
    return { name, noise: condition.noise, snrDb: condition.noise === 'none' ? undefined : condition.snrDb, samples: toInt16(samples), utterances: corpus.utterances };
  });
}

/** Each noise alone for `durationMs`, as loud as in the 10 dB speech scenes. */
export function noiseScenes(corpus: Corpus, durationMs: number, kinds: NoiseKind[] = ['white', 'pink', 'babble']): Scene[] {
  const rms = activeSpeechRms(corpus) / 10 ** (NOISE_ONLY_SNR_DB / 20);
  return kinds.map((kind, index) => ({
    name: `noise-${kind}`,
    noise: kind,
    snrDb: undefined,
    samples: toInt16(noise(corpus, kind, Math.round(durationMs * SAMPLES_PER_MS), rms, 2_000 + index)),
    utterances: [],
  }));
}

/** RMS of the speech track over its labelled utterances only. */
export function activeSpeechRms(corpus: Corpus): number {
  let sum = 0;
  let count = 0;
  for (const { startMs, endMs } of corpus.utterances) {
    for (let i = startMs * SAMPLES_PER_MS; i < endMs * SAMPLES_PER_MS; i += 1) {
      sum += (corpus.speech[i] ?? 0) ** 2;
      count += 1;
    }
  }
  return Math.sqrt(sum / count);
}

/** `length` samples of a noise at RMS `rms`. */
function noise(corpus: Corpus, kind: NoiseKind, length: number, rms: number, seed: number): Float64Array {
  const gaussian = gaussianSource(seed);
  let samples: Float64Array;
  if (kind === 'white') {
    samples = Float64Array.from({ length }, gaussian);
  } else if (kind === 'pink') {
    samples = pinkNoise(gaussian, length);
  } else {
    // The babble loops (it was made loopable); each scene starts it somewhere else.
    const start = Math.floor(Math.abs(gaussian()) * 7_919) % corpus.babble.length;
    samples = Float64Array.from({ length }, (_, i) => corpus.babble[(start + i) % corpus.babble.length] ?? 0);
  }
  const gain = rms / rmsOf(samples);
  return samples.map((s) => s * gain);
}

/** Pink (1/f) noise: Paul Kellet's filter of white noise, within 0.05 dB from 9 Hz to Nyquist. */
function pinkNoise(white: () => number, length: number): Float64Array {
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i += 1) {
    const w = white();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return out;
}

/** Standard normal samples from a seeded generator (Box-Muller over mulberry32). */
function gaussianSource(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function rmsOf(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

function addInPlace(target: Float64Array, addend: Float64Array): void {
  for (let i = 0; i < target.length; i += 1) target[i] = (target[i] ?? 0) + (addend[i] ?? 0);
}

function toInt16(samples: Float64Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s))));
}
