/**
 * Makes the voice-activity fixtures in `test/fixtures/vad/` (committed, so tests need none of
 * this at run time):
 *
 * - `speech.wav`: utterances synthesized with espeak-ng (several voices, rates and levels), each
 *   placed at a known offset in digital silence. The pauses inside an utterance (a comma, a full
 *   stop) are espeak's own.
 * - `babble.wav`: six other talkers at once, a loopable murmur to mix in as babble noise.
 * - `labels.json`: where each utterance is, in samples and ms. The labels are the offsets the
 *   utterances were placed at and their lengths, not the output of any detector.
 *
 * White and pink noise are not stored: `test/vad/corpus.ts` makes them from a seeded generator and
 * mixes every scene (speech in noise at several SNRs, noise alone) when a test or the bench loads it.
 *
 *   apt-get install -y espeak-ng sox && npx tsx scripts/make-vad-fixtures.ts [--scenes DIR]
 *
 * `--scenes DIR` also writes every mixed scene as a WAV file, to listen to.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SAMPLE_RATE, SAMPLES_PER_MS, encodeWav } from '../test/vad/wav.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'test', 'fixtures', 'vad');

/** An utterance of the speech track: what espeak-ng says, how, how loud, and the silence before it. */
interface UtteranceSpec {
  voice: string;
  wordsPerMinute: number;
  text: string;
  /** RMS level of the utterance's samples, in dB below full scale. */
  levelDbfs: number;
  /** Silence before it. */
  gapMs: number;
}

// Levels span 12 dB, as talkers near and far from a microphone do; the gaps are longer than any
// sensible hangover, so that each utterance is one turn.
const UTTERANCES: UtteranceSpec[] = [
  { voice: 'en-us', wordsPerMinute: 175, text: 'Hello there.', levelDbfs: -22, gapMs: 700 },
  { voice: 'en-gb+f3', wordsPerMinute: 180, text: 'What is the weather in Paris today?', levelDbfs: -20, gapMs: 1_000 },
  { voice: 'en-us+m3', wordsPerMinute: 160, text: 'Yes.', levelDbfs: -26, gapMs: 1_000 },
  { voice: 'en-us+f2', wordsPerMinute: 175, text: 'Book a table for two. At eight, please.', levelDbfs: -24, gapMs: 1_000 },
  { voice: 'en-gb-x-rp+m2', wordsPerMinute: 185, text: 'Could you turn the lights off?', levelDbfs: -32, gapMs: 1_000 },
];
const TAIL_MS = 900;

const BABBLE_MS = 3_000;
const BABBLE_TALKERS = [
  { voice: 'en-us+m1', text: 'The quarterly numbers came in lower than anyone had expected this year.' },
  { voice: 'en-gb+f1', text: 'I think we should take the train instead, it is much faster in the morning.' },
  { voice: 'en-us+f4', text: 'Did you see the match last night? The second half was incredible.' },
  { voice: 'en-gb-scotland+m4', text: 'Put the boxes by the door and we will load the van after lunch.' },
  { voice: 'en-029+f5', text: 'She said the meeting moved to Thursday, so the report can wait a day.' },
  { voice: 'en-us-nyc+m6', text: 'Another coffee for me please, and one of those almond pastries.' },
];

/** Samples whose magnitude is under this (-60 dBFS) are cut from either end of a synthesized clip. */
const EDGE_AMPLITUDE = 33;

/** espeak-ng's speech at its own rate (22,050 Hz), as samples. */
function synthesize(voice: string, wordsPerMinute: number, text: string): { samples: Int16Array; rate: number } {
  const wav = execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '--stdout', text], { maxBuffer: 64 << 20 });
  const bytes = new Uint8Array(wav.buffer, wav.byteOffset, wav.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rate = view.getUint32(24, true);
  // espeak streams its WAV: the header's sizes are placeholders, so the data runs to the end.
  let data = 12;
  while (String.fromCharCode(...bytes.subarray(data, data + 4)) !== 'data') data += 8 + view.getUint32(data + 4, true);
  const count = Math.floor((bytes.length - data - 8) / 2);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i += 1) samples[i] = view.getInt16(data + 8 + i * 2, true);
  return { samples, rate };
}

/** The clip without its inaudible ends: it starts and ends at a sample above -60 dBFS. */
function trimEdges(samples: Int16Array): Int16Array {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < EDGE_AMPLITUDE) first += 1;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < EDGE_AMPLITUDE) last -= 1;
  return samples.slice(first, last + 1);
}

/** Resampled to 16 kHz by sox's very-high-quality resampler. */
function to16k(samples: Int16Array, rate: number): Float64Array {
  const raw = ['-t', 'raw', '-e', 'signed', '-b', '16', '-c', '1', '-L'];
  const input = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  // 6 dB of headroom and float out: no clipping and no dither. The level is set afterwards.
  const float = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-c', '1', '-L'];
  const output = execFileSync('sox', [...raw, '-r', String(rate), '-', ...float, '-r', String(SAMPLE_RATE), '-', 'gain', '-6', 'rate', '-v'], {
    input,
    maxBuffer: 64 << 20,
  });
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const resampled = new Float64Array(Math.floor(output.byteLength / 4));
  for (let i = 0; i < resampled.length; i += 1) resampled[i] = view.getFloat32(i * 4, true) * 32768;
  return resampled;
}

