/**
 * `session.metrics()`: the machine's counters, plus what the session counted outside it (frames
 * the fast lane sent, and input it refused at the front door or after the session closed), with
 * the figures derived from them.
 */
import { initialCounters, total } from '../machines/counters.js';
import type { CallState } from '../machines/ledger/lifecycle.js';
import { DROP_REASONS, type DropReason, type SessionContext, type SessionCounters } from '../machines/types.js';
import { REALTIME_INPUT_KINDS, type RealtimeInputKind } from '../protocol/messages.js';
import type { LaneMeter } from './fastLane.js';
import type { StoreMetrics } from './persistence.js';

/** The session's top-level state. */
export type SessionState = 'idle' | 'streaming' | 'awaitingToolResponse' | 'closed';

/** The session's counters, with the figures derived from them. */
export interface SessionMetrics extends SessionCounters {
  state: SessionState;
  /** Calls the server is waiting on right now. */
  pendingToolCalls: number;
  /** Inputs handed to the session in all. */
  totalReceived: number;
  totalForwarded: number;
  totalDropped: number;
  /**
   * Every tool call by where it is in the ledger: the ended ones over the session's life, the
   * running and orphaned ones now. Each call is in exactly one, so they add up to `toolCalls`.
   */
  calls: Record<CallState, number>;
  /** With a `store`: its writes, their bytes, failures, and the writes made before tool outcomes went out. */
  store?: StoreMetrics;
}

/** The calls by state (see {@link SessionMetrics.calls}). */
function callsByState(context: SessionContext): Record<CallState, number> {
  const { counters } = context;
  let running = 0;
  let orphaned = 0;
  for (const entry of Object.values(context.ledger)) {
    if (entry.state === 'running') running += 1;
    else if (entry.state === 'orphaned') orphaned += 1;
  }
  return {
    running,
    orphaned,
    answered: counters.toolCallsAnswered,
    cancelled: counters.toolCancellations,
    deliveredAsContext: counters.toolCallsDeliveredAsContext,
    superseded: counters.toolCallsSuperseded,
    discarded: counters.toolCallsDiscarded,
    lost: counters.toolCallsLost,
  };
}

/**
 * Input the session dropped without the machine: refused at the front door, after close, or
 * outside an activity bracket; and the pre-roll frames the fast lane sent.
 */
export class OutsideCounts {
  readonly received: Record<RealtimeInputKind, number> = initialCounters().received;
  readonly dropped: Partial<Record<DropReason, number>> = {};
  /** Pre-roll frames the fast lane sent (its meter has them as audio; the machine counts the others). */
  preRoll = 0;

  /** One input of `kind` received and dropped for `reason`. */
  drop(kind: RealtimeInputKind, reason: DropReason): void {
    this.received[kind] += 1;
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }
}

/** The metrics of a session from its machine context and what it counted outside the machine. */
export function sessionMetrics(context: SessionContext, state: SessionState, lane: LaneMeter, outside: OutsideCounts): SessionMetrics {
  const { counters } = context;
  const received = { ...counters.received };
  const forwarded = { ...counters.forwarded };
  const dropped = { ...counters.dropped };
  for (const kind of REALTIME_INPUT_KINDS) {
    received[kind] += outside.received[kind] + lane.forwarded[kind] + lane.sendFailed[kind];
    forwarded[kind] += lane.forwarded[kind];
    dropped.sendFailed += lane.sendFailed[kind];
  }
  for (const reason of DROP_REASONS) dropped[reason] += outside.dropped[reason] ?? 0;
  const gatedNow = context.gatedSince === undefined ? 0 : context.clock.now() - context.gatedSince;
  return {
    ...counters,
    preRoll: counters.preRoll + outside.preRoll,
    received,
    forwarded,
    dropped,
    gatedMs: counters.gatedMs + gatedNow,
    state,
    pendingToolCalls: Object.keys(context.pending).length,
    totalReceived: total(received),
    totalForwarded: total(forwarded),
    totalDropped: total(dropped),
    calls: callsByState(context),
  };
}
