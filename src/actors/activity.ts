/**
 * The activity actor: watches every microphone chunk and tells its parent when the user speaks.
 *
 * Protocol (types in `src/machines/activityEvents.ts`). The parent sends:
 * - `activity.frame { pcm }`: every mic chunk (16 kHz PCM16), in order, in every state, gated or
 *   not, each one after the parent has handled it itself (sent, dropped or buffered);
 * - `activity.manual { signal }`: push-to-talk, heeded in `'manual'` mode only.
 *
 * The actor sends back, and the parent must:
 * - `input.activityStart` (`'vad'`, `'manual'`): handle it as the app's activityStart (the gate,
 *   the bracket's state and the counters are the machine's);
 * - `activity.preRoll { frames }`, right after that start, whenever audio came before it: the
 *   audio from `preRollMs` before the speech's onset up to the latest chunk, which the parent has
 *   already handled outside the bracket. Send (or drop, or buffer) each frame as audio input inside
 *   the bracket, counting each as received (I4). It never repeats audio that was inside an
 *   earlier bracket;
 * - `input.activityEnd` (`'vad'`, `'manual'`): handle it as the app's activityEnd (deferred while
 *   gated, I5). One end follows each start; never an end without a start;
 * - `activity.speech { state, atMs, detectedAtMs }` (every mode): for UIs, in stream time (ms of
 *   audio the actor has received). In `'server'` mode it is the only event: the server detects
 *   activity itself and tells no one when speech starts;
 * - `activity.error { error }`: the detector could not load or failed; an open bracket is closed
 *   first (`input.activityEnd`), and detection stops. Bad input is reported the same way, at start.
 *
 * When the actor is stopped it sends nothing more, even with a bracket open: the parent closes it.
 * The detector's call is the cost per chunk; the rest is a copy into the pre-roll ring and a few
 * comparisons.
 */
import { fromCallback, type CallbackLogicFunction } from 'xstate';
import { createDetectorStream, type DetectorStream, type FrameScore } from '../audio/vad/detectorStream.js';
import type { VoiceActivityDetector } from '../audio/vad/detector.js';
import { createPreRollBuffer, type PreRollBuffer } from '../audio/vad/preRoll.js';
import {
  createSpeechSegmenter,
  segmenterOptionsProblem,
  type SpeechSegmenter,
  type SpeechSegmenterOptions,
  type SpeechSegmentEvent,
} from '../audio/vad/segmenter.js';
import type { ActivityCommand, ActivityEvent, ActivityMode } from '../machines/activityEvents.js';
import { VadError } from '../protocol/errors.js';

/** Bytes per millisecond of 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;
/** Pre-roll the `'vad'` mode sends by default, in ms. */
export const DEFAULT_PRE_ROLL_MS = 300;
/** Room in the ring beyond the pre-roll and the onset it confirms: detector frames and a little lag, in ms. */
const RING_SLACK_MS = 200;

/**
 * The detector of `'vad'` and `'server'` modes when none is given: WebRTC's, chosen on the
 * fixtures (docs/activity.md). Imported when first used, so that a bundler can leave its loader
 * out of the bundles of sessions that never run one.
 */
const defaultDetector = () => import('../audio/vad/webrtc.js').then((module) => module.createWebRtcVad());

/** A detector the caller owns, or a factory for one the actor owns (and disposes when stopped). */
export type DetectorSource = VoiceActivityDetector | (() => VoiceActivityDetector | Promise<VoiceActivityDetector>);

/** The activity actor's input. */
export interface ActivityInput {
  mode: ActivityMode;
  /** The detector of `'vad'` and `'server'` modes. Default: `() => createWebRtcVad()`. */
  detector?: DetectorSource;
  /** Hysteresis; defaults in `DEFAULT_SEGMENTER`. */
  segmenter?: SpeechSegmenterOptions;
  /** Audio before the speech to send after the start, in ms. Default 300 in `'vad'`, 0 in `'manual'`. */
  preRollMs?: number;
  /** Most audio that may wait for a slow (or still loading) detector, in ms. Default 1000. */
  maxBacklogMs?: number;
}

/**
 * The activity actor logic.
 *
 * @example
 * ```ts
 * const actor = createActor(activityLogic, { input: { mode: 'vad', detector: () => createWebRtcVad() } });
 * ```
 */
export const activityLogic = fromCallback<ActivityCommand, ActivityInput>((args) => activityCallback(args));

