/**
 * The life of one tool call in the ledger: the states a call goes through, and the only moves
 * between them. Every call ends exactly once, in one terminal state. The ledger's actions move
 * calls only through {@link moveCall}, so a move the lifecycle does not allow cannot happen, and
 * docs/ledger.md draws this table.
 */

/** Where a call is in its life. */
export type CallState =
  /** Its tool runs (or its answer waits for the rest of its batch) on a connection still open. */
  | 'running'
  /** Its answer went out in a toolResponse, on the connection it came on. (Terminal.) */
  | 'answered'
  /** The server cancelled it, or (under `whileBlockingCall: 'interrupt'`) the user's input did. (Terminal.) */
  | 'cancelled'
  /** Its connection is gone before its answer could go out there; its tool runs on, or has its outcome. */
  | 'orphaned'
  /** Its outcome reached the conversation on a later connection, as conversation content. (Terminal.) */
  | 'deliveredAsContext'
  /** Orphaned, and the model made the same call again on a later connection: that call got this one's outcome. (Terminal.) */
  | 'superseded'
  /** Orphaned, and `orphanedResults: 'discard'`: its outcome was dropped. (Terminal.) */
  | 'discarded'
  /** It can never be answered: it came on a connection already gone, or the session closed first. (Terminal.) */
  | 'lost';

/**
 * The moves a call may make, from each state, each with what makes it. The ledger's diagram in
 * docs/ledger.md is drawn from this table.
 */
export const CALL_MOVE_CAUSES: Readonly<Record<CallState, Readonly<Partial<Record<CallState, string>>>>> = {
  running: {
    answered: 'its batch settled, one toolResponse on its connection',
    cancelled: "toolCallCancellation, or input under whileBlockingCall 'interrupt'",
    orphaned: 'its connection lost before the answer went out',
    lost: 'the session closed',
  },
  orphaned: {
    deliveredAsContext: 'outcome sent as a clientContent turn on a streaming connection',
    superseded: 'the model made the same call again, and that call gets the outcome',
    discarded: "its outcome came, and orphanedResults is 'discard'",
    lost: 'the session closed',
  },
  answered: {},
  cancelled: {},
  deliveredAsContext: {},
  superseded: {},
  discarded: {},
  lost: {},
};

/** The moves a call may make, from each state. */
export const CALL_MOVES: Readonly<Record<CallState, readonly CallState[]>> = Object.fromEntries(
  Object.entries(CALL_MOVE_CAUSES).map(([from, causes]) => [from, Object.keys(causes)]),
) as Record<CallState, CallState[]>;

/** How a call is born, in each state it can be born in. */
export const CALL_BIRTH_CAUSES: Readonly<Partial<Record<CallState, string>>> = {
  running: 'toolCall from an open connection',
  lost: 'toolCall from a connection already gone',
  orphaned: 'restored from a session store, left open by a process that is gone',
};

/** The states a call is born in: running, lost (a toolCall from a connection already gone), or orphaned (restored from a store). */
export const CALL_BIRTHS: readonly CallState[] = Object.keys(CALL_BIRTH_CAUSES) as CallState[];

/** The terminal states: a call in one has ended, once. */
export const TERMINAL_STATES: readonly CallState[] = ['answered', 'cancelled', 'deliveredAsContext', 'superseded', 'discarded', 'lost'];

/** Whether a call in `state` has ended. */
export function isTerminal(state: CallState): boolean {
  return CALL_MOVES[state].length === 0;
}

/** The state after a move; the same state if the lifecycle does not allow it (a call never ends twice). */
export function moveCall(from: CallState, to: CallState): CallState {
  return CALL_MOVES[from].includes(to) ? to : from;
}
