/**
 * The machine's counters (I4) and the pure functions that move them: every input is received
 * once and then forwarded, dropped, buffered or deferred.
 */
import { REALTIME_INPUT_KINDS, type RealtimeInputKind } from '../protocol/messages.js';
import { DROP_REASONS, type DropReason, type SessionCounters } from './types.js';

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Counters with every figure at zero. */
export function initialCounters(): SessionCounters {
  return {
    received: zeroes(REALTIME_INPUT_KINDS),
    forwarded: zeroes(REALTIME_INPUT_KINDS),
    dropped: zeroes(DROP_REASONS),
    deferred: 0,
    buffered: 0,
    replayed: 0,
    preRoll: 0,
    toolCalls: 0,
    toolCallsAnswered: 0,
    toolCallsLost: 0,
    toolCallsOrphaned: 0,
    toolCallsDeliveredAsContext: 0,
    toolCallsSuperseded: 0,
    toolCallsDiscarded: 0,
    toolResults: 0,
    toolErrors: 0,
    toolCancellations: 0,
    toolResponsesSent: 0,
    toolResultsDiscarded: 0,
    reconnects: 0,
    errors: 0,
    gatedMs: 0,
    contentSent: 0,
    contentDropped: 0,
  };
}

/** The counters after one input of `kind` was received and forwarded. */
export function countForwarded(c: SessionCounters, kind: RealtimeInputKind): SessionCounters {
  return {
    ...c,
    received: { ...c.received, [kind]: c.received[kind] + 1 },
    forwarded: { ...c.forwarded, [kind]: c.forwarded[kind] + 1 },
  };
}

/** The counters after one input of `kind` was received and dropped. */
export function countDropped(c: SessionCounters, kind: RealtimeInputKind, reason: DropReason): SessionCounters {
  return {
    ...c,
    received: { ...c.received, [kind]: c.received[kind] + 1 },
    dropped: { ...c.dropped, [reason]: c.dropped[reason] + 1 },
  };
}

/** The counters after an activity signal was received and held back until the gate reopens. */
export function countDeferred(c: SessionCounters, kind: RealtimeInputKind): SessionCounters {
  return { ...c, received: { ...c.received, [kind]: c.received[kind] + 1 }, deferred: c.deferred + 1 };
}

/** The counters after a held-back activity signal finally went out. */
export function countDeferredSent(c: SessionCounters, kind: RealtimeInputKind): SessionCounters {
  return { ...c, forwarded: { ...c.forwarded, [kind]: c.forwarded[kind] + 1 }, deferred: c.deferred - 1 };
}

/** The counters after `count` held-back activity signals were given up, for `reason`. */
export function countDeferredLost(c: SessionCounters, count: number, reason: DropReason): SessionCounters {
  return { ...c, dropped: { ...c.dropped, [reason]: c.dropped[reason] + count }, deferred: c.deferred - count };
}

/** Sum of a counter record. */
export function total(record: Record<string, number>): number {
  let sum = 0;
  for (const value of Object.values(record)) sum += value;
  return sum;
}

/** The counters after one input of `kind` was received and put in the buffer. */
export function countBuffered(c: SessionCounters, kind: RealtimeInputKind): SessionCounters {
  return { ...c, received: { ...c.received, [kind]: c.received[kind] + 1 }, buffered: c.buffered + 1 };
}

/** The counters after buffered inputs were evicted (or given up when the session closed). */
export function countBufferLost(c: SessionCounters, count: number, reason: DropReason): SessionCounters {
  return { ...c, buffered: c.buffered - count, dropped: { ...c.dropped, [reason]: c.dropped[reason] + count } };
}

/**
 * The counters after a buffered input was replayed: forwarded, or (when the activity bracket
 * refused it on the new connection) dropped with that reason.
 */
export function countReplayed(c: SessionCounters, kind: RealtimeInputKind, dropReason?: DropReason): SessionCounters {
  const settled = { ...c, buffered: c.buffered - 1, replayed: c.replayed + 1 };
  return dropReason
    ? { ...settled, dropped: { ...c.dropped, [dropReason]: c.dropped[dropReason] + 1 } }
    : { ...settled, forwarded: { ...c.forwarded, [kind]: c.forwarded[kind] + 1 } };
}
