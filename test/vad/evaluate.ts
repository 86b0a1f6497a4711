/**
 * Scores a detector on the VAD corpus, for the tests that gate the defaults and for the bench.
 * Scoring a scene (the detector's probability per frame) is kept apart from segmenting it (the
 * hysteresis), so that segmenter settings can be compared without running the detector again.
 */
import type { VoiceActivityDetector } from '../../src/audio/vad/detector.js';
import { createSpeechSegmenter, type SpeechSegmenterOptions } from '../../src/audio/vad/segmenter.js';
import type { Scene, UtteranceLabel } from './corpus.js';
import { SAMPLES_PER_MS } from './wav.js';

/** A detector's verdict on each frame of a scene. */
export interface SceneScores {
  scene: Scene;
  frameMs: number;
  probabilities: Float32Array;
}

/** Speech as the segmenter found it, in stream time. */
export interface Segment {
  /** Where the speech started (the onset the segmenter reports). */
  startMs: number;
  /** Where the segmenter could tell it had started. */
  detectedAtMs: number;
  /** Where it stopped (the end of its last speech frame), or the scene's end. */
  endMs: number;
}

/** How one utterance fared. */
export interface UtteranceResult {
  label: UtteranceLabel;
  /** Segments that overlap it (1 is right; 0 is a miss, more is a split). */
  segments: number;
  /** Whether one of its segments also overlaps another utterance (the pause between them was not heard). */
  merged: boolean;
  /** Detection time of its first segment less its labelled start, in ms. */
  onsetLatencyMs: number | undefined;
  /** Its labelled speech that no segment covers, in ms. */
  missedMs: number;
}

/** How a scene fared. */
export interface SceneResult {
  scene: string;
  utterances: UtteranceResult[];
  /** Segments that overlap no utterance. */
  falseStarts: number;
  /** Audio outside every utterance that segments cover, in ms. */
  falseAlarmMs: number;
  /** Audio outside every utterance, in ms. */
  nonSpeechMs: number;
  speechMs: number;
}

/** Runs the detector over every frame of the scene, in order, from a fresh state. */
export async function scoreScene(detector: VoiceActivityDetector, scene: Scene): Promise<SceneScores> {
  detector.reset();
  const n = detector.frameSamples;
  const frames = Math.floor(scene.samples.length / n);
  const probabilities = new Float32Array(frames);
  const frame = new Int16Array(n);
  for (let i = 0; i < frames; i += 1) {
    frame.set(scene.samples.subarray(i * n, (i + 1) * n));
    const result = detector.process(frame);
    probabilities[i] = typeof result === 'number' ? result : await result;
  }
  return { scene, frameMs: n / SAMPLES_PER_MS, probabilities };
}

/** The segments a segmenter with these options finds in the scores. */
export function segment(scores: SceneScores, options: SpeechSegmenterOptions = {}): Segment[] {
  const segmenter = createSpeechSegmenter(options);
  const segments: Segment[] = [];
  let open: Omit<Segment, 'endMs'> | undefined;
  const { frameMs, probabilities } = scores;
  for (let i = 0; i < probabilities.length; i += 1) {
    const event = segmenter.push(probabilities[i] ?? 0, i * frameMs, (i + 1) * frameMs);
    if (event?.type === 'speechStart') open = { startMs: event.atMs, detectedAtMs: event.detectedAtMs };
    else if (event?.type === 'speechEnd' && open) {
      segments.push({ ...open, endMs: event.atMs });
      open = undefined;
    }
  }
  const end = segmenter.finish(probabilities.length * frameMs);
  if (end && open) segments.push({ ...open, endMs: end.atMs });
  return segments;
}

/** Compares segments with the scene's labels. */
export function evaluate(scene: Scene, segments: Segment[]): SceneResult {
  const overlaps = (s: Segment, u: UtteranceLabel) => s.startMs < u.endMs && s.endMs > u.startMs;
  const utterances = scene.utterances.map((label): UtteranceResult => {
    const mine = segments.filter((s) => overlaps(s, label));
    let covered = 0;
    for (const s of mine) covered += Math.min(s.endMs, label.endMs) - Math.max(s.startMs, label.startMs);
    return {
      label,
      segments: mine.length,
      merged: mine.some((s) => scene.utterances.some((other) => other !== label && overlaps(s, other))),
      onsetLatencyMs: mine[0] ? mine[0].detectedAtMs - label.startMs : undefined,
      missedMs: Math.max(0, label.endMs - label.startMs - covered),
    };
  });
  const speechMs = scene.utterances.reduce((sum, u) => sum + u.endMs - u.startMs, 0);
  const segmentMs = segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
  const coveredSpeechMs = utterances.reduce((sum, u) => sum + (u.label.endMs - u.label.startMs - u.missedMs), 0);
  return {
    scene: scene.name,
    utterances,
    falseStarts: segments.filter((s) => !scene.utterances.some((u) => overlaps(s, u))).length,
    falseAlarmMs: segmentMs - coveredSpeechMs,
    nonSpeechMs: scene.samples.length / SAMPLES_PER_MS - speechMs,
    speechMs,
  };
}

/** Totals over scenes. */
export interface Summary {
  utterances: number;
  found: number;
  /** Utterances split into more than one segment. */
  split: number;
  /** Utterances that share a segment with another. */
  merged: number;
  /** Utterances bracketed one to one: a single segment of their own. */
  oneToOne: number;
  onsetLatencyMs: { median: number; max: number };
  /** Share of labelled speech no segment covers. */
  missedSpeech: number;
  falseStarts: number;
  falseStartsPerMinute: number;
  /** Share of the audio outside utterances that segments cover. */
  falseAlarm: number;
}

/** Sums scene results up. */
export function summarize(results: SceneResult[]): Summary {
  const all = results.flatMap((r) => r.utterances);
  const latencies = all.flatMap((u) => (u.onsetLatencyMs === undefined ? [] : [u.onsetLatencyMs])).sort((a, b) => a - b);
  const speechMs = results.reduce((sum, r) => sum + r.speechMs, 0);
  const nonSpeechMs = results.reduce((sum, r) => sum + r.nonSpeechMs, 0);
  const falseStarts = results.reduce((sum, r) => sum + r.falseStarts, 0);
  return {
    utterances: all.length,
    found: all.filter((u) => u.segments > 0).length,
    split: all.filter((u) => u.segments > 1).length,
    merged: all.filter((u) => u.merged).length,
    oneToOne: all.filter((u) => u.segments === 1 && !u.merged).length,
    onsetLatencyMs: { median: latencies[Math.floor((latencies.length - 1) / 2)] ?? Number.NaN, max: latencies.at(-1) ?? Number.NaN },
    missedSpeech: speechMs === 0 ? 0 : all.reduce((sum, u) => sum + u.missedMs, 0) / speechMs,
    falseStarts,
    falseStartsPerMinute: nonSpeechMs === 0 ? 0 : falseStarts / (nonSpeechMs / 60_000),
    falseAlarm: nonSpeechMs === 0 ? 0 : results.reduce((sum, r) => sum + r.falseAlarmMs, 0) / nonSpeechMs,
  };
}
