/**
 * A session carried on from another process (a session store's record), and a session taken
 * over by another process. Restoring happens once, before the first connection: the handle to
 * resume with (or, when it is too old, a fresh session seeded with the transcript), the
 * conversation so far, and the tool-call ledger, whose open calls become this session's orphans.
 */
import type { LedgerEntry } from '../ledger/entries.js';
import { isTerminal } from '../ledger/lifecycle.js';
import { baseSetup, toolExecutorId } from '../setup.js';
import type { ToolExecutorInput } from '../types.js';
import { callOf } from './tools.js';

/**
 * The connection generation restored calls belong to: none of this process's (its first is 1), so
 * no toolResponse is ever sent for them, and a call the model makes again after the resume is
 * taken for the same one (see `repeatedCall`).
 */
export const RESTORED_GENERATION = 0;

/** A restored entry: open calls of the process that left it are orphans here. */
function restoredEntry(entry: LedgerEntry): LedgerEntry {
  const state = isTerminal(entry.state) ? entry.state : 'orphaned';
  return { ...entry, generation: RESTORED_GENERATION, state };
}

/** The restore actions, by name. */
export const restoreActions = {
  /**
   * Puts back what another process left. Its open calls are orphaned here: those with an outcome
   * reach the conversation on the first connection; those without run again, in a tool executor
   * of their own, with the idempotency key they had, so that a tool can tell it already did the
   * work. Ended calls are kept for the dedupe window, which starts now: a call the model repeats
   * after the resume gets the first run's outcome.
   */
  restoreSession: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'session.restore') return;
    const ledger = { ...context.ledger };
    const rerun: ToolExecutorInput['calls'] = [];
    const undelivered: LedgerEntry[] = [];
    let open = 0;
    for (const stored of event.ledger) {
      const entry = restoredEntry(stored);
      ledger[entry.key] = entry;
      if (entry.state !== 'orphaned') continue;
      open += 1;
      if (entry.outcome !== undefined) undelivered.push(entry);
      // A call repeated on the lost process shares its first run's key: one run does for both.
      else if (!rerun.some((other) => other.idempotencyKey === entry.idempotencyKey)) {
        rerun.push({ key: entry.key, call: callOf(entry), idempotencyKey: entry.idempotencyKey });
      }
    }
    const batch = rerun.length > 0 ? context.batch + 1 : context.batch;
    enqueue.assign({
      resumptionHandle: context.settings.resumption ? event.resumptionHandle : undefined,
      restartReason: event.freshReason,
      transcript: event.transcript,
      ledger,
      batch,
      callSeq: Math.max(context.callSeq, event.callSeq),
      reconnectedAt: event.ledger.length > 0 ? context.clock.now() : context.reconnectedAt,
      counters: {
        ...context.counters,
        toolCalls: context.counters.toolCalls + open,
        toolCallsOrphaned: context.counters.toolCallsOrphaned + open,
      },
    });
    if (rerun.length > 0) {
      enqueue.spawnChild('toolExecutor', { id: toolExecutorId(batch), input: { generation: RESTORED_GENERATION, batch, calls: rerun } });
    }
    enqueue.emit({
      type: 'sessionRestored',
      resuming: context.settings.resumption && event.resumptionHandle !== undefined,
      rerun: rerun.map(({ call }) => call),
      undelivered: undelivered.map(callOf),
    });
  }),

  /** Another process took the session over: say so, and close with its error (nothing more is sent). */
  recordTakeover: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'session.takenOver') return;
    enqueue.assign({
      closedBy: { by: 'takenOver', error: event.error },
      counters: { ...context.counters, errors: context.counters.errors + 1 },
    });
    enqueue.emit({ type: 'error', error: event.error });
  }),
};
