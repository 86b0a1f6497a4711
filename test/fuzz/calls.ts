/**
 * The fuzz world's record of one call the server made, and what became of it as the world saw
 * it: on the wire (answered, delivered as conversation content), from the server (cancelled),
 * from the session's events (orphaned, lost), and, cross-checked with the session's own ledger,
 * superseded or discarded.
 */
import type { CallState } from '../../src/machines/ledger/lifecycle.js';
import type { ToolCallLossReason } from '../../src/machines/types.js';
import type { Behaviour } from './tools.js';

/** An invariant broke: the message says which and why. */
export class InvariantError extends Error {}

export function fail(invariant: string, detail: string): never {
  throw new InvariantError(`${invariant}: ${detail}`);
}

/** A call the server made, and what became of it. */
export interface CallRecord {
  id: string;
  behaviour: Behaviour;
  /** What makes its arguments its own; a call made again repeats the `k` of the call it repeats. */
  k: number;
  /** The earlier call whose name and arguments the server made again, if it did. */
  again: CallRecord | undefined;
  /** Which connection (0-based) it came on. */
  connection: number;
  /** Whether it holds the gate there: its function was BLOCKING when the server called it. */
  blocking: boolean;
  /** The session must hear it: at once (its connection is open and set up), or once that connection's setup completes. */
  mustHear: 'now' | 'atSetup' | 'no';
  /** Fake time when the session's machine got it (its tool started then, if it runs one). */
  heardAt: number | undefined;
  /** The session's ledger key of it, once known. */
  key: string | undefined;
  signal: AbortSignal | undefined;
  /** Its tool's promise settled (or it returned at once). */
  toolDone: boolean;
  /** Answers on the wire, on its own connection. */
  answers: number;
  /** Cancelled while the server waited on it: by the server, or by input on a model where input cancels a blocking call. */
  cancelled: 'byServer' | 'byInput' | undefined;
  lost: ToolCallLossReason | undefined;
  /** The session said its connection went before it could be answered there. */
  orphaned: boolean;
  /** Times its outcome reached the conversation as content on a later connection. */
  delivered: number;
  /** Its state in the session's ledger, as last seen (superseded and discarded are known only there). */
  ledgerState: CallState | undefined;
}

/** A new record, before the session has heard the call. */
export function newCall(fields: Pick<CallRecord, 'id' | 'behaviour' | 'k' | 'again' | 'connection' | 'blocking' | 'mustHear'>): CallRecord {
  return {
    ...fields,
    heardAt: undefined,
    key: undefined,
    signal: undefined,
    toolDone: false,
    answers: 0,
    cancelled: undefined,
    lost: undefined,
    orphaned: false,
    delivered: 0,
    ledgerState: undefined,
  };
}

/** How many terminal outcomes a call has had: answers, a cancellation, a loss, a delivery, and (from the session's ledger) superseded or discarded. */
export function outcomes(call: CallRecord): number {
  const ledgerOnly = call.ledgerState === 'superseded' || call.ledgerState === 'discarded' ? 1 : 0;
  return call.answers + (call.cancelled ? 1 : 0) + (call.lost ? 1 : 0) + call.delivered + ledgerOnly;
}
