/**
 * What the session machine and its activity actor (`src/actors/activity.ts`) say to each other:
 * the commands the machine sends the actor, and the events the actor sends back. Kept here, in
 * the machine's own folder, so the statechart can name them without importing an actor.
 */
import type { LiveSessionError } from '../protocol/errors.js';

/**
 * Who brackets the user's speech:
 * - `'vad'`: the actor's detector; it sends `input.activityStart` / `input.activityEnd` and the pre-roll;
 * - `'manual'`: the application (push-to-talk), through `activity.manual` commands;
 * - `'server'`: the server's automatic activity detection; the actor's detector only feeds UI events.
 */
export type ActivityMode = 'vad' | 'manual' | 'server';

/**
 * What the chart gives the activity actor it spawns: the mode. The session provides the actor,
 * and with it the detector and the hysteresis (which the pure machine knows nothing of).
 */
export interface ActivityChildInput {
  mode: ActivityMode;
}

/** Commands to the activity actor. */
export type ActivityCommand =
  /** A chunk of the microphone's 16 kHz PCM16, every one, in order, whatever the gate's state. */
  | { type: 'activity.frame'; pcm: Uint8Array }
  /** Push-to-talk pressed (`start`) or released (`end`); only heeded in `'manual'` mode. */
  | { type: 'activity.manual'; signal: 'start' | 'end' };

/** Events the activity actor sends its parent. */
export type ActivityEvent =
  /** Open the activity bracket (`'vad'` and `'manual'` modes). */
  | { type: 'input.activityStart' }
  /**
   * The audio from just before the speech began up to the latest frame, to send right after the
   * activityStart: frames the parent already handled (and did not send) before the bracket opened.
   */
  | { type: 'activity.preRoll'; frames: Uint8Array[] }
  /** Close the activity bracket (`'vad'` and `'manual'` modes). */
  | { type: 'input.activityEnd' }
  /**
   * Speech started or stopped, for UIs, in every mode. `atMs` is where in the stream (ms of audio
   * since the actor started) it started or stopped; `detectedAtMs` is where the actor could tell.
   */
  | { type: 'activity.speech'; state: 'started' | 'stopped'; atMs: number; detectedAtMs: number }
  /** The detector could not be loaded or failed; detection stops (an open bracket is closed first). */
  | { type: 'activity.error'; error: LiveSessionError };
