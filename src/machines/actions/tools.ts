/**
 * Tool calls: taken into the pending set (the gate), answered once their whole toolCall has
 * settled, each on the connection it came on, cancelled when the server withdraws them, and
 * reported as lost when their connection goes (I2: exactly one answer, or none for a cancelled
 * call, and never one for a connection that is gone).
 */
import { ProtocolError, ToolCallLostError } from '../../protocol/errors.js';
import type { FunctionCall, FunctionResponse } from '../../protocol/messages.js';
import { baseSetup, connectionId, toolExecutorId } from '../setup.js';
import type {
  ConnectionCommand,
  PendingCall,
  SessionContext,
  SessionCounters,
  ToolCallLossReason,
  ToolExecutorCommand,
  ToolExecutorInput,
} from '../types.js';
import { callKey, toFunctionResponse } from '../wire.js';

/** Whether a call of this tool closes the gate: NON_BLOCKING ones do not, unless configured to. */
function blocks(context: SessionContext, name: string): boolean {
  return context.settings.gateNonBlocking || !context.settings.nonBlockingTools.includes(name);
}

/** The wire call of a pending one. */
export function callOf(call: PendingCall): FunctionCall {
  return call.id === undefined ? { name: call.name, args: call.args } : { id: call.id, name: call.name, args: call.args };
}

/** The pending set without the calls of `generation`, and the calls taken out. */
export function withoutCallsOf(pending: Record<string, PendingCall>, generation: number) {
  const kept: Record<string, PendingCall> = {};
  const lost: PendingCall[] = [];
  for (const call of Object.values(pending)) {
    if (call.generation === generation) lost.push(call);
    else kept[call.key] = call;
  }
  return { kept, lost };
}

/** The counters after `count` calls were lost with their connection. */
export function countLost(counters: SessionCounters, count: number): SessionCounters {
  return { ...counters, toolCallsLost: counters.toolCallsLost + count };
}

/** The event that reports lost calls. */
export function lostEvent(calls: readonly PendingCall[], generation: number, reason: ToolCallLossReason) {
  return { type: 'toolCallsLost' as const, calls: calls.map(callOf), generation, reason };
}

