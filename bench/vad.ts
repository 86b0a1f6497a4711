/**
 * The voice activity part of `npm run bench`: for each candidate detector, with the default
 * hysteresis, its accuracy on the fixtures (utterances found, onset latency, missed speech, false
 * starts per minute of noise), its CPU per 20 ms of audio, and the bytes a web page loads for it.
 * Also the whole activity actor's cost per 20 ms chunk with the default detector, and what
 * `activity: 'vad'` adds to a session's cost per chunk.
 */
import { createActor } from 'xstate';
import { activityLogic } from '../src/actors/activity.js';
import type { VoiceActivityDetector } from '../src/audio/vad/detector.js';
import { createSileroVad } from '../src/audio/vad/silero.js';
import { createWebRtcVad } from '../src/audio/vad/webrtc.js';
import { CONDITIONS, loadCorpus, noiseScenes, speechScenes, type Scene } from '../test/vad/corpus.js';
import { evaluate, scoreScene, segment, summarize, type Summary } from '../test/vad/evaluate.js';
import { pcmBytes } from '../test/vad/wav.js';
import { median } from './stats.js';
import { sileroBundle, webRtcBundle, type BundleCost } from './vadBundle.js';
import { measureVadSession, type VadSessionCost } from './vadSession.js';

/** How much to measure. */
export interface VadOptions {
  /** Length of each noise-only scene, in ms. */
  noiseMs: number;
  /** Speech scenes: all conditions, or only clean and 10 dB white noise. */
  allConditions: boolean;
  /** Rounds of the CPU measurement (the median is kept), each over `cpuAudioMs` of audio. */
  cpuRounds: number;
  cpuAudioMs: number;
}

/** One candidate's figures. */
export interface VadCandidateResult {
  name: string;
  isDefault: boolean;
  /** CPU time of the detector per 20 ms of audio, in µs (median of rounds). */
  cpuPerFrameUs: number;
  /** Speech in no noise, or in white, pink or babble noise at 10 dB SNR or better. */
  speech: Summary;
  /** Speech in white or pink noise at 5 dB SNR. */
  hardSpeech: Summary | undefined;
  /** White and pink noise alone, as loud as in the 10 dB scenes. */
  noise: Summary;
  /** Babble alone: the share of it called speech. */
  babble: Summary;
  bundle: BundleCost;
}

/** The VAD part's results. */
export interface VadResult {
  candidates: VadCandidateResult[];
  /** The activity actor per 20 ms chunk with the default detector: detector, hysteresis, pre-roll ring, XState. */
  actorPerFrameUs: number;
  /**
   * A session per 20 ms chunk, with and without `activity: 'vad'`: over the clean speech scene
   * (five utterances, each with its bracket and pre-roll), and over pink noise (no speech).
   */
  session: { speech: VadSessionCost; noise: VadSessionCost };
  scenes: string[];
}

interface Candidate {
  name: string;
  isDefault: boolean;
  make(): Promise<VoiceActivityDetector>;
  bundle(): Promise<BundleCost>;
}

const CANDIDATES: Candidate[] = [
  { name: 'webrtc', isDefault: true, make: () => createWebRtcVad(), bundle: webRtcBundle },
  { name: 'silero-v6', isDefault: false, make: () => createSileroVad({ model: 'v6' }), bundle: () => sileroBundle('v6') },
  { name: 'silero-v5', isDefault: false, make: () => createSileroVad({ model: 'v5' }), bundle: () => sileroBundle('v5') },
];

const FRAME_MS = 20;