function rmsOf(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** Scaled so that its RMS is `levelDbfs`. */
function atLevel(samples: Float64Array, levelDbfs: number): Float64Array {
  const gain = (32768 * 10 ** (levelDbfs / 20)) / rmsOf(samples);
  return samples.map((s) => s * gain);
}

function toInt16(samples: Float64Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s))));
}

function makeSpeechTrack() {
  const clips = UTTERANCES.map((spec) => {
    const { samples, rate } = synthesize(spec.voice, spec.wordsPerMinute, spec.text);
    // Resampling rings for a few samples past each end: trim again at 16 kHz, so the label is exact.
    return { spec, samples: trimEdges(toInt16(atLevel(to16k(trimEdges(samples), rate), spec.levelDbfs))) };
  });
  const total = clips.reduce((sum, clip) => sum + clip.spec.gapMs * SAMPLES_PER_MS + clip.samples.length, 0) + TAIL_MS * SAMPLES_PER_MS;
  const track = new Int16Array(total);
  let offset = 0;
  const utterances = clips.map(({ spec, samples }) => {
    offset += spec.gapMs * SAMPLES_PER_MS;
    track.set(samples, offset);
    const label = {
      text: spec.text,
      voice: spec.voice,
      wordsPerMinute: spec.wordsPerMinute,
      levelDbfs: spec.levelDbfs,
      startSample: offset,
      endSample: offset + samples.length,
      startMs: offset / SAMPLES_PER_MS,
      endMs: (offset + samples.length) / SAMPLES_PER_MS,
    };
    offset += samples.length;
    return label;
  });
  return { track, utterances };
}

/** A seeded generator, so the babble's offsets are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeBabble(): Int16Array {
  const length = BABBLE_MS * SAMPLES_PER_MS;
  const fade = 100 * SAMPLES_PER_MS;
  const random = mulberry32(17);
  const mix = new Float64Array(length);
  for (const talker of BABBLE_TALKERS) {
    const { samples, rate } = synthesize(talker.voice, 170 + Math.round(random() * 30), talker.text);
    const speech = atLevel(to16k(trimEdges(samples), rate), -20 + random() * 6);
    // Each talker's stream loops around the babble's length; the first `fade` samples are
    // cross-faded with the ones past the end, so the loop has no seam.
    const start = Math.floor(random() * Math.max(1, speech.length - length - fade));
    for (let i = 0; i < length + fade; i += 1) {
      const s = speech[(start + i) % speech.length] ?? 0;
      if (i < length) mix[i] = (mix[i] ?? 0) + s * (i < fade ? i / fade : 1);
      else mix[i - length] = (mix[i - length] ?? 0) + s * (1 - (i - length) / fade);
    }
  }
  return toInt16(atLevel(mix, -20));
}

async function main(): Promise<void> {
  const version = execFileSync('espeak-ng', ['--version'], { encoding: 'utf8' }).trim();
  mkdirSync(out, { recursive: true });
  const { track, utterances } = makeSpeechTrack();
  const babble = makeBabble();
  writeFileSync(join(out, 'speech.wav'), encodeWav(track));
  writeFileSync(join(out, 'babble.wav'), encodeWav(babble));
  const labels = {
    about:
      'Made by scripts/make-vad-fixtures.ts with ' +
      version.split('  ')[0] +
      ' and sox. Each label is where the script placed that synthesized utterance (its first and last sample above -60 dBFS), not what a detector found.',
    sampleRate: SAMPLE_RATE,
    speech: { file: 'speech.wav', durationMs: track.length / SAMPLES_PER_MS, utterances },
    babble: { file: 'babble.wav', durationMs: babble.length / SAMPLES_PER_MS, talkers: BABBLE_TALKERS },
  };
  writeFileSync(join(out, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  console.log(`speech.wav: ${(track.length / SAMPLE_RATE).toFixed(2)} s, ${utterances.length} utterances; babble.wav: ${BABBLE_MS / 1000} s`);
  const scenesAt = process.argv.indexOf('--scenes');
  if (scenesAt > 0) await writeScenes(process.argv[scenesAt + 1] ?? join(root, 'test-artifacts', 'vad-scenes'));
}

async function writeScenes(folder: string): Promise<void> {
  const { loadCorpus, speechScenes, noiseScenes } = await import('../test/vad/corpus.js');
  const corpus = loadCorpus();
  mkdirSync(folder, { recursive: true });
  for (const scene of [...speechScenes(corpus), ...noiseScenes(corpus, 20_000)]) {
    writeFileSync(join(folder, `${scene.name}.wav`), encodeWav(scene.samples));
  }
  console.log(`scenes written to ${folder}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
