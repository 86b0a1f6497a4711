/**
 * The rest of a session's life: what the server says reaches the application, errors are
 * reported, the mic is attached and detached, a child actor that fails is recovered from (never a
 * silent death), the fast lane opens and shuts with `streaming`, and the session closes.
 */
import { assertEvent, type ErrorActorEvent } from 'xstate';
import { InternalError, ToolError, TransportError, describe } from '../../protocol/errors.js';
import { countBufferLost } from '../counters.js';
import { baseSetup, BUFFER_ID, MIC_ID } from '../setup.js';
import type { SessionEvent } from '../types.js';
import { callOf } from './tools.js';

/** The event, if it says a child actor failed. */
function asChildFailure(event: SessionEvent): ErrorActorEvent | undefined {
  return 'actorId' in event && event.type.startsWith('xstate.error.actor.') ? event : undefined;
}

/** The lifecycle actions, by name. */
export const lifecycleActions = {
  emitServerContent: baseSetup.enqueueActions(({ event, enqueue }) => {
    assertEvent(event, 'server.content');
    const { content } = event;
    if (content.interrupted) enqueue.emit({ type: 'interrupted' });
    if (content.inputTranscription) enqueue.emit({ type: 'inputTranscription', ...content.inputTranscription });
    for (const chunk of content.audio) enqueue.emit({ type: 'audio', data: chunk.data, mimeType: chunk.mimeType });
    for (const text of content.text) enqueue.emit({ type: 'text', text });
    if (content.outputTranscription) enqueue.emit({ type: 'outputTranscription', ...content.outputTranscription });
    if (content.generationComplete) enqueue.emit({ type: 'generationComplete' });
    if (content.turnComplete) enqueue.emit({ type: 'turnComplete' });
  }),

  emitUsage: baseSetup.emit(({ event }) => {
    assertEvent(event, 'server.usage');
    return { type: 'usage' as const, usage: event.usage };
  }),

  reportError: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    if (!('error' in event) || !event.error || 'actorId' in event) return;
    enqueue.assign({ counters: { ...context.counters, errors: context.counters.errors + 1 } });
    enqueue.emit({ type: 'error', error: event.error });
  }),

  /**
   * A child actor failed. Its failure is reported, and turned into what the chart already
   * handles: a connection's into a lost connection (reconnect or close), a tool executor's into an
   * error answer for each of its calls, the mic's into its end, the buffer's into lost input.
   */
  recoverFromChildFailure: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    const failure = asChildFailure(event);
    if (!failure) return;
    const { actorId } = failure;
    const reason = `the ${actorId} actor failed: ${describe(failure.error)}`;
    enqueue.assign({ counters: { ...context.counters, errors: context.counters.errors + 1 } });
    enqueue.emit({ type: 'error', error: new InternalError(reason, { cause: failure.error }) });
    const connection = /^connection-(\d+)$/.exec(actorId);
    if (connection) {
      const error = new TransportError('TRANSPORT_ERROR', reason, { cause: failure.error });
      enqueue.raise({ type: 'transport.closed', generation: Number(connection[1]), error });
      return;
    }
    const executor = /^tools-(\d+)$/.exec(actorId);
    if (executor) {
      const batch = Number(executor[1]);
      for (const call of Object.values(context.pending)) {
        if (call.batch !== batch || call.answer !== undefined) continue;
        const wire = callOf(call);
        const error = new ToolError('EXECUTOR_FAILED', reason, wire, { cause: failure.error });
        enqueue.raise({ type: 'tool.result', generation: call.generation, key: call.key, call: wire, outcome: { status: 'error', error }, scheduling: undefined });
      }
      return;
    }
    if (actorId === MIC_ID) {
      enqueue.raise({ type: 'mic.ended', error: new TransportError('TRANSPORT_ERROR', reason, { cause: failure.error }) });
      return;
    }
    if (actorId === BUFFER_ID) {
      enqueue.assign({ counters: countBufferLost(context.counters, context.counters.buffered, 'evicted') });
      enqueue.spawnChild('inputBuffer', { id: BUFFER_ID });
    }
  }),

  attachMic: baseSetup.enqueueActions(({ event, enqueue }) => {
    assertEvent(event, 'mic.attach');
    enqueue.stopChild(MIC_ID);
    enqueue.spawnChild('mic', { id: MIC_ID, input: { source: event.source, maxChunkBytes: event.maxChunkBytes } });
  }),

  detachMic: baseSetup.stopChild(MIC_ID),

  emitMicEnded: baseSetup.emit(({ event }) => {
    assertEvent(event, 'mic.ended');
    return { type: 'micEnded' as const, error: event.error };
  }),

  /**
   * `streaming` opens the fast lane on entry and shuts it on exit: while it is open, a frame handed
   * to a session at rest may take the chart's forward-and-count without becoming an event. The
   * session provides these; the pure machine has no lane.
   */
  openLane: baseSetup.createAction(() => undefined),
  shutLane: baseSetup.createAction(() => undefined),

  recordClientClose: baseSetup.assign({ closedBy: { by: 'client' } }),

  /** Why a close is final: a fatal error, or a retryable one with every attempt spent. */
  recordServerClose: baseSetup.assign(({ context, event }) => {
    const error = 'error' in event && !('actorId' in event) ? event.error : undefined;
    if (!error) return { closedBy: { by: 'client' } };
    return {
      closedBy:
        error.retryable && context.settings.maxReconnectAttempts > 0
          ? { by: 'attemptsExhausted', error, attempts: context.reconnectAttempts }
          : { by: 'server', error },
    };
  }),

  emitClosed: baseSetup.emit(({ context }) => ({ type: 'closed' as const, closedBy: context.closedBy ?? { by: 'client' } })),

  /** Events from a connection we have left, or that nothing waits for. Named so that inspection shows them handled. */
  ignoreStaleEvent: baseSetup.createAction(() => undefined),
};