/** Runs the VAD part. */
export async function measureVad(options: VadOptions): Promise<VadResult> {
  const corpus = loadCorpus();
  const conditions = options.allConditions ? CONDITIONS : CONDITIONS.filter((c) => c.noise === 'none' || (c.noise === 'white' && c.snrDb === 10));
  const speech = speechScenes(corpus, conditions);
  const easy = speech.filter((s) => s.snrDb === undefined || s.snrDb >= (s.noise === 'babble' ? 20 : 10));
  const hard = speech.filter((s) => s.snrDb !== undefined && s.snrDb < 10 && s.noise !== 'babble');
  const [white, pink, babble] = noiseScenes(corpus, options.noiseMs) as [Scene, Scene, Scene];
  const cpuAudio = noiseScenes(corpus, options.cpuAudioMs, ['pink'])[0] as Scene;

  const detectors = await Promise.all(CANDIDATES.map((candidate) => candidate.make()));
  try {
    // Accuracy first: it also warms every detector up (WebAssembly tiers up in background threads,
    // whose CPU time would otherwise be counted against the first rounds).
    const accuracy = [];
    for (const detector of detectors) {
      // One scene at a time: a detector has one stream's state.
      const judge = async (scenes: Scene[]) => {
        const results = [];
        for (const scene of scenes) results.push(evaluate(scene, segment(await scoreScene(detector, scene))));
        return summarize(results);
      };
      accuracy.push({ speech: await judge(easy), hardSpeech: hard.length > 0 ? await judge(hard) : undefined, noise: await judge([white, pink]), babble: await judge([babble]) });
    }
    // CPU: the candidates take turns, round by round, so that other load on the machine falls on each alike.
    const cpu: number[][] = detectors.map(() => []);
    for (let round = 0; round < options.cpuRounds; round += 1) {
      for (const [i, detector] of detectors.entries()) cpu[i]?.push(await cpuPerFrameUs(detector, cpuAudio));
    }
    const candidates: VadCandidateResult[] = [];
    for (const [i, candidate] of CANDIDATES.entries()) {
      const figures = accuracy[i];
      if (!figures) throw new Error(`no accuracy figures for ${candidate.name}`);
      candidates.push({ name: candidate.name, isDefault: candidate.isDefault, cpuPerFrameUs: median(cpu[i] ?? []), ...figures, bundle: await candidate.bundle() });
    }
    const clean = speech.find((scene) => scene.noise === 'none') as Scene;
    return {
      candidates,
      actorPerFrameUs: await actorPerFrameUs(cpuAudio, options.cpuRounds),
      session: { speech: await measureVadSession(clean, options.cpuRounds), noise: await measureVadSession(cpuAudio, options.cpuRounds) },
      scenes: [...speech, white, pink, babble].map((s) => s.name),
    };
  } finally {
    for (const detector of detectors) detector.dispose();
  }
}

/** The detector's process CPU time per 20 ms of the scene's audio, in µs. */
async function cpuPerFrameUs(detector: VoiceActivityDetector, scene: Scene): Promise<number> {
  detector.reset();
  const n = detector.frameSamples;
  const frame = new Int16Array(n);
  const frames = Math.floor(scene.samples.length / n);
  const started = process.cpuUsage();
  for (let i = 0; i < frames; i += 1) {
    frame.set(scene.samples.subarray(i * n, (i + 1) * n));
    const result = detector.process(frame);
    if (typeof result !== 'number') await result;
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / ((frames * n) / 16 / FRAME_MS);
}

/** The activity actor's process CPU time per 20 ms chunk, in 'vad' mode with the default detector. */
async function actorPerFrameUs(scene: Scene, rounds: number): Promise<number> {
  const chunks: Uint8Array[] = [];
  const pcm = pcmBytes(scene.samples);
  for (let offset = 0; offset + 640 <= pcm.length; offset += 640) chunks.push(pcm.subarray(offset, offset + 640));
  const detector = await createWebRtcVad();
  const perRound: number[] = [];
  try {
    for (let round = 0; round <= rounds; round += 1) {
      detector.reset();
      const actor = createActor(activityLogic, { input: { mode: 'vad', detector } }).start();
      const started = process.cpuUsage();
      for (const pcm of chunks) actor.send({ type: 'activity.frame', pcm });
      const used = process.cpuUsage(started);
      actor.stop();
      if (round > 0) perRound.push((used.user + used.system) / chunks.length); // round 0 warms up
    }
  } finally {
    detector.dispose();
  }
  return median(perRound);
}