/** The tool-call actions, by name. */
export const toolActions = {
  /**
   * Takes a toolCall's calls into the pending set (merging with any already there), each with the
   * connection it came on. A batch is answered in one toolResponse; each NON_BLOCKING call is a
   * batch of its own, answered as soon as it settles.
   */
  acceptToolCall: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'server.toolCall') return;
    const { generation } = event;
    const sharedBatch = context.batch + 1;
    let lastBatch = sharedBatch;
    const pending = { ...context.pending };
    const executors = new Map<number, ToolExecutorInput['calls']>();
    const duplicates: ProtocolError[] = [];
    event.calls.forEach((call, index) => {
      const blocking = blocks(context, call.name);
      const callBatch = blocking ? sharedBatch : ++lastBatch;
      let key = callKey(call, callBatch, index);
      // An id pending on this connection already (whatever its key): a repeat, not a call of its own.
      if (call.id !== undefined && Object.values(pending).some((other) => other.id === call.id && other.generation === generation)) {
        duplicates.push(new ProtocolError('DUPLICATE_CALL_ID', `call id ${key} is already pending`, call));
        return;
      }
      // Another connection's call with the same id: both are pending, each under a key of its own.
      if (pending[key]) key = `${key}@${generation}`;
      pending[key] = { key, id: call.id, name: call.name, args: call.args, generation, batch: callBatch, blocking, answer: undefined };
      executors.set(callBatch, [...(executors.get(callBatch) ?? []), { key, call }]);
    });
    const accepted = [...executors.values()].reduce((sum, calls) => sum + calls.length, 0);
    enqueue.assign({
      batch: lastBatch,
      pending,
      counters: {
        ...context.counters,
        toolCalls: context.counters.toolCalls + accepted,
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
    if (event.type !== 'server.toolCall') return;
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

  /** Stores a tool's answer; it is sent once its whole batch has settled. */
  recordAnswer: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'tool.result') return;
    const pendingCall = context.pending[event.key];
    if (!pendingCall) return;
    const failed = event.outcome.status === 'error';
    enqueue.assign({
      pending: { ...context.pending, [event.key]: { ...pendingCall, answer: toFunctionResponse(event) } },
      counters: {
        ...context.counters,
        toolResults: context.counters.toolResults + 1,
        toolErrors: context.counters.toolErrors + (failed ? 1 : 0),
      },
    });
    enqueue.emit({ type: 'toolResult', call: event.call, outcome: event.outcome });
  }),

  /** A result nobody waits for any more (cancelled, or of a connection that is gone): never sent. */
  discardToolResult: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'tool.result') return;
    enqueue.assign({
      counters: { ...context.counters, toolResultsDiscarded: context.counters.toolResultsDiscarded + 1 },
    });
    enqueue.emit({ type: 'toolResultDiscarded', call: event.call, outcome: event.outcome });
  }),

  /** An executor whose calls have all settled is stopped, unless its batch is still waited on. */
  stopIdleExecutor: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'tool.executorIdle') return;
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
    let sent = 0;
    let answered = 0;
    let answeredHere = false;
    for (const [batch, calls] of byBatch) {
      const answers = calls.map((call) => call.answer).filter((answer): answer is FunctionResponse => answer !== undefined);
      if (answers.length < calls.length) continue;
      // Every call of a batch came in one toolCall, on one connection.
      const generation = calls[0]?.generation ?? context.generation;
      enqueue.sendTo(connectionId(generation), { type: 'send.toolResponse', responses: answers } satisfies ConnectionCommand);
      enqueue.stopChild(toolExecutorId(batch));
      for (const call of calls) delete pending[call.key];
      sent += 1;
      answered += calls.length;
      answeredHere ||= generation === context.generation;
    }
    if (sent === 0) return;
    enqueue.assign({
      pending,
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
    if (event.type !== 'server.toolCallCancellation') return;
    // An id the server lists twice is cancelled once; only calls made on that connection count.
    const cancelled = Object.values(context.pending).filter(
      (call) => call.generation === event.generation && call.id !== undefined && event.ids.includes(call.id),
    );
    if (cancelled.length === 0) return;
    const pending = { ...context.pending };
    const keysByBatch = new Map<number, string[]>();
    for (const call of cancelled) {
      keysByBatch.set(call.batch, [...(keysByBatch.get(call.batch) ?? []), call.key]);
      delete pending[call.key];
    }
    const remaining = new Set(Object.values(pending).map((call) => call.batch));
    for (const [batch, keys] of keysByBatch) {
      if (remaining.has(batch)) {
        enqueue.sendTo(toolExecutorId(batch), { type: 'cancel', keys } satisfies ToolExecutorCommand);
      } else {
        enqueue.stopChild(toolExecutorId(batch));
      }
    }
    enqueue.assign({
      pending,
      counters: { ...context.counters, toolCancellations: context.counters.toolCancellations + cancelled.length },
    });
    enqueue.emit({ type: 'toolCancelled', ids: cancelled.flatMap((call) => (call.id === undefined ? [] : [call.id])) });
  }),

  /** The session closes: calls still pending will never be answered (their tools are aborted). */
  loseRemainingCalls: baseSetup.enqueueActions(({ context, enqueue }) => {
    const calls = Object.values(context.pending);
    if (calls.length === 0) return;
    const byGeneration = new Map<number, PendingCall[]>();
    for (const call of calls) byGeneration.set(call.generation, [...(byGeneration.get(call.generation) ?? []), call]);
    for (const [generation, lost] of byGeneration) enqueue.emit(lostEvent(lost, generation, 'sessionClosed'));
    enqueue.assign({ pending: {}, counters: countLost(context.counters, calls.length) });
  }),
};
