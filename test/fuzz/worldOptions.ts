/**
 * What a fuzz world is made of: the options a case draws, the session's fixed settings (fake
 * milliseconds), and what the cases of a suite reached, which the suites check at the end.
 */
import type { Scheduler } from 'fast-check';
import type { InputPolicy } from '../../src/machines/types.js';
import type { ProfileName } from './profiles.js';

/** A realtime input the application can send. */
export const INPUT_KINDS = ['audio', 'video', 'text', 'activityStart', 'activityEnd', 'audioStreamEnd'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** Emitted event types a throwing application listener may be subscribed to. */
export const LISTENED = ['gate', 'toolCall', 'toolResult', 'inputDropped', 'audio', 'goAway', 'closed', 'toolCallsOrphaned', 'sessionRestarted'] as const;

/** What a re-entrant application listener does from inside the session's event. */
export const REENTRANT_ACTS = ['audio', 'activityStart', 'activityEnd', 'content', 'close'] as const;

/**
 * The events a re-entrant listener may act on. Not `inputDropped`: an input sent from the drop
 * of an input is dropped again, forever (the application's loop, not the session's).
 */
export const REENTRANT_ON = ['gate', 'toolCall', 'toolResult', 'audio', 'goAway', 'closed', 'reconnected'] as const;

export interface WorldOptions {
  scheduler: Scheduler;
  /** The session's `toolTimeoutMs` (fake milliseconds). */
  toolTimeoutMs: number;
  /** The model the session and the server play (default: 2.5's rules). */
  profile?: ProfileName | undefined;
  /** The `work` tool's behaviour, stated in its declaration; the profile's default without. */
  workBehavior?: 'BLOCKING' | 'NON_BLOCKING' | undefined;
  /** What becomes of an orphaned call's outcome (default: it reaches the conversation). */
  orphanedResults?: 'asContext' | 'discard' | undefined;
  /** An application listener on this event type throws every time. */
  throwingListener?: (typeof LISTENED)[number] | undefined;
  /** An application listener that calls the session back from inside one of its events. */
  reentrant?: { on: (typeof REENTRANT_ON)[number]; act: (typeof REENTRANT_ACTS)[number] } | undefined;
  /** The session's `inputWhileGated` policy (default: drop). */
  inputWhileGated?: InputPolicy | undefined;
  /**
   * `inspectFrames`: every frame is a machine event (the fast lane stays shut). Otherwise frames
   * handed over at rest while streaming take the lane, and never become events.
   */
  everyFrame?: boolean | undefined;
}

/**
 * The session's reconnect settings (fake milliseconds): two attempts in a row, a backoff and a
 * stable time the clock commands reach. `Math.random` is pinned while a case runs, so the
 * backoff's jitter is the same on every replay.
 */
export const RECONNECT = { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, stableAfterMs: 1_500 } as const;

/** The session's `connectTimeoutMs` (fake milliseconds): short enough for the clock to reach. */
export const CONNECT_TIMEOUT_MS = 2_000;

/** How long a resumed connection that dies again is a loop, and how long a call made again is the same one (fake ms). */
export const RESUME_LOOP_WINDOW_MS = 3_000;
export const DEDUPE_WINDOW_MS = 5_000;

/**
 * Where the session was when its machine got a toolCall, and from which connection (`current`,
 * or `old`: one it has left), across the cases of a suite: `state on connection`.
 */
export const toolCallsHeard = new Set<string>();

/** What the cases of a suite reached of the ledger: every state a call was seen in. */
export const ledgerStatesSeen = new Set<string>();
