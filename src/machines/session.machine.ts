/**
 * The session statechart. Pure: it decides what to send and when, and leaves the doing to its
 * child actors (`connection`, `toolExecutor`, `mic`), whose real implementations the session
 * supplies with `machine.provide()`.
 *
 * Only `streaming` forwards realtime input. From the moment a toolCall is handed to the machine
 * until every pending call is answered or cancelled, the machine is in `awaitingToolResponse`,
 * where every realtime input is an explicit, counted drop (or, for an activityEnd, a deferral).
 */
import { and, assign, emit, enqueueActions, fromCallback, not, sendTo, setup, stopChild } from 'xstate';
import { ProtocolError, type LiveSessionError } from '../errors.js';
import type { FunctionCall, FunctionResponse, RealtimeInput, RealtimeInputKind } from '../protocol.js';
import {
  countDeferred,
  countDeferredLost,
  countDeferredSent,
  countDropped,
  countForwarded,
  initialCounters,
} from './counters.js';
import type {
  ConnectionCommand,
  ConnectionInput,
  DropReason,
  InputEvent,
  MicInput,
  PendingCall,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  ToolExecutorCommand,
  ToolExecutorInput,
  ToolOutcome,
} from './types.js';

/** The child id of the connection of a generation. */
export const connectionId = (generation: number): string => `connection-${generation}`;
/** The child id of the tool executor of a toolCall batch. */
export const toolExecutorId = (batch: number): string => `tools-${batch}`;
/** The child id of the mic actor. */
export const MIC_ID = 'mic';

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
export function toFunctionResponse(call: FunctionCall, outcome: ToolOutcome): FunctionResponse {
  const response: FunctionResponse['response'] =
    outcome.status === 'ok' ? { output: outcome.output } : { error: outcome.error.reason };
  return call.id === undefined ? { name: call.name, response } : { id: call.id, name: call.name, response };
}

/** The pending set's key of a call: its id, or (Vertex AI sends none) a key of our own. */
export function callKey(call: FunctionCall, batch: number, index: number): string {
  return call.id ?? `${call.name}#${batch}.${index}`;
}

function pendingKeys(context: SessionContext): string[] {
  return Object.keys(context.pending);
}

function initialContext(): SessionContext {
  return {
    generation: 0,
    pending: {},
    batch: 0,
    activityOpen: false,
    activityEndDeferred: false,
    resumptionHandle: undefined,
    gatedSince: undefined,
    closedBy: undefined,
    counters: initialCounters(),
  };
}

// Stand-ins for the child actors: the session provides the real ones. They do nothing, so the
// pure machine can be run and inspected on its own.
const connection = fromCallback<ConnectionCommand, ConnectionInput>(() => undefined);
const toolExecutor = fromCallback<ToolExecutorCommand, ToolExecutorInput>(() => undefined);
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