/** Checks an activity input; the reason it is wrong, as a `VadError`, or undefined. */
export function checkActivityInput(input: ActivityInput): VadError | undefined {
  const invalid = (reason: string) => new VadError('VAD_INVALID_OPTIONS', 'activity', reason);
  if (!['vad', 'manual', 'server'].includes(input.mode)) return invalid(`mode must be 'vad', 'manual' or 'server', got ${String(input.mode)}`);
  if (input.detector !== undefined && typeof input.detector !== 'function' && typeof input.detector.process !== 'function') {
    return invalid('detector must be a VoiceActivityDetector or a function that makes one');
  }
  if (input.preRollMs !== undefined && !(input.preRollMs >= 0 && Number.isFinite(input.preRollMs))) return invalid(`preRollMs must be a finite number ≥ 0, got ${input.preRollMs}`);
  if (input.maxBacklogMs !== undefined && !(input.maxBacklogMs >= 0 && Number.isFinite(input.maxBacklogMs))) return invalid(`maxBacklogMs must be a finite number ≥ 0, got ${input.maxBacklogMs}`);
  const segmenterProblem = segmenterOptionsProblem(input.segmenter ?? {});
  if (segmenterProblem) return new VadError('VAD_INVALID_OPTIONS', 'segmenter', segmenterProblem);
  return undefined;
}

/** The body of {@link activityLogic}. */
export const activityCallback: CallbackLogicFunction<ActivityCommand, ActivityEvent, ActivityInput> = ({ input, sendBack, receive }) => {
  const problem = checkActivityInput(input);
  if (problem) {
    sendBack({ type: 'activity.error', error: problem });
    return () => undefined;
  }
  const { mode } = input;
  const preRollMs = input.preRollMs ?? (mode === 'vad' ? DEFAULT_PRE_ROLL_MS : 0);
  const segmenter: SpeechSegmenter = createSpeechSegmenter(input.segmenter);
  const ring: PreRollBuffer | undefined =
    mode !== 'server' && preRollMs > 0 ? createPreRollBuffer({ capacityMs: preRollMs + segmenter.options.minSpeechMs + RING_SLACK_MS }) : undefined;
  /** Bytes received: the stream's clock. */
  let position = 0;
  /** Stream position where the last bracket closed: audio before it was sent inside that bracket. */
  let bracketClosedAt = 0;
  let bracketOpen = false;

  const openBracket = (onsetMs: number, detectedAtMs: number) => {
    if (mode !== 'server') {
      sendBack({ type: 'input.activityStart' });
      bracketOpen = true;
      const frames = ring?.read(Math.max(onsetMs - preRollMs, bracketClosedAt / BYTES_PER_MS)) ?? [];
      if (frames.length > 0) sendBack({ type: 'activity.preRoll', frames });
    }
    sendBack({ type: 'activity.speech', state: 'started', atMs: onsetMs, detectedAtMs });
  };

  const closeBracket = (endMs: number, detectedAtMs: number) => {
    if (mode !== 'server') {
      sendBack({ type: 'input.activityEnd' });
      bracketOpen = false;
      bracketClosedAt = position;
    }
    sendBack({ type: 'activity.speech', state: 'stopped', atMs: endMs, detectedAtMs });
  };

  const onSegment = (event: SpeechSegmentEvent | undefined) => {
    if (!event) return;
    if (event.type === 'speechStart') openBracket(event.atMs, event.detectedAtMs);
    else closeBracket(event.atMs, event.detectedAtMs);
  };

  let stream: DetectorStream | undefined;
  let owned: Promise<VoiceActivityDetector> | undefined;
  if (mode !== 'manual') {
    const source = input.detector ?? defaultDetector;
    let detector: VoiceActivityDetector | Promise<VoiceActivityDetector>;
    if (typeof source === 'function') {
      owned = Promise.resolve().then(source);
      detector = owned;
    } else {
      detector = source;
    }
    stream = createDetectorStream(detector, {
      maxBacklogMs: input.maxBacklogMs,
      onScore: ({ probability, startMs, endMs }: FrameScore) => onSegment(segmenter.push(probability, startMs, endMs)),
      onError: (error) => {
        onSegment(segmenter.finish(position / BYTES_PER_MS));
        sendBack({ type: 'activity.error', error });
      },
    });
  }

  const manual = (signal: 'start' | 'end') => {
    const nowMs = position / BYTES_PER_MS;
    if (signal === 'start' && !bracketOpen) openBracket(nowMs, nowMs);
    else if (signal === 'end' && bracketOpen) closeBracket(nowMs, nowMs);
  };

  // Once the actor is stopped, XState delivers no command, and the closed stream reports nothing.
  receive((command) => {
    if (command.type === 'activity.frame') {
      position += command.pcm.length;
      ring?.write(command.pcm);
      stream?.push(command.pcm);
    } else if (command.type === 'activity.manual' && mode === 'manual') {
      manual(command.signal);
    }
  });

  return () => {
    stream?.close();
    // A detector the actor made is the actor's to free, once it has loaded (if it ever does).
    owned?.then((detector) => detector.dispose()).catch(() => undefined);
  };
};
