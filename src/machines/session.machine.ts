/**
 * The session statechart. Pure: it decides what to send and when, and leaves the doing to its
 * child actors (`connection`, `toolExecutor`, `inputBuffer`, `mic`), whose real implementations
 * the session supplies with `machine.provide()`.
 *
 * Only `streaming` forwards realtime input. From the moment a blocking toolCall is handed to the
 * machine until every pending call is answered or cancelled, the machine is in
 * `awaitingToolResponse`, where every realtime input is an explicit, counted drop (or buffered,
 * or, for an activityEnd, deferred). Between connections (`idle.reconnecting`) input is buffered
 * or dropped by its own policy.
 */
import { and, assign, emit, enqueueActions, fromCallback, not, sendTo, setup, stopChild } from 'xstate';
import { ProtocolError, type LiveSessionError } from '../protocol/errors.js';
import type { FunctionCall, FunctionResponse, RealtimeInput, RealtimeInputKind } from '../protocol/messages.js';
import {
  countBuffered,
  countBufferLost,
  countDeferred,
  countDeferredLost,
  countDeferredSent,
  countDropped,
  countForwarded,
  countReplayed,
  initialCounters,
} from './counters.js';
import type {
  ConnectionCommand,
  ConnectionInput,
  DropReason,
  InputBufferCommand,
  InputEvent,
  InputPolicy,
  MicInput,
  PendingCall,
  ReconnectCause,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionSettings,
  ToolExecutorCommand,
  ToolExecutorInput,
  ToolResultEvent,
} from './types.js';

/** The child id of the connection of a generation. */
export const connectionId = (generation: number): string => `connection-${generation}`;
/** The child id of the tool executor of a toolCall batch. */
export const toolExecutorId = (batch: number): string => `tools-${batch}`;
/** The child id of the mic actor. */
export const MIC_ID = 'mic';
/** The child id of the input buffer. */
export const BUFFER_ID = 'buffer';

/** Settings of a session created with no input: drop while gated, buffer 2 s while reconnecting. */
export const DEFAULT_SETTINGS: SessionSettings = {
  resumption: true,
  maxReconnectAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  stableAfterMs: 10_000,
  inputWhileGated: 'drop',
  inputWhileReconnecting: { buffer: { maxMs: 2_000 } },
  nonBlockingTools: [],
  gateNonBlocking: false,
};

/** How long a goAway's timeLeft is taken to be when the server gives none. */
const DEFAULT_GO_AWAY_MS = 10_000;

/** The input kind of an input event: `input.audio` → `audio`. */
export function inputKind(event: InputEvent): RealtimeInputKind {
  return event.type.slice('input.'.length) as RealtimeInputKind;
}

/** The wire form of an input event. */
export function toRealtimeInput(event: InputEvent): RealtimeInput {
  switch (event.type) {
    case 'input.audio':
      return { kind: 'audio', data: event.data, mimeType: event.mimeType ?? 'audio/pcm;rate=16000' };
    case 'input.video':
      return { kind: 'video', data: event.data, mimeType: event.mimeType };
    case 'input.text':
      return { kind: 'text', text: event.text };
    case 'input.activityStart':
      return { kind: 'activityStart' };
    case 'input.activityEnd':
      return { kind: 'activityEnd' };
    case 'input.audioStreamEnd':
      return { kind: 'audioStreamEnd' };
  }
}

/** The function response the server gets for a settled call. */
export function toFunctionResponse(result: Pick<ToolResultEvent, 'call' | 'outcome' | 'scheduling'>): FunctionResponse {
  const { call, outcome, scheduling } = result;
  const response: FunctionResponse['response'] =
    outcome.status === 'ok' ? { output: outcome.output } : { error: outcome.error.reason };
  const answer: FunctionResponse = call.id === undefined ? { name: call.name, response } : { id: call.id, name: call.name, response };
  if (scheduling) answer.scheduling = scheduling;
  return answer;
}

/** The pending set's key of a call: its id, or (Vertex AI may send none) a key of our own. */
export function callKey(call: FunctionCall, batch: number, index: number): string {
  return call.id ?? `${call.name}#${batch}.${index}`;
}

/** Full-jitter backoff for a reconnect attempt (0-based). */
export function backoffDelay(settings: SessionSettings, attempt: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt));
}

function pendingKeys(context: SessionContext): string[] {
  return Object.keys(context.pending);
}