/**
 * The session statechart.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const actor = createActor(sessionMachine.provide({ actors: { connection, toolExecutor, mic } }));
 * actor.start();
 * actor.send({ type: 'CONNECT' });
 * ```
 */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
  },
  actors: { connection, toolExecutor, mic },
  guards: {
    /** The event came from the current connection (not one we have left). */
    isCurrentGeneration: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    hasOpenActivity: ({ context }) => context.activityOpen,
    isActivityEndDeferred: ({ context }) => context.activityEndDeferred,
    noCallsPending: ({ context }) => pendingKeys(context).length === 0,
    /** A tool result for a call of this connection that is pending and not yet answered. */
    isAwaitedResult: ({ context, event }) =>
      event.type === 'tool.result' &&
      event.generation === context.generation &&
      context.pending[event.key]?.answer === undefined &&
      context.pending[event.key] !== undefined,
  },
  actions: {
    /** Opens a new connection: the next generation, with the newest resumption handle. */
    startConnection: enqueueActions(({ context, enqueue }) => {
      const generation = context.generation + 1;
      enqueue.assign({ generation });
      enqueue.spawnChild('connection', {
        id: connectionId(generation),
        input: { generation, resumptionHandle: context.resumptionHandle },
      });
    }),

    emitConnected: emit(({ context }) => ({ type: 'connected' as const, generation: context.generation })),

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

    /** Takes a toolCall's calls into the pending set (merging with any already there). */
    acceptToolCall: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'server.toolCall') return;
      const batch = context.batch + 1;
      const pending = { ...context.pending };
      const calls: ToolExecutorInput['calls'] = [];
      const duplicates: ProtocolError[] = [];
      event.calls.forEach((call, index) => {
        const key = callKey(call, batch, index);
        if (pending[key]) {
          duplicates.push(new ProtocolError('DUPLICATE_CALL_ID', `call id ${key} is already pending`, call));
          return;
        }
        pending[key] = { key, id: call.id, name: call.name, batch, answer: undefined } satisfies PendingCall;
        calls.push({ key, call });
      });
      enqueue.assign({
        batch,
        pending,
        counters: {
          ...context.counters,
          toolCalls: context.counters.toolCalls + calls.length,
          errors: context.counters.errors + duplicates.length,
        },
      });
      for (const error of duplicates) enqueue.emit({ type: 'error', error });
      enqueue.emit({ type: 'toolCall', calls: event.calls });
      if (calls.length === 0) return;
      enqueue.spawnChild('toolExecutor', {
        id: toolExecutorId(batch),
        input: { generation: context.generation, calls },
      });
    }),

    closeGate: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ gatedSince: Date.now() });
      enqueue.emit({ type: 'gate', state: 'closed', pending: pendingKeys(context) });
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
      const answer = toFunctionResponse(event.call, event.outcome);
      const failed = event.outcome.status === 'error';
      enqueue.assign({
        pending: { ...context.pending, [event.key]: { ...pendingCall, answer } },
        counters: {
          ...context.counters,
          toolResults: context.counters.toolResults + 1,
          toolErrors: context.counters.toolErrors + (failed ? 1 : 0),
        },
      });
      enqueue.emit({ type: 'toolResult', call: event.call, outcome: event.outcome });
    }),

    /** A result nobody waits for any more: never sent. */
    discardToolResult: emit(({ event }) => {
      const result = event as Extract<SessionEvent, { type: 'tool.result' }>;
      return { type: 'toolResultDiscarded' as const, call: result.call, outcome: result.outcome };
    }),

    /** Sends one toolResponse for every batch whose calls have all settled. */
    answerSettledBatches: enqueueActions(({ context, enqueue }) => {
      const byBatch = new Map<number, PendingCall[]>();
      for (const call of Object.values(context.pending)) {
        const calls = byBatch.get(call.batch) ?? [];
        calls.push(call);
        byBatch.set(call.batch, calls);
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

    storeResumptionHandle: assign({
      resumptionHandle: ({ context, event }) =>
        event.type === 'server.resumptionUpdate' && event.resumable && event.handle
          ? event.handle
          : context.resumptionHandle,
    }),

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

    emitGoAway: emit(({ event }) => ({
      type: 'goAway' as const,
      timeLeftMs: event.type === 'server.goAway' ? event.timeLeftMs : undefined,
    })),

    /** Tells the application about the error the event carries; the session goes on. */
    reportError: enqueueActions(({ context, event, enqueue }) => {
      if (!('error' in event) || !event.error) return;
      const { error } = event;
      enqueue.assign({ counters: { ...context.counters, errors: context.counters.errors + 1 } });
      enqueue.emit({ type: 'error', error });
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

    recordClientClose: assign({ closedBy: { by: 'client' } }),

    recordServerClose: assign({
      closedBy: ({ event }) => ({ by: 'server' as const, error: (event as { error: LiveSessionError }).error }),
    }),

    /** An activityEnd held back for a gate that will now never reopen is lost: count it. */
    giveUpDeferredActivityEnd: assign(({ context }) =>
      context.activityEndDeferred
        ? { activityEndDeferred: false, counters: countDeferredLost(context.counters) }
        : {},
    ),

    emitClosed: emit(({ context }) => ({ type: 'closed' as const, closedBy: context.closedBy ?? { by: 'client' } })),

    /** Events from a connection we have left. Named so that inspection shows them handled. */
    ignoreStaleEvent: () => undefined,
  },
}).createMachine({
  id: 'session',
  context: initialContext,
  initial: 'idle',
  on: {
    CLOSE: { target: '.closed', actions: 'recordClientClose' },
    'mic.attach': { actions: 'attachMic' },
    'mic.detach': { actions: 'detachMic' },
    'mic.ended': { actions: 'emitMicEnded' },
    'server.content': [{ guard: 'isCurrentGeneration', actions: 'emitServerContent' }, { actions: 'ignoreStaleEvent' }],
    'server.usage': [{ guard: 'isCurrentGeneration', actions: 'emitUsage' }, { actions: 'ignoreStaleEvent' }],
    'server.goAway': [{ guard: 'isCurrentGeneration', actions: 'emitGoAway' }, { actions: 'ignoreStaleEvent' }],
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
    // A toolCall, cancellation or setupComplete outside the states that expect one, or a late
    // tool result: nothing to do, but handled explicitly so that nothing is silently unhandled.
    'server.toolCall': { actions: 'ignoreStaleEvent' },
    'server.toolCallCancellation': { actions: 'ignoreStaleEvent' },
    'server.setupComplete': { actions: 'ignoreStaleEvent' },
    'tool.result': { actions: 'discardToolResult' },
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
          },
        },
      },
    },

    streaming: {
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
        'server.toolCall': {
          guard: 'isCurrentGeneration',
          target: 'awaitingToolResponse',
          actions: 'acceptToolCall',
        },
      },
    },

    awaitingToolResponse: {
      entry: 'closeGate',
      exit: 'accumulateGatedTime',
      always: {
        guard: 'noCallsPending',
        target: 'streaming',
        actions: ['emitGateOpened', 'sendDeferredActivityEnd'],
      },
      on: {
        'input.audio': { actions: 'dropGated' },
        'input.video': { actions: 'dropGated' },
        'input.text': { actions: 'dropGated' },
        'input.audioStreamEnd': { actions: 'dropGated' },
        'input.activityStart': { actions: 'dropGated' },
        'input.activityEnd': [
          { guard: and(['hasOpenActivity', not('isActivityEndDeferred')]), actions: 'deferActivityEnd' },
          { actions: 'dropNoOpenActivity' },
        ],
        'server.toolCall': { guard: 'isCurrentGeneration', actions: 'acceptToolCall' },
        'server.toolCallCancellation': {
          guard: 'isCurrentGeneration',
          actions: ['cancelCalls', 'answerSettledBatches'],
        },
        'tool.result': [
          { guard: 'isAwaitedResult', actions: ['recordAnswer', 'answerSettledBatches'] },
          { actions: 'discardToolResult' },
        ],
      },
    },

    closed: {
      type: 'final',
      entry: ['giveUpDeferredActivityEnd', 'emitClosed'],
    },
  },
});

/** The session machine's type. */
export type SessionMachine = typeof sessionMachine;
