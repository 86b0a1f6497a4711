/**
 * What becomes of calls whose connection is gone (I2 across reconnects). They are orphaned: their
 * tools run on, and their outcome, whenever it comes, reaches the conversation on the next
 * connection as conversation content (never as a toolResponse for an id that connection did not
 * issue), or goes to the same call made again there. A session that closes loses what it still
 * holds. The ledger keeps every call's record, bounded.
 */
import { assertEvent } from 'xstate';
import { callOutcomeText, moved, outcomeText, patched, pruned } from '../ledger/entries.js';
import { hasBlockingPending } from '../guards.js';
import { baseSetup, connectionId } from '../setup.js';
import type { ConnectionCommand, PendingCall } from '../types.js';
import { toFunctionResponse } from '../wire.js';
import { callOf, countLost } from './tools.js';
import { noted } from './transcript.js';

/** Most ledger entries kept (ended ones beyond it go first). */
const MAX_LEDGER = 500;

/** The ledger actions, by name. */
export const ledgerActions = {
  /**
   * A connection ended (the event's generation): it is closed, and the calls made on it, which can
   * never be answered there, are orphaned. Their tools run on.
   */
  loseConnection: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'transport.closed');
    const { generation } = event;
    const kept: Record<string, PendingCall> = {};
    const orphans: PendingCall[] = [];
    for (const call of Object.values(context.pending)) {
      if (call.generation === generation) orphans.push(call);
      else kept[call.key] = call;
    }
    enqueue.stopChild(connectionId(generation));
    enqueue.assign({
      openConnections: context.openConnections.filter((open) => open !== generation),
      pending: kept,
      ledger: moved(context.ledger, orphans.map((call) => call.key), 'orphaned', context.clock.now()),
      lastClose: 'closeCode' in event.error && typeof event.error.closeCode === 'number' ? { code: event.error.closeCode, reason: event.error.reason } : context.lastClose,
      counters: { ...context.counters, toolCallsOrphaned: context.counters.toolCallsOrphaned + orphans.length },
    });
    if (orphans.length > 0) enqueue.emit({ type: 'toolCallsOrphaned', calls: orphans.map(callOf), generation });
  }),

  /**
   * Leaving the current connection for a new one after a goAway, on a model where the old socket
   * closes before the new setup goes out: it is closed now, and calls still pending on it are
   * orphaned like those of a lost connection.
   */
  leaveCurrentConnection: baseSetup.enqueueActions(({ context, enqueue }) => {
    const { generation } = context;
    if (!context.settings.closeBeforeResume || !context.openConnections.includes(generation)) return;
    const orphans = Object.values(context.pending).filter((call) => call.generation === generation);
    enqueue.stopChild(connectionId(generation));
    enqueue.assign({
      openConnections: context.openConnections.filter((open) => open !== generation),
      pending: Object.fromEntries(Object.entries(context.pending).filter(([, call]) => call.generation !== generation)),
      ledger: moved(context.ledger, orphans.map((call) => call.key), 'orphaned', context.clock.now()),
      counters: { ...context.counters, toolCallsOrphaned: context.counters.toolCallsOrphaned + orphans.length },
    });
    if (orphans.length > 0) enqueue.emit({ type: 'toolCallsOrphaned', calls: orphans.map(callOf), generation });
  }),

  /**
   * An orphaned call's tool settled. A call made again for it gets the outcome (the orphan is
   * superseded); otherwise, under `orphanedResults: 'discard'`, it is dropped, and under
   * `'asContext'` it waits for a connection to reach the conversation.
   */
  settleOrphan: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'tool.result');
    const now = context.clock.now();
    let ledger = patched(context.ledger, [event.key], { outcome: event.outcome });
    const pending = { ...context.pending };
    const repeats = Object.values(pending).filter((call) => call.sameAs === event.key && call.answer === undefined);
    for (const repeat of repeats) {
      const scheduling = repeat.blocking ? undefined : (event.scheduling ?? 'WHEN_IDLE');
      pending[repeat.key] = { ...repeat, answer: toFunctionResponse({ call: callOf(repeat), outcome: event.outcome, scheduling }) };
      ledger = patched(ledger, [repeat.key], { outcome: event.outcome });
    }
    const counters = { ...context.counters, toolResults: context.counters.toolResults + 1 };
    if (repeats.length > 0 || context.settings.orphanedResults === 'asContext') {
      enqueue.emit({ type: 'toolResult', call: event.call, outcome: event.outcome });
    }
    if (repeats.length > 0) {
      enqueue.assign({ pending, ledger: moved(ledger, [event.key], 'superseded', now), counters: { ...counters, toolCallsSuperseded: counters.toolCallsSuperseded + 1 } });
      return;
    }
    if (context.settings.orphanedResults === 'discard') {
      enqueue.assign({ ledger: moved(ledger, [event.key], 'discarded', now), counters: { ...counters, toolCallsDiscarded: counters.toolCallsDiscarded + 1 } });
      enqueue.emit({ type: 'toolResultDiscarded', call: event.call, outcome: event.outcome });
      return;
    }
    enqueue.assign({ ledger, counters });
  }),

  /**
   * On a connection that streams: every orphaned call with an outcome reaches the conversation, as
   * one user turn each (`clientContent`), and is done.
   */
  deliverOrphanedResults: baseSetup.enqueueActions(({ context, enqueue }) => {
    const ready = Object.values(context.ledger).filter((entry) => entry.state === 'orphaned' && entry.outcome !== undefined);
    // Not while a blocking call is pending (the gate closes again at once): when it reopens.
    if (ready.length === 0 || context.settings.orphanedResults === 'discard' || hasBlockingPending(context)) return;
    enqueue.sendTo(connectionId(context.generation), {
      type: 'send.clientContent',
      turns: ready.map((entry) => ({ role: 'user', parts: [{ text: outcomeText(entry) }] })),
      turnComplete: true,
    } satisfies ConnectionCommand);
    for (const entry of ready) {
      if (entry.outcome) enqueue.emit({ type: 'toolResultDelivered', call: callOf(entry), outcome: entry.outcome, via: 'context' });
    }
    enqueue.assign({
      handleIsFresh: false,
      ledger: moved(context.ledger, ready.map((entry) => entry.key), 'deliveredAsContext', context.clock.now()),
      transcript: ready.reduce((transcript, entry) => noted(transcript, callOutcomeText(entry)), context.transcript),
      counters: {
        ...context.counters,
        contentSent: context.counters.contentSent + 1,
        toolCallsDeliveredAsContext: context.counters.toolCallsDeliveredAsContext + ready.length,
      },
    });
  }),

  /** The session closes: calls still running or orphaned can never be answered (their tools are aborted). */
  loseRemainingCalls: baseSetup.enqueueActions(({ context, enqueue }) => {
    const open = Object.values(context.ledger).filter((entry) => entry.state === 'running' || entry.state === 'orphaned');
    if (open.length === 0) return;
    const byGeneration = new Map<number, typeof open>();
    for (const entry of open) byGeneration.set(entry.generation, [...(byGeneration.get(entry.generation) ?? []), entry]);
    for (const [generation, lost] of byGeneration) {
      enqueue.emit({ type: 'toolCallsLost', calls: lost.map(callOf), generation, reason: 'sessionClosed' });
    }
    enqueue.assign({
      pending: {},
      ledger: moved(context.ledger, open.map((entry) => entry.key), 'lost', context.clock.now()),
      counters: countLost(context.counters, open.length),
    });
  }),

  /** Ended calls are kept for the dedupe window, and the ledger for at most {@link MAX_LEDGER}. */
  pruneLedger: baseSetup.assign(({ context }) => {
    const ledger = pruned(context.ledger, context.clock.now(), context.settings.dedupeWindowMs, MAX_LEDGER);
    return ledger === context.ledger ? {} : { ledger };
  }),
};
