/**
 * The machine's delays: how long it waits before a reconnect attempt, and how long a connection
 * must stream before its failed attempts are forgiven.
 */
import type { SessionContext, SessionSettings } from './types.js';

/** Full-jitter backoff for a reconnect attempt (0-based). */
export function backoffDelay(settings: SessionSettings, attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt));
}

/**
 * When to leave a connection a goAway announced the end of, at the latest: `timeLeft` less a
 * margin (2 s, or half of it when less is left) to open the next one.
 */
export function goAwayDueIn(timeLeftMs: number): number {
  return Math.max(0, timeLeftMs - Math.min(2_000, timeLeftMs / 2));
}

/** The session machine's delays, by name. */
export const delays = {
  /** Before a reconnect attempt: full jitter, growing with the attempts made. */
  reconnectBackoff: ({ context }: { context: SessionContext }) => backoffDelay(context.settings, context.reconnectAttempts),
  /** How long a connection must stream before its reconnect attempts are forgiven. */
  connectionStable: ({ context }: { context: SessionContext }) => context.settings.stableAfterMs,
};