function hasBlockingPending(context: SessionContext): boolean {
  return Object.values(context.pending).some((call) => call.blocking);
}

function blocks(settings: SessionSettings, name: string): boolean {
  return settings.gateNonBlocking || !settings.nonBlockingTools.includes(name);
}


/** A session's context before anything has happened. */
export function initialContext(settings: SessionSettings): SessionContext {
  return {
    settings,
    generation: 0,
    pending: {},
    batch: 0,
    activityOpen: false,
    activityEndDeferred: false,
    resumptionHandle: undefined,
    handleIsFresh: true,
    goAwayDeadline: undefined,
    reconnectAttempts: 0,
    lastError: undefined,
    gatedSince: undefined,
    closedBy: undefined,
    counters: initialCounters(),
  };
}

// Stand-ins for the child actors: the session provides the real ones. They do nothing, so the
// pure machine can be run and inspected on its own.
const connection = fromCallback<ConnectionCommand, ConnectionInput>(() => undefined);
const toolExecutor = fromCallback<ToolExecutorCommand, ToolExecutorInput>(() => undefined);
const inputBuffer = fromCallback<InputBufferCommand, undefined>(() => undefined);
const mic = fromCallback<SessionEvent, MicInput>(() => undefined);

const INPUT_EVENTS = [
  'input.audio',
  'input.video',
  'input.text',
  'input.activityStart',
  'input.activityEnd',
  'input.audioStreamEnd',
] as const;

/** `{ 'input.audio': config, … }` for every input event type. */
function onEveryInput<T>(config: T): Record<(typeof INPUT_EVENTS)[number], T> {
  return Object.fromEntries(INPUT_EVENTS.map((type) => [type, config])) as Record<(typeof INPUT_EVENTS)[number], T>;
}

/** An action that drops the input event, counted by reason, and tells the application. */
function dropInputAs(reason: DropReason) {
  return enqueueActions<SessionContext, SessionEvent, undefined, SessionEvent, never, never, never, never, SessionEmitted>(
    ({ context, event, enqueue }) => {
      const kind = inputKind(event as InputEvent);
      enqueue.assign({ counters: countDropped(context.counters, kind, reason) });
      enqueue.emit({ type: 'inputDropped', kind, reason });
    },
  );
}

/** An action that puts the input event in the buffer, bounded by the policy's `maxMs`. */
function bufferInputFor(policy: 'inputWhileGated' | 'inputWhileReconnecting') {
  return enqueueActions<SessionContext, SessionEvent, undefined, SessionEvent, never, never, never, never, SessionEmitted>(
    ({ context, event, enqueue }) => {
      if (!event.type.startsWith('input.')) return;
      const input = toRealtimeInput(event as InputEvent);
      enqueue.sendTo(BUFFER_ID, {
        type: 'buffer.push',
        input,
        // The guards bufferWhileGated/bufferWhileReconnecting chose this action: the policy buffers.
        maxMs: (context.settings[policy] as Exclude<InputPolicy, 'drop'>).buffer.maxMs,
      } satisfies InputBufferCommand);
      enqueue.assign({ counters: countBuffered(context.counters, input.kind) });
    },
  );
}

/** The event that tells the application the session is between connections. */
function reconnecting(context: SessionContext, cause: ReconnectCause, error: LiveSessionError | undefined): SessionEmitted {
  return { type: 'reconnecting', cause, attempt: context.reconnectAttempts + 1, error };
}

