/**
 * Hysteresis over a detector's frames: turns a speech probability per frame into speech that
 * starts and stops, with timestamps in stream time (milliseconds of audio since the stream
 * began). Speech starts once `minSpeechMs` of speech has run without a silent frame, and stops
 * once `hangoverMs` of silence has followed it; probabilities between the two thresholds carry on
 * whatever is going on. Pure: no timers, no I/O.
 */
import { VadError } from '../../protocol/errors.js';

/** Options of {@link createSpeechSegmenter}. */
export interface SpeechSegmenterOptions {
  /** A frame at or above this probability is speech. Default 0.5. */
  threshold?: number;
  /** A frame below this probability is silence. Default `threshold - 0.15` (at least 0). */
  negativeThreshold?: number;
  /** Speech needed, from its first frame, before a start is declared. Default {@link DEFAULT_SEGMENTER}. */
  minSpeechMs?: number;
  /** Silence needed after speech before a stop is declared. Default {@link DEFAULT_SEGMENTER}. */
  hangoverMs?: number;
}

/** A start or a stop of speech. */
export interface SpeechSegmentEvent {
  type: 'speechStart' | 'speechEnd';
  /**
   * Where in the stream speech started (the first frame of the run that confirmed it), or stopped
   * (the end of its last speech frame), in ms.
   */
  atMs: number;
  /** Where in the stream the segmenter could tell (the end of the frame that decided it), in ms. */
  detectedAtMs: number;
}

/** The segmenter: feed it every frame's probability, in order. */
export interface SpeechSegmenter {
  /** Whether speech is going on (a start was returned and no end yet). */
  readonly speaking: boolean;
  /** The options in force, defaults filled in. */
  readonly options: Readonly<Required<SpeechSegmenterOptions>>;
  /** One frame's probability, for the audio from `startMs` to `endMs`; a start or an end it decides. */
  push(probability: number, startMs: number, endMs: number): SpeechSegmentEvent | undefined;
  /** The stream ended (or its detector failed) at `atMs`: the end of speech still going on, if any. */
  finish(atMs: number): SpeechSegmentEvent | undefined;
  /** Back to silence, forgetting any speech in progress. */
  reset(): void;
}

/** The defaults, tuned on the fixtures with the default detector (docs/activity.md). */
export const DEFAULT_SEGMENTER: Readonly<Required<Omit<SpeechSegmenterOptions, 'negativeThreshold'>>> = {
  threshold: 0.5,
  minSpeechMs: 80,
  hangoverMs: 500,
};

/**
 * Creates a segmenter.
 *
 * @example
 * ```ts
 * const segmenter = createSpeechSegmenter({ hangoverMs: 800 });
 * const event = segmenter.push(await detector.process(frame), startMs, startMs + 20);
 * if (event?.type === 'speechStart') showListening(event.atMs);
 * ```
 */
export function createSpeechSegmenter(options: SpeechSegmenterOptions = {}): SpeechSegmenter {
  const resolved = resolveSegmenterOptions(options);
  const { threshold, negativeThreshold, minSpeechMs, hangoverMs } = resolved;

  type Phase = 'silence' | 'onset' | 'speech';
  let phase: Phase = 'silence';
  /** Onset: where the run began and how much of it there is. Speech: where the silence began. */
  let runStartMs = 0;
  let runMs = 0;
  let lastSpeechEndMs = 0;
  let silenceMs = 0;

  const toSilence = () => {
    phase = 'silence';
    runMs = 0;
    silenceMs = 0;
  };

  return {
    get speaking() {
      return phase === 'speech';
    },
    options: resolved,
    push(probability, startMs, endMs) {
      const duration = endMs - startMs;
      const silent = !(probability >= negativeThreshold); // NaN counts as silence
      switch (phase) {
        case 'silence':
          if (!(probability >= threshold)) return undefined;
          phase = 'onset';
          runStartMs = startMs;
          runMs = 0;
        // falls through: the first speech frame counts toward the onset
        case 'onset':
          if (silent) {
            toSilence();
            return undefined;
          }
          runMs += duration;
          if (runMs < minSpeechMs) return undefined;
          phase = 'speech';
          lastSpeechEndMs = endMs;
          silenceMs = 0;
          return { type: 'speechStart', atMs: runStartMs, detectedAtMs: endMs };
        case 'speech':
          if (!silent) {
            lastSpeechEndMs = endMs;
            silenceMs = 0;
            return undefined;
          }
          silenceMs += duration;
          if (silenceMs < hangoverMs) return undefined;
          toSilence();
          return { type: 'speechEnd', atMs: lastSpeechEndMs, detectedAtMs: endMs };
      }
    },
    finish(atMs) {
      const wasSpeaking = phase === 'speech';
      const end = lastSpeechEndMs;
      toSilence();
      return wasSpeaking ? { type: 'speechEnd', atMs: end, detectedAtMs: atMs } : undefined;
    },
    reset: toSilence,
  };
}

/** The options with defaults filled in; throws a `VadError` for any out of range. */
export function resolveSegmenterOptions(options: SpeechSegmenterOptions): Required<SpeechSegmenterOptions> {
  const threshold = options.threshold ?? DEFAULT_SEGMENTER.threshold;
  const resolved = {
    threshold,
    negativeThreshold: options.negativeThreshold ?? Math.max(0, threshold - 0.15),
    minSpeechMs: options.minSpeechMs ?? DEFAULT_SEGMENTER.minSpeechMs,
    hangoverMs: options.hangoverMs ?? DEFAULT_SEGMENTER.hangoverMs,
  };
  const problem = segmenterOptionsProblem(resolved);
  if (problem) throw new VadError('VAD_INVALID_OPTIONS', 'segmenter', problem);
  return resolved;
}

/** What is wrong with these options, or undefined. */
export function segmenterOptionsProblem(options: SpeechSegmenterOptions): string | undefined {
  const { threshold = DEFAULT_SEGMENTER.threshold, minSpeechMs = 0, hangoverMs = 0 } = options;
  const negativeThreshold = options.negativeThreshold ?? Math.max(0, threshold - 0.15);
  if (!(threshold > 0 && threshold <= 1)) return `threshold must be in (0, 1], got ${threshold}`;
  if (!(negativeThreshold >= 0 && negativeThreshold <= threshold)) return `negativeThreshold must be in [0, threshold], got ${negativeThreshold}`;
  if (!(minSpeechMs >= 0 && Number.isFinite(minSpeechMs))) return `minSpeechMs must be a finite number ≥ 0, got ${minSpeechMs}`;
  if (!(hangoverMs >= 0 && Number.isFinite(hangoverMs))) return `hangoverMs must be a finite number ≥ 0, got ${hangoverMs}`;
  return undefined;
}
