/**
 * Tool calls: taken into the pending set (the gate) and the ledger, answered once their whole
 * toolCall has settled, each on the connection it came on, cancelled when the server (or, under
 * 'interrupt', the user) withdraws them. A call the model makes again after a reconnect gets the
 * first run's outcome instead of running twice. (I2: exactly one answer, or none for a cancelled
 * call, and never one for a connection that is gone: see `ledger.ts` for what becomes of those.)
 */
import { assertEvent } from 'xstate';
import { ProtocolError, ToolCallLostError } from '../../protocol/errors.js';
import type { FunctionCall, FunctionResponse } from '../../protocol/messages.js';
import { callOutcomeText, moved, patched, repeatedCall, type LedgerEntry } from '../ledger/entries.js';
import { baseSetup, connectionId, toolExecutorId } from '../setup.js';
import type { ConnectionCommand, PendingCall, SessionContext, SessionCounters, ToolExecutorCommand, ToolExecutorInput } from '../types.js';
import { callKey, toFunctionResponse } from '../wire.js';
import { noted } from './transcript.js';

/** Whether a call of this tool closes the gate: NON_BLOCKING ones do not, unless configured to. */
function blocks(context: SessionContext, name: string): boolean {
  return context.settings.gateNonBlocking || !context.settings.nonBlockingTools.includes(name);
}

/** The wire call of a pending one (or of a ledger entry). */
export function callOf(call: { id?: string | undefined; name: string; args: unknown }): FunctionCall {
  return call.id === undefined ? { name: call.name, args: call.args } : { id: call.id, name: call.name, args: call.args };
}

/** The counters after `count` calls were lost for good. */
export function countLost(counters: SessionCounters, count: number): SessionCounters {
  return { ...counters, toolCallsLost: counters.toolCallsLost + count };
}

/**
 * The pending set without `calls`, and how their tools stop: a batch with other calls still
 * pending is told to cancel these; a batch with none left is stopped (which aborts them).
 */
function withdraw(pending: Record<string, PendingCall>, calls: readonly PendingCall[]) {
  const left = { ...pending };
  const keysByBatch = new Map<number, string[]>();
  for (const call of calls) {
    keysByBatch.set(call.batch, [...(keysByBatch.get(call.batch) ?? []), call.key]);
    delete left[call.key];
  }
  const remaining = new Set(Object.values(left).map((call) => call.batch));
  const cancelIn = [...keysByBatch].filter(([batch]) => remaining.has(batch));
  const stop = [...keysByBatch.keys()].filter((batch) => !remaining.has(batch));
  return { pending: left, cancelIn, stop };
}

/** What an `enqueueActions` action of the session may enqueue. */
type Enqueue = Parameters<Parameters<typeof baseSetup.enqueueActions>[0]>[0]['enqueue'];

/**
 * Cancels `calls`: their tools are aborted (their executor is told, or stopped when nothing else
 * of its batch is pending), and the context they leave: the pending set without them, each
 * cancelled in the ledger, and counted.
 */
function cancelPending(context: SessionContext, calls: readonly PendingCall[], enqueue: Enqueue) {
  const { pending, cancelIn, stop } = withdraw(context.pending, calls);
  for (const [batch, keys] of cancelIn) enqueue.sendTo(toolExecutorId(batch), { type: 'cancel', keys } satisfies ToolExecutorCommand);
  for (const batch of stop) enqueue.stopChild(toolExecutorId(batch));
  return {
    pending,
    ledger: moved(context.ledger, calls.map((call) => call.key), 'cancelled', context.clock.now()),
    counters: { ...context.counters, toolCancellations: context.counters.toolCancellations + calls.length },
  };
}

/** The earlier call `call` repeats after a reconnect, if the session takes it for the same one. */
function earlierRun(context: SessionContext, call: FunctionCall, generation: number, now: number): LedgerEntry | undefined {
  const { reconnectedAt, settings } = context;
  if (reconnectedAt === undefined || now - reconnectedAt > settings.dedupeWindowMs) return undefined;
  if (settings.noDedupeTools.includes(call.name)) return undefined;
  const earlier = repeatedCall(context.ledger, call, generation, now - settings.dedupeWindowMs);
  // Only a call whose connection is gone (or that has ended) stands in: one still running on an
  // open connection may yet be cancelled there.
  return earlier && (earlier.state !== 'running' || !context.openConnections.includes(earlier.generation)) ? earlier : undefined;
}

