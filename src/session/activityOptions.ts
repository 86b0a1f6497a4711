/**
 * The `activity` option of `createLiveSession`: who brackets the user's speech, and how the
 * session's activity actor runs. Checked when the session is created, with the connect config it
 * must agree with: a session that would send activity signals to a server detecting activity
 * itself (which closes the connection over them) fails there, not as a close.
 */
import type { LiveConnectConfig } from '@google/genai';
import { checkActivityInput, type ActivityInput, type DetectorSource } from '../actors/activity.js';
import type { SpeechSegmenterOptions } from '../audio/vad/segmenter.js';
import type { ActivityMode } from '../machines/activityEvents.js';
import { InvalidOptionsError } from '../protocol/errors.js';

/** The most pre-roll a session sends: more is not the first syllable, and the ring holds it all. */
export const MAX_PRE_ROLL_MS = 2_000;

/**
 * How the session's activity actor runs.
 *
 * @example
 * ```ts
 * createLiveSession({ ai, model, activity: { mode: 'vad', segmenter: { hangoverMs: 800 }, preRollMs: 400 } });
 * ```
 */
export interface SessionActivityOptions {
  /**
   * - `'vad'`: the session's detector brackets each utterance (`activityStart`, the pre-roll, the
   *   live audio, `activityEnd`), and setup turns the server's detection off. Audio while the user
   *   is not speaking is not sent (dropped `outsideActivity`).
   * - `'manual'`: the application does (`session.activityStart()` / `activityEnd()`, push-to-talk);
   *   setup turns the server's detection off.
   * - `'server'`: the server detects activity; the detector only tells the application
   *   (`speechStarted` / `speechStopped`), and the application's activity signals are refused.
   */
  mode: ActivityMode;
  /** `'vad'` and `'server'`: the detector, or a function that makes one. Default: WebRTC's (`createWebRtcVad()`). */
  detector?: DetectorSource;
  /** `'vad'` and `'server'`: the hysteresis (defaults in `DEFAULT_SEGMENTER`, tuned on the fixtures). */
  segmenter?: SpeechSegmenterOptions;
  /**
   * Audio from before the speech's onset sent right after `activityStart`, in ms, at most
   * {@link MAX_PRE_ROLL_MS}. Default 300 in `'vad'`, 0 in `'manual'`; none in `'server'`.
   */
  preRollMs?: number;
  /** Most audio that may wait for a slow (or still loading) detector, in ms (default 1000). */
  maxBacklogMs?: number;
}

/** The `activity` option: a mode, or the mode with its settings. */
export type ActivityOption = ActivityMode | SessionActivityOptions;

/** What a session with an activity actor runs with. */
export interface ResolvedActivity {
  mode: ActivityMode;
  /** The actor's input. */
  input: ActivityInput;
  /** Whether the server detects activity: `false` in `'vad'` and `'manual'`, which setup declares. */
  automaticActivityDetection: boolean;
}

const MODES: readonly ActivityMode[] = ['vad', 'manual', 'server'];

/** The options in object form; throws when they are neither a mode nor an object with one. */
function asOptions(value: unknown): SessionActivityOptions {
  const options = typeof value === 'string' ? { mode: value } : value;
  if (typeof options !== 'object' || options === null || !MODES.includes((options as { mode?: unknown }).mode as ActivityMode)) {
    throw new InvalidOptionsError(`activity must be 'vad', 'manual' or 'server', or { mode, … } with one of them, got ${describeValue(value)}`);
  }
  return options as SessionActivityOptions;
}

function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `{ mode: ${String((value as { mode?: unknown }).mode)} }`;
  return String(value);
}

/** Settings that mean nothing in `mode`: refused rather than ignored. */
function unusedSetting(options: SessionActivityOptions): string | undefined {
  if (options.mode === 'manual' && options.detector !== undefined) return "detector: 'manual' mode runs no detector";
  if (options.mode === 'manual' && options.segmenter !== undefined) return "segmenter: 'manual' mode runs no detector";
  if (options.mode === 'server' && options.preRollMs !== undefined && options.preRollMs !== 0) {
    return "preRollMs: in 'server' mode the session sends no bracket, and the server hears all the audio";
  }
  return undefined;
}

/** Where the application's connect config contradicts the mode. */
function configConflict(mode: ActivityMode, config: LiveConnectConfig | undefined): string | undefined {
  const disabled = config?.realtimeInputConfig?.automaticActivityDetection?.disabled;
  if (mode === 'server' && disabled === true) {
    return "activity 'server' needs the server's activity detection, and config.realtimeInputConfig.automaticActivityDetection.disabled is true";
  }
  if (mode !== 'server' && disabled === false) {
    return `activity '${mode}' brackets speech on the client, and config.realtimeInputConfig.automaticActivityDetection.disabled is false (the server would close the connection over the signals)`;
  }
  return undefined;
}

/**
 * Checks the `activity` option against the connect config; `undefined` when there is none (the
 * session runs no activity actor, as before). Throws {@link InvalidOptionsError}.
 */
export function resolveActivity(value: unknown, config: LiveConnectConfig | undefined): ResolvedActivity | undefined {
  if (value === undefined) return undefined;
  const options = asOptions(value);
  if (options.segmenter !== undefined && (typeof options.segmenter !== 'object' || options.segmenter === null)) {
    throw new InvalidOptionsError('activity.segmenter must be an object ({ threshold, minSpeechMs, hangoverMs, … })');
  }
  const unused = unusedSetting(options);
  if (unused) throw new InvalidOptionsError(`activity.${unused}`);
  if (options.preRollMs !== undefined && typeof options.preRollMs === 'number' && options.preRollMs > MAX_PRE_ROLL_MS) {
    throw new InvalidOptionsError(`activity.preRollMs must be at most ${MAX_PRE_ROLL_MS} ms, got ${options.preRollMs}`);
  }
  const input: ActivityInput = {
    mode: options.mode,
    ...(options.detector === undefined ? {} : { detector: options.detector }),
    ...(options.segmenter === undefined ? {} : { segmenter: options.segmenter }),
    ...(options.preRollMs === undefined ? {} : { preRollMs: options.preRollMs }),
    ...(options.maxBacklogMs === undefined ? {} : { maxBacklogMs: options.maxBacklogMs }),
  };
  const problem = checkActivityInput(input);
  // The reason names its part: `activity: …`, or `segmenter: …` (which is `activity.segmenter`).
  if (problem) throw new InvalidOptionsError(problem.source === 'activity' ? problem.reason : `activity.${problem.reason}`);
  const conflict = configConflict(options.mode, config);
  if (conflict) throw new InvalidOptionsError(conflict);
  return { mode: options.mode, input, automaticActivityDetection: options.mode === 'server' };
}