/**
 * The session statechart.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const machine = sessionMachine.provide({ actors: { connection, toolExecutor, inputBuffer, mic } });
 * const actor = createActor(machine, { input: DEFAULT_SETTINGS });
 * actor.start();
 * actor.send({ type: 'CONNECT' });
 * ```
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
    input: {} as Partial<SessionSettings> | undefined,
  },
  actors: { connection, toolExecutor, inputBuffer, mic },
  delays: {
    /** Before a reconnect attempt: full jitter, growing with the attempts made. */
    reconnectBackoff: ({ context }) => backoffDelay(context.settings, context.reconnectAttempts),
    /** How long to wait for a handle issued after our last answer, leaving time to reconnect. */
    /** How long a connection must stream before its reconnect attempts are forgiven. */
    connectionStable: ({ context }) => context.settings.stableAfterMs,
    freshHandleWait: ({ context }) => {
      // Only awaitingFreshHandle waits on it, and a goAway set the deadline to get there.
      const left = (context.goAwayDeadline as number) - Date.now();
      return Math.max(0, left - Math.min(2_000, left / 2));
    },
  },
  guards: {
    /** The event came from the current connection (not one we have left). */
    isCurrentGeneration: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    hasOpenActivity: ({ context }) => context.activityOpen,
    isActivityEndDeferred: ({ context }) => context.activityEndDeferred,
    noCallsPending: ({ context }) => pendingKeys(context).length === 0,
    noBlockingCallsPending: ({ context }) => !hasBlockingPending(context),
    /** The toolCall has a call that closes the gate (every call does, but NON_BLOCKING ones). */
    holdsTheGate: ({ context, event }) =>
      event.type === 'server.toolCall' && event.calls.some((call) => blocks(context.settings, call.name)),
    /** A tool result for a call of this connection that is pending and not yet answered. */
    isAwaitedResult: ({ context, event }) =>
      event.type === 'tool.result' &&
      event.generation === context.generation &&
      context.pending[event.key] !== undefined &&
      context.pending[event.key]?.answer === undefined,
    bufferWhileGated: ({ context }) => context.settings.inputWhileGated !== 'drop',
    bufferWhileReconnecting: ({ context }) => context.settings.inputWhileReconnecting !== 'drop',
    /** The close may be mended by a new connection, and attempts are left. */
    canReconnect: ({ context, event }) =>
      'error' in event &&
      event.error !== undefined &&
      event.error.retryable &&
      context.reconnectAttempts < context.settings.maxReconnectAttempts,
    goAwayAnnounced: ({ context }) => context.goAwayDeadline !== undefined,
    hasFailedAttempts: ({ context }) => context.reconnectAttempts > 0,
    /** Resuming now would not lose an answer: no toolResponse went out since the newest handle. */
    handleIsFresh: ({ context }) => context.handleIsFresh || !context.settings.resumption,
    isResumableUpdate: ({ event }) => event.type === 'server.resumptionUpdate' && event.resumable && !!event.handle,
  },
  actions: {
    spawnInputBuffer: enqueueActions(({ enqueue }) => enqueue.spawnChild('inputBuffer', { id: BUFFER_ID })),

    /** Opens a new connection: the next generation, with the newest resumption handle. */
    startConnection: enqueueActions(({ context, enqueue }) => {
      const generation = context.generation + 1;
      enqueue.assign({ generation, activityOpen: false });
      enqueue.spawnChild('connection', {
        id: connectionId(generation),
        input: { generation, resumptionHandle: context.resumptionHandle },
      });
    }),

    /** Closes every connection but the current one (the one a goAway announced the end of). */
    stopOtherConnections: enqueueActions(({ context, enqueue, self }) => {
      const current = connectionId(context.generation);
      for (const id of Object.keys(self.getSnapshot().children)) {
        if (id.startsWith('connection-') && id !== current) enqueue.stopChild(id);
      }
    }),

    stopCurrentConnection: stopChild(({ context }) => connectionId(context.generation)),

    emitConnected: emit(({ context }) => ({ type: 'connected' as const, generation: context.generation })),

    emitReconnected: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'reconnected', generation: context.generation, resumed: context.resumptionHandle !== undefined });
      enqueue.assign({
        goAwayDeadline: undefined,
        lastError: undefined,
        counters: { ...context.counters, reconnects: context.counters.reconnects + 1 },
      });
    }),

    forwardInput: sendTo(
      ({ context }) => connectionId(context.generation),
      ({ event }) => ({ type: 'send.realtimeInput' as const, input: toRealtimeInput(event as InputEvent) }),
    ),

    countForwarded: assign({
      counters: ({ context, event }) => countForwarded(context.counters, inputKind(event as InputEvent)),
    }),

    dropGated: dropInputAs('gated'),
    dropNotStreaming: dropInputAs('notStreaming'),
    dropNoOpenActivity: dropInputAs('noOpenActivity'),
    dropActivityAlreadyOpen: dropInputAs('activityAlreadyOpen'),
    bufferGatedInput: bufferInputFor('inputWhileGated'),
    bufferReconnectingInput: bufferInputFor('inputWhileReconnecting'),

    /** Asks the buffer for what it holds; it answers with one `buffer.replay` event. */
    flushBuffer: sendTo(BUFFER_ID, { type: 'buffer.flush' } satisfies InputBufferCommand),

    /** Sends buffered input in order, keeping the activity bracket well-formed as live input does. */
    replayInputs: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'buffer.replay') return;
      let { counters, activityOpen } = context;
      for (const input of event.inputs) {
        let refused: DropReason | undefined;
        if (input.kind === 'activityStart') {
          if (activityOpen) refused = 'activityAlreadyOpen';
          else activityOpen = true;
        } else if (input.kind === 'activityEnd') {
          if (activityOpen) activityOpen = false;
          else refused = 'noOpenActivity';
        }
        counters = countReplayed(counters, input.kind, refused);
        if (refused) {
          enqueue.emit({ type: 'inputDropped', kind: input.kind, reason: refused });
          continue;
        }
        enqueue.sendTo(connectionId(context.generation), { type: 'send.realtimeInput', input } satisfies ConnectionCommand);
      }
      enqueue.assign({ counters, activityOpen });
    }),

    /** Buffered input that came back while no longer streaming goes back in the buffer. */
    restoreBuffer: sendTo(BUFFER_ID, ({ event }) => ({
      type: 'buffer.restore' as const,
      inputs: event.type === 'buffer.replay' ? event.inputs : [],
    })),

    countEvicted: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'buffer.evicted') return;
      enqueue.assign({ counters: countBufferLost(context.counters, event.kinds.length, 'evicted') });
      for (const kind of event.kinds) enqueue.emit({ type: 'inputDropped', kind, reason: 'evicted' });
    }),

    /** The buffer dies with the session: what it still holds is lost, and counted so. */
    giveUpBuffered: assign(({ context }) => ({
      counters: countBufferLost(context.counters, context.counters.buffered, 'closed'),
    })),

    openActivity: assign({ activityOpen: true }),
    closeActivity: assign({ activityOpen: false }),

    deferActivityEnd: assign({
      activityEndDeferred: true,
      counters: ({ context }) => countDeferred(context.counters),
    }),

    /** Sends the activityEnd held back while gated. Runs after the toolResponse went out. */
    sendDeferredActivityEnd: enqueueActions(({ context, enqueue }) => {
      if (!context.activityEndDeferred) return;
      enqueue.sendTo(connectionId(context.generation), {
        type: 'send.realtimeInput',
        input: { kind: 'activityEnd' },
      } satisfies ConnectionCommand);
      enqueue.assign({
        activityOpen: false,
        activityEndDeferred: false,
        counters: countDeferredSent(context.counters),
      });
    }),

    /** An activityEnd held back for a connection that is gone is lost: count it. */
    giveUpDeferredActivityEnd: assign(({ context }) =>
      context.activityEndDeferred
        ? { activityEndDeferred: false, counters: countDeferredLost(context.counters) }
        : {},
    ),

    /**
     * Takes a toolCall's calls into the pending set (merging with any already there). A batch is
     * answered in one toolResponse; each NON_BLOCKING call is a batch of its own, answered as
     * soon as it settles.
     */
    acceptToolCall: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'server.toolCall') return;
      // Blocking calls share one batch; each NON_BLOCKING call gets a batch of its own.
      const sharedBatch = context.batch + 1;
      let lastBatch = sharedBatch;
      const pending = { ...context.pending };
      const executors = new Map<number, ToolExecutorInput['calls']>();
      const duplicates: ProtocolError[] = [];
      event.calls.forEach((call, index) => {
        const blocking = blocks(context.settings, call.name);
        const callBatch = blocking ? sharedBatch : ++lastBatch;
        const key = callKey(call, callBatch, index);
        if (pending[key]) {
          duplicates.push(new ProtocolError('DUPLICATE_CALL_ID', `call id ${key} is already pending`, call));
          return;
        }
        pending[key] = { key, id: call.id, name: call.name, batch: callBatch, blocking, answer: undefined } satisfies PendingCall;
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
        enqueue.spawnChild('toolExecutor', {
          id: toolExecutorId(callBatch),
          input: { generation: context.generation, batch: callBatch, calls },
        });
      }
    }),

    closeGate: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ gatedSince: Date.now() });
      enqueue.emit({
        type: 'gate',
        state: 'closed',
        pending: Object.values(context.pending)
          .filter((call) => call.blocking)
          .map((call) => call.key),
      });
    }),

    emitGateOpened: emit({ type: 'gate', state: 'opened', pending: [] }),

    accumulateGatedTime: assign(({ context }) => ({
      gatedSince: undefined,
      counters: {
        ...context.counters,
        gatedMs: context.counters.gatedMs + (context.gatedSince === undefined ? 0 : Date.now() - context.gatedSince),
      },
    })),

    /** Stores a tool's answer; it is sent once its whole batch has settled. */
    recordAnswer: enqueueActions(({ context, event, enqueue }) => {
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

    /** A result nobody waits for any more (cancelled, or of an older connection): never sent. */
    discardToolResult: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'tool.result') return;
      enqueue.assign({
        counters: { ...context.counters, toolResultsDiscarded: context.counters.toolResultsDiscarded + 1 },
      });
      enqueue.emit({ type: 'toolResultDiscarded', call: event.call, outcome: event.outcome });
    }),

    /** An executor whose calls have all settled is stopped, unless its batch is still waited on. */
    stopIdleExecutor: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'tool.executorIdle') return;
      if (Object.values(context.pending).some((call) => call.batch === event.batch)) return;
      enqueue.stopChild(toolExecutorId(event.batch));
    }),

    /** Sends one toolResponse for every batch whose calls have all settled. */
    answerSettledBatches: enqueueActions(({ context, enqueue }) => {
      const byBatch = new Map<number, PendingCall[]>();
      for (const call of Object.values(context.pending)) {
        byBatch.set(call.batch, [...(byBatch.get(call.batch) ?? []), call]);
      }
      const pending = { ...context.pending };
      let sent = 0;
      for (const [batch, calls] of byBatch) {
        if (calls.some((call) => call.answer === undefined)) continue;
        enqueue.sendTo(connectionId(context.generation), {
          type: 'send.toolResponse',
          responses: calls.map((call) => call.answer as FunctionResponse),
        } satisfies ConnectionCommand);
        enqueue.stopChild(toolExecutorId(batch));
        for (const call of calls) delete pending[call.key];
        sent += 1;
      }
      if (sent === 0) return;
      enqueue.assign({
        pending,
        // A handle issued before this answer would resume a session that never saw it.
        handleIsFresh: false,
        counters: { ...context.counters, toolResponsesSent: context.counters.toolResponsesSent + sent },
      });
    }),

    /** Forgets cancelled calls (no response will ever be sent for them) and aborts their tools. */
    cancelCalls: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'server.toolCallCancellation') return;
      // An id the server lists twice is cancelled once.
      const cancelled = [...new Set(event.ids)].filter((id) => context.pending[id] !== undefined);
      if (cancelled.length === 0) return;
      const pending = { ...context.pending };
      const keysByBatch = new Map<number, string[]>();
      for (const id of cancelled) {
        const call = pending[id] as PendingCall;
        keysByBatch.set(call.batch, [...(keysByBatch.get(call.batch) ?? []), id]);
        delete pending[id];
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
      enqueue.emit({ type: 'toolCancelled', ids: cancelled });
    }),

    /**
     * The connection is gone with calls pending: the server will not hear their answers. The tools
     * run on (their side effects may matter) and their results are discarded when they come.
     */
    abandonCalls: assign({ pending: {} }),

    storeResumptionHandle: assign(({ context, event }) =>
      event.type === 'server.resumptionUpdate' && event.resumable && event.handle
        ? { resumptionHandle: event.handle, handleIsFresh: true }
        : { resumptionHandle: context.resumptionHandle },
    ),

    /** A handle the server no longer knows must not be tried again. */
    forgetStaleHandle: assign(({ context, event }) =>
      event.type === 'transport.closed' && 'kind' in event.error && event.error.kind === 'sessionNotFound'
        ? { resumptionHandle: undefined }
        : { resumptionHandle: context.resumptionHandle },
    ),

    emitServerContent: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'server.content') return;
      const { content } = event;
      if (content.interrupted) enqueue.emit({ type: 'interrupted' });
      if (content.inputTranscription) enqueue.emit({ type: 'inputTranscription', ...content.inputTranscription });
      for (const chunk of content.audio) enqueue.emit({ type: 'audio', data: chunk.data, mimeType: chunk.mimeType });
      for (const text of content.text) enqueue.emit({ type: 'text', text });
      if (content.outputTranscription) enqueue.emit({ type: 'outputTranscription', ...content.outputTranscription });
      if (content.generationComplete) enqueue.emit({ type: 'generationComplete' });
      if (content.turnComplete) enqueue.emit({ type: 'turnComplete' });
    }),

    emitUsage: emit(({ event }) => ({
      type: 'usage' as const,
      usage: event.type === 'server.usage' ? event.usage : {},
    })),

    /** Notes when the server will close this connection, and tells the application. */
    recordGoAway: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'server.goAway') return;
      enqueue.assign({ goAwayDeadline: Date.now() + (event.timeLeftMs ?? DEFAULT_GO_AWAY_MS) });
      enqueue.emit({ type: 'goAway', timeLeftMs: event.timeLeftMs });
    }),

    announceGoAwayReconnect: emit(({ context }) => reconnecting(context, 'goAway', undefined)),

    announceStaleHandle: emit(({ context }) => ({ type: 'resumptionHandleStale' as const, handle: context.resumptionHandle })),

    /** A retryable close: one more attempt made, the error kept for the end. */
    recordConnectionLoss: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'transport.closed') return;
      enqueue.emit(reconnecting(context, 'connectionLost', event.error));
      enqueue.emit({ type: 'error', error: event.error });
      enqueue.assign({
        reconnectAttempts: context.reconnectAttempts + 1,
        lastError: event.error,
        goAwayDeadline: undefined,
        counters: { ...context.counters, errors: context.counters.errors + 1 },
      });
    }),

    reportError: enqueueActions(({ context, event, enqueue }) => {
      if (!('error' in event) || !event.error) return;
      enqueue.assign({ counters: { ...context.counters, errors: context.counters.errors + 1 } });
      enqueue.emit({ type: 'error', error: event.error });
    }),

    attachMic: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'mic.attach') return;
      enqueue.stopChild(MIC_ID);
      enqueue.spawnChild('mic', { id: MIC_ID, input: { source: event.source, maxChunkBytes: event.maxChunkBytes } });
    }),

    detachMic: stopChild(MIC_ID),

    emitMicEnded: emit(({ event }) => ({
      type: 'micEnded' as const,
      error: event.type === 'mic.ended' ? event.error : undefined,
    })),

    // Only a connection that stays up earns back the attempts: one that the server drops right
    // after setup must not make the session retry forever.
    forgiveReconnectAttempts: assign({ reconnectAttempts: 0 }),

    recordClientClose: assign({ closedBy: { by: 'client' } }),

    /** Why a close is final: a fatal error, or a retryable one with every attempt spent. */
    recordServerClose: assign({
      closedBy: ({ context, event }) => {
        const error = 'error' in event ? event.error : undefined;
        if (!error) return { by: 'client' as const };
        return error.retryable && context.settings.maxReconnectAttempts > 0
          ? { by: 'attemptsExhausted' as const, error, attempts: context.reconnectAttempts }
          : { by: 'server' as const, error };
      },
    }),

    emitClosed: emit(({ context }) => ({ type: 'closed' as const, closedBy: context.closedBy ?? { by: 'client' } })),

    /** Events from a connection we have left. Named so that inspection shows them handled. */
    ignoreStaleEvent: () => undefined,
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => initialContext({ ...DEFAULT_SETTINGS, ...input }),
  entry: 'spawnInputBuffer',
  initial: 'idle',
  on: {
    CLOSE: { target: '.closed', actions: 'recordClientClose' },
    'mic.attach': { actions: 'attachMic' },
    'mic.detach': { actions: 'detachMic' },
    'mic.ended': { actions: 'emitMicEnded' },
    'server.content': [{ guard: 'isCurrentGeneration', actions: 'emitServerContent' }, { actions: 'ignoreStaleEvent' }],
    'server.usage': [{ guard: 'isCurrentGeneration', actions: 'emitUsage' }, { actions: 'ignoreStaleEvent' }],
    'server.goAway': [{ guard: 'isCurrentGeneration', actions: 'recordGoAway' }, { actions: 'ignoreStaleEvent' }],
    'server.resumptionUpdate': [
      { guard: 'isCurrentGeneration', actions: 'storeResumptionHandle' },
      { actions: 'ignoreStaleEvent' },
    ],
    'server.malformed': [{ guard: 'isCurrentGeneration', actions: 'reportError' }, { actions: 'ignoreStaleEvent' }],
    'transport.error': [{ guard: 'isCurrentGeneration', actions: 'reportError' }, { actions: 'ignoreStaleEvent' }],
    'transport.closed': [
      { guard: 'isCurrentGeneration', target: '.closed', actions: ['recordServerClose', 'reportError'] },
      { actions: 'ignoreStaleEvent' },
    ],
    // Answers and cancellations are handled wherever the session is: outside streaming and
    // awaitingToolResponse nothing is pending, so a result is discarded and a cancellation is moot.
    'server.toolCallCancellation': [
      { guard: 'isCurrentGeneration', actions: ['cancelCalls', 'answerSettledBatches'] },
      { actions: 'ignoreStaleEvent' },
    ],
    'tool.result': [
      { guard: 'isAwaitedResult', actions: ['recordAnswer', 'answerSettledBatches'] },
      { actions: 'discardToolResult' },
    ],
    // A toolCall or setupComplete outside the states that expect one: nothing to do, but handled
    // explicitly so that nothing is silently unhandled.
    'server.toolCall': { actions: 'ignoreStaleEvent' },
    'server.setupComplete': { actions: 'ignoreStaleEvent' },
    'tool.executorIdle': { actions: 'stopIdleExecutor' },
    'buffer.replay': { actions: 'restoreBuffer' },
    'buffer.evicted': { actions: 'countEvicted' },
    ...onEveryInput({ actions: 'dropNotStreaming' }),
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: {
          on: { CONNECT: 'connecting' },
        },
        connecting: {
          entry: 'startConnection',
          on: {
            'server.setupComplete': {
              guard: 'isCurrentGeneration',
              target: '#session.streaming',
              actions: 'emitConnected',
            },
            'transport.closed': [
              {
                guard: and(['isCurrentGeneration', 'canReconnect']),
                target: 'reconnecting.backoff',
                actions: ['stopCurrentConnection', 'forgetStaleHandle', 'recordConnectionLoss'],
              },
              { guard: 'isCurrentGeneration', target: '#session.closed', actions: ['recordServerClose', 'reportError'] },
              { actions: 'ignoreStaleEvent' },
            ],
          },
        },
        reconnecting: {
          // Always entered at a named child; backoff is the safe place to land otherwise.
          initial: 'backoff',
          on: {
            ...onEveryInput([
              { guard: 'bufferWhileReconnecting', actions: 'bufferReconnectingInput' },
              { actions: 'dropNotStreaming' },
            ]),
          },
          states: {
            /**
             * After a goAway with calls pending: they are answered on the old connection; resume
             * with a handle the server issued after that answer, or, close to the deadline,
             * with the newest one there is.
             */
            awaitingFreshHandle: {
              entry: 'announceGoAwayReconnect',
              always: { guard: 'handleIsFresh', target: 'opening' },
              after: { freshHandleWait: { target: 'opening', actions: 'announceStaleHandle' } },
              on: {
                'server.resumptionUpdate': [
                  { guard: and(['isCurrentGeneration', 'isResumableUpdate']), target: 'opening', actions: 'storeResumptionHandle' },
                  { guard: 'isCurrentGeneration', actions: 'storeResumptionHandle' },
                  { actions: 'ignoreStaleEvent' },
                ],
                // The server called a tool on the connection we are leaving: it waits for the
                // answer there, so answer first and wait for a fresh handle again after that.
                'server.toolCall': [
                  { guard: 'isCurrentGeneration', target: '#session.awaitingToolResponse', actions: 'acceptToolCall' },
                  { actions: 'ignoreStaleEvent' },
                ],
                // The old connection reached its deadline first: resume with the newest handle.
                'transport.closed': [
                  { guard: 'isCurrentGeneration', target: 'opening', actions: 'announceStaleHandle' },
                  { actions: 'ignoreStaleEvent' },
                ],
              },
            },
            /** Waiting before the next attempt after a retryable close. */
            backoff: {
              after: { reconnectBackoff: 'opening' },
            },
            /** The new connection is opening; an old one a goAway announced may still be open. */
            opening: {
              entry: 'startConnection',
              on: {
                'server.setupComplete': {
                  guard: 'isCurrentGeneration',
                  target: '#session.streaming',
                  actions: ['stopOtherConnections', 'emitReconnected'],
                },
                'transport.closed': [
                  {
                    guard: and(['isCurrentGeneration', 'canReconnect']),
                    target: 'backoff',
                    actions: ['stopCurrentConnection', 'forgetStaleHandle', 'recordConnectionLoss'],
                  },
                  {
                    guard: 'isCurrentGeneration',
                    target: '#session.closed',
                    actions: ['recordServerClose', 'reportError'],
                  },
                  { actions: 'ignoreStaleEvent' },
                ],
              },
            },
          },
        },
      },
    },

    streaming: {
      entry: 'flushBuffer',
      after: { connectionStable: { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' } },
      // A goAway came while calls were pending: once the last is answered, move on.
      always: { guard: and(['goAwayAnnounced', 'noCallsPending']), target: 'idle.reconnecting.awaitingFreshHandle' },
      on: {
        'input.audio': { actions: ['forwardInput', 'countForwarded'] },
        'input.video': { actions: ['forwardInput', 'countForwarded'] },
        'input.text': { actions: ['forwardInput', 'countForwarded'] },
        'input.audioStreamEnd': { actions: ['forwardInput', 'countForwarded'] },
        'input.activityStart': [
          { guard: 'hasOpenActivity', actions: 'dropActivityAlreadyOpen' },
          { actions: ['forwardInput', 'countForwarded', 'openActivity'] },
        ],
        'input.activityEnd': [
          { guard: 'hasOpenActivity', actions: ['forwardInput', 'countForwarded', 'closeActivity'] },
          { actions: 'dropNoOpenActivity' },
        ],
        'buffer.replay': { actions: 'replayInputs' },
        'server.toolCall': [
          { guard: and(['isCurrentGeneration', 'holdsTheGate']), target: 'awaitingToolResponse', actions: 'acceptToolCall' },
          { guard: 'isCurrentGeneration', actions: 'acceptToolCall' },
          { actions: 'ignoreStaleEvent' },
        ],
        // With nothing pending, `always` above moves on at once; otherwise once the last call is answered.
        'server.goAway': [{ guard: 'isCurrentGeneration', actions: 'recordGoAway' }, { actions: 'ignoreStaleEvent' }],
        'transport.closed': [
          {
            guard: and(['isCurrentGeneration', 'canReconnect']),
            target: 'idle.reconnecting.backoff',
            actions: ['abandonCalls', 'stopCurrentConnection', 'forgetStaleHandle', 'recordConnectionLoss'],
          },
          { guard: 'isCurrentGeneration', target: 'closed', actions: ['recordServerClose', 'reportError'] },
          { actions: 'ignoreStaleEvent' },
        ],
      },
    },

    awaitingToolResponse: {
      entry: 'closeGate',
      exit: 'accumulateGatedTime',
      always: [
        // A goAway came meanwhile and nothing is left to answer: resume on a new connection.
        {
          guard: and(['goAwayAnnounced', 'noCallsPending']),
          target: 'idle.reconnecting.awaitingFreshHandle',
          actions: ['emitGateOpened', 'giveUpDeferredActivityEnd'],
        },
        { guard: 'noBlockingCallsPending', target: 'streaming', actions: ['emitGateOpened', 'sendDeferredActivityEnd'] },
      ],
      on: {
        ...onEveryInput([{ guard: 'bufferWhileGated', actions: 'bufferGatedInput' }, { actions: 'dropGated' }]),
        // A gated activityEnd that closes an open bracket waits for the gate instead of being dropped.
        'input.activityEnd': [
          { guard: 'bufferWhileGated', actions: 'bufferGatedInput' },
          { guard: and(['hasOpenActivity', not('isActivityEndDeferred')]), actions: 'deferActivityEnd' },
          { actions: 'dropNoOpenActivity' },
        ],
        'server.toolCall': [{ guard: 'isCurrentGeneration', actions: 'acceptToolCall' }, { actions: 'ignoreStaleEvent' }],
        'transport.closed': [
          {
            guard: and(['isCurrentGeneration', 'canReconnect']),
            target: 'idle.reconnecting.backoff',
            actions: [
              'abandonCalls',
              'emitGateOpened',
              'giveUpDeferredActivityEnd',
              'stopCurrentConnection',
              'forgetStaleHandle',
              'recordConnectionLoss',
            ],
          },
          { guard: 'isCurrentGeneration', target: 'closed', actions: ['recordServerClose', 'reportError'] },
          { actions: 'ignoreStaleEvent' },
        ],
      },
    },

    closed: {
      type: 'final',
      entry: ['giveUpDeferredActivityEnd', 'giveUpBuffered', 'emitClosed'],
    },
  },
});

/** The session machine's type. */
export type SessionMachine = typeof sessionMachine;