/** The tool-call actions, by name. */
export const toolActions = {
  /**
   * Takes a toolCall's calls into the pending set (merging with any already there) and the ledger,
   * each with the connection it came on. A batch is answered in one toolResponse; each
   * NON_BLOCKING call is a batch of its own. A call that repeats an earlier one after a reconnect
   * runs nothing: it gets that call's outcome, now or when it comes.
   */
  acceptToolCall: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'server.toolCall');
    const { generation } = event;
    const now = context.clock.now();
    const sharedBatch = context.batch + 1;
    let lastBatch = sharedBatch;
    let seq = context.callSeq;
    const pending = { ...context.pending };
    let ledger = { ...context.ledger };
    const executors = new Map<number, ToolExecutorInput['calls']>();
    const duplicates: ProtocolError[] = [];
    let accepted = 0;
    let superseded = 0;
    event.calls.forEach((call, index) => {
      const blocking = blocks(context, call.name);
      const callBatch = blocking ? sharedBatch : ++lastBatch;
      let key = callKey(call, callBatch, index);
      // An id pending on this connection already (whatever its key): a repeat, not a call of its own.
      if (call.id !== undefined && Object.values(pending).some((other) => other.id === call.id && other.generation === generation)) {
        duplicates.push(new ProtocolError('DUPLICATE_CALL_ID', `call id ${key} is already pending`, call));
        return;
      }
      // A key taken by another connection's call, or by one settled before: a key of its own.
      const base = key;
      for (let n = 1; pending[key] || ledger[key]; n += 1) key = n === 1 ? `${base}@${generation}` : `${base}@${generation}#${n}`;
      accepted += 1;
      const earlier = earlierRun(context, call, generation, now);
      const idempotencyKey = earlier?.idempotencyKey ?? `${context.settings.sessionId}:${++seq}`;
      const scheduling = blocking ? undefined : ('WHEN_IDLE' as const);
      const answer = earlier?.outcome ? toFunctionResponse({ call, outcome: earlier.outcome, scheduling }) : undefined;
      pending[key] = { key, id: call.id, name: call.name, args: call.args, generation, batch: callBatch, blocking, answer, sameAs: earlier?.key };
      ledger[key] = {
        key,
        id: call.id,
        name: call.name,
        args: call.args,
        generation,
        state: 'running',
        idempotencyKey,
        startedAt: now,
        sameAs: earlier?.key,
        outcome: earlier?.outcome,
      };
      if (earlier?.state === 'orphaned' && earlier.outcome) {
        // Its outcome goes to this call, as a toolResponse: never as conversation content too.
        ledger = moved(ledger, [earlier.key], 'superseded', now);
        superseded += 1;
      }
      if (!earlier) executors.set(callBatch, [...(executors.get(callBatch) ?? []), { key, call, idempotencyKey }]);
    });
    enqueue.assign({
      batch: lastBatch,
      callSeq: seq,
      pending,
      ledger,
      counters: {
        ...context.counters,
        toolCalls: context.counters.toolCalls + accepted,
        toolCallsSuperseded: context.counters.toolCallsSuperseded + superseded,
        errors: context.counters.errors + duplicates.length,
      },
    });
    for (const error of duplicates) enqueue.emit({ type: 'error', error });
    enqueue.emit({ type: 'toolCall', calls: event.calls });
    for (const [callBatch, calls] of executors) {
      enqueue.spawnChild('toolExecutor', { id: toolExecutorId(callBatch), input: { generation, batch: callBatch, calls } });
    }
  }),

  /** A toolCall from a connection already gone: nobody can answer it there, so say so. */
  reportLostToolCall: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'server.toolCall');
    const count = event.calls.length;
    enqueue.assign({
      counters: {
        ...countLost(context.counters, count),
        toolCalls: context.counters.toolCalls + count,
        errors: context.counters.errors + 1,
      },
    });
    enqueue.emit({ type: 'toolCallsLost', calls: event.calls, generation: event.generation, reason: 'connectionGone' });
    enqueue.emit({ type: 'error', error: new ToolCallLostError(event.generation, event.calls.map((call) => call.name)) });
  }),

  /**
   * Stores a tool's answer; it is sent once its whole batch has settled. Calls that repeat this one
   * after a reconnect get the same answer.
   */
  recordAnswer: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'tool.result');
    const pendingCall = context.pending[event.key];
    if (!pendingCall) return;
    const failed = event.outcome.status === 'error';
    const pending = { ...context.pending, [event.key]: { ...pendingCall, answer: toFunctionResponse(event) } };
    let ledger = context.ledger;
    for (const repeat of Object.values(pending)) {
      if (repeat.sameAs !== event.key || repeat.answer !== undefined) continue;
      const scheduling = repeat.blocking ? undefined : (event.scheduling ?? 'WHEN_IDLE');
      pending[repeat.key] = { ...repeat, answer: toFunctionResponse({ call: callOf(repeat), outcome: event.outcome, scheduling }) };
      ledger = patched(ledger, [repeat.key], { outcome: event.outcome });
    }
    enqueue.assign({
      pending,
      ledger: patched(ledger, [event.key], { outcome: event.outcome }),
      counters: {
        ...context.counters,
        toolResults: context.counters.toolResults + 1,
        toolErrors: context.counters.toolErrors + (failed ? 1 : 0),
      },
    });
    enqueue.emit({ type: 'toolResult', call: event.call, outcome: event.outcome });
  }),

  /** A result nobody waits for any more (a cancelled call's): never sent. */
  discardToolResult: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'tool.result');
    enqueue.assign({
      counters: { ...context.counters, toolResultsDiscarded: context.counters.toolResultsDiscarded + 1 },
    });
    enqueue.emit({ type: 'toolResultDiscarded', call: event.call, outcome: event.outcome });
  }),

  /** An executor whose calls have all settled is stopped, unless its batch is still waited on. */
  stopIdleExecutor: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'tool.executorIdle');
    if (Object.values(context.pending).some((call) => call.batch === event.batch)) return;
    enqueue.stopChild(toolExecutorId(event.batch));
  }),

  /** Sends one toolResponse, on its connection, for every batch whose calls have all settled. */
  answerSettledBatches: baseSetup.enqueueActions(({ context, enqueue }) => {
    const byBatch = new Map<number, PendingCall[]>();
    for (const call of Object.values(context.pending)) {
      byBatch.set(call.batch, [...(byBatch.get(call.batch) ?? []), call]);
    }
    const pending = { ...context.pending };
    let ledger = context.ledger;
    const now = context.clock.now();
    let sent = 0;
    let answered = 0;
    let answeredHere = false;
    let transcript = context.transcript;
    for (const [batch, calls] of byBatch) {
      const answers = calls.map((call) => call.answer).filter((answer): answer is FunctionResponse => answer !== undefined);
      if (answers.length < calls.length) continue;
      // Every call of a batch came in one toolCall, on one connection.
      const generation = calls[0]?.generation ?? context.generation;
      enqueue.sendTo(connectionId(generation), { type: 'send.toolResponse', responses: answers } satisfies ConnectionCommand);
      enqueue.stopChild(toolExecutorId(batch));
      for (const call of calls) {
        delete pending[call.key];
        const entry = context.ledger[call.key];
        if (!entry?.outcome) continue;
        enqueue.emit({ type: 'toolResultDelivered', call: callOf(call), outcome: entry.outcome, via: 'toolResponse' });
        // A fresh session seeded with the transcript learns what the tools did, too.
        transcript = noted(transcript, callOutcomeText(entry));
      }
      ledger = moved(ledger, calls.map((call) => call.key), 'answered', now);
      sent += 1;
      answered += calls.length;
      answeredHere ||= generation === context.generation;
    }
    if (sent === 0) return;
    enqueue.assign({
      pending,
      ledger,
      transcript,
      // A handle issued before this answer would resume a session that never saw it.
      handleIsFresh: answeredHere ? false : context.handleIsFresh,
      counters: {
        ...context.counters,
        toolResponsesSent: context.counters.toolResponsesSent + sent,
        toolCallsAnswered: context.counters.toolCallsAnswered + answered,
      },
    });
  }),

  /** Forgets the calls the server cancelled (no response will ever be sent) and aborts their tools. */
  cancelCalls: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'server.toolCallCancellation');
    // An id the server lists twice is cancelled once; only calls made on that connection count.
    const cancelled = Object.values(context.pending).filter(
      (call) => call.generation === event.generation && call.id !== undefined && event.ids.includes(call.id),
    );
    if (cancelled.length === 0) return;
    enqueue.assign(cancelPending(context, cancelled, enqueue));
    enqueue.emit({ type: 'toolCancelled', ids: cancelled.flatMap((call) => (call.id === undefined ? [] : [call.id])) });
  }),

  /**
   * `whileBlockingCall: 'interrupt'`: the user's input cancels the pending blocking calls, as a 3.8
   * server does on its side (with or without a `toolCallCancellation`). Their tools are aborted, and
   * no answer is ever sent for them; one that comes later from the server changes nothing. The
   * input opens a turn the model will answer: no turn boundary until it has (so the session does
   * not leave, after a goAway, before the input has gone out).
   */
  cancelBlockingCallsImplicitly: baseSetup.enqueueActions(({ context, enqueue }) => {
    const cancelled = Object.values(context.pending).filter((call) => call.blocking);
    if (cancelled.length === 0) return;
    enqueue.assign({ ...cancelPending(context, cancelled, enqueue), modelIdle: false });
    enqueue.emit({ type: 'toolCancelled', ids: cancelled.map((call) => call.id ?? call.key), implicit: true });
  }),
};
