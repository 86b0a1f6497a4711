/**
 * The activity actor's side of the chart (the `activity` option): the actor is spawned with the
 * session, its pre-roll is handled as audio input inside the bracket it just opened, its speech
 * events reach the application, and where the session brackets speech the wire's bracket is kept
 * in line with the user's speech when a start or an end was lost between connections (a new one
 * opened mid-utterance, a signal dropped while older input waited in the buffer). Its
 * `input.activityStart` / `input.activityEnd` need nothing here: they are input, and the
 * bracket's transitions (`activity.ts`) take them as they take the application's.
 */
import { countForwarded } from '../counters.js';
import { ACTIVITY_ID, baseSetup, connectionId } from '../setup.js';
import type { RealtimeInput } from '../../protocol/messages.js';
import type { ConnectionCommand, SessionContext } from '../types.js';

/** Whether the session brackets the user's speech itself, and so keeps the wire's bracket with the user's speech. */
function bracketsSpeech(context: SessionContext): boolean {
  return context.settings.activity === 'vad' || context.settings.activity === 'manual';
}

/**
 * Whether buffered input about to be replayed needs a bracket opened before it, the bracket being
 * closed (a new connection, or a start evicted from the buffer): its first activity signal is an
 * end (its audio belongs to an utterance that began before), or it has none while the user is
 * speaking, or (`'vad'`, where audio only reaches the machine while the user speaks) it begins
 * with audio.
 */
export function opensBeforeReplay(context: SessionContext, inputs: readonly RealtimeInput[]): boolean {
  if (!bracketsSpeech(context) || context.activityOpen) return false;
  const detected = context.settings.activity === 'vad';
  const first = inputs.find((input) => input.kind === 'activityStart' || input.kind === 'activityEnd' || (detected && input.kind === 'audio'));
  if (first === undefined) return context.userSpeaking === true;
  return first.kind !== 'activityStart';
}

/**
 * The signal that brings a bracket (open or not, `activityOpen`) in line with the user's speech,
 * if it is not: a start lost between connections (the utterance goes on, on a new one), or an end
 * lost while a start waited in the buffer. None where the application owns the signals.
 */
export function reconcilingSignal(context: SessionContext, activityOpen: boolean): 'activityStart' | 'activityEnd' | undefined {
  if (!bracketsSpeech(context) || activityOpen === (context.userSpeaking === true)) return undefined;
  return activityOpen ? 'activityEnd' : 'activityStart';
}

/** The speech actions, by name. */
export const speechActions = {
  /** Spawns the activity actor, for the life of the session, when the session has one. */
  spawnActivity: baseSetup.enqueueActions(({ context, enqueue }) => {
    const mode = context.settings.activity;
    if (mode !== undefined) enqueue.spawnChild('activity', { id: ACTIVITY_ID, input: { mode } });
  }),

  /**
   * The audio from just before the speech, right after the start it follows: each frame an
   * `input.audio` of its own, handled by the state like all audio (sent, dropped or buffered,
   * and counted: I4), before anything that comes later.
   */
  sendPreRoll: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'activity.preRoll') return;
    enqueue.assign({ counters: { ...context.counters, preRoll: context.counters.preRoll + event.frames.length } });
    for (const data of event.frames) enqueue.raise({ type: 'input.audio', data });
  }),

  /** Speech started or stopped: the application is told, in stream time. */
  trackSpeech: baseSetup.enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'activity.speech') return;
    const started = event.state === 'started';
    enqueue.assign({ userSpeaking: started });
    enqueue.emit({ type: started ? 'speechStarted' : 'speechStopped', atMs: event.atMs, detectedAtMs: event.detectedAtMs });
  }),

  /**
   * Once streaming with nothing buffered (a replay reconciles for itself), the wire's bracket is
   * the user's speech: on a connection opened mid-utterance (or after a start dropped between
   * connections), an activityStart of the session's own, so the rest of the utterance is inside a
   * bracket, which the actor's end closes. Counted as a signal received and forwarded.
   */
  reconcileActivity: baseSetup.enqueueActions(({ context, enqueue }) => {
    const signal = context.counters.buffered > 0 ? undefined : reconcilingSignal(context, context.activityOpen);
    if (!signal) return;
    enqueue.sendTo(connectionId(context.generation), { type: 'send.realtimeInput', input: { kind: signal } } satisfies ConnectionCommand);
    enqueue.assign({ activityOpen: signal === 'activityStart', counters: countForwarded(context.counters, signal) });
  }),
};
