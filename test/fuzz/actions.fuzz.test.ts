/**
 * Fuzzing the machine's actions one by one, outside the chart: each action of `sessionMachine`
 * runs in a harness machine on any context, and on every event the chart may run it with: the
 * events of the transitions that name it, or any event at all for an action run on entry, exit
 * or an eventless transition. None may fail (an action that throws puts the session actor in
 * `error`: I6), and everything emitted is a well-formed event. Actions written for one event
 * narrow it with `assertEvent`, so wiring one to another event fails loudly here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, enqueueActions, setup, type AnyStateMachine } from 'xstate';
import { closeError, ToolError, TransportError } from '../../src/protocol/errors.js';
import { initialCounters } from '../../src/machines/counters.js';
import { CALL_MOVES, type CallState } from '../../src/machines/ledger/lifecycle.js';
import type { LedgerEntry } from '../../src/machines/ledger/entries.js';
import { DEFAULT_SETTINGS, initialContext } from '../../src/machines/context.js';
import { allStates, describeChart } from '../../src/devtools/chart.js';
import { sessionMachine } from '../../src/machines/session.machine.js';
import { BUFFER_ID, connectionId, toolExecutorId } from '../../src/machines/setup.js';
import type { InputPolicy, PendingCall, SessionContext, SessionEmitted, SessionEvent, SessionSettings, ToolOutcome } from '../../src/machines/types.js';
import type { RealtimeInput, RealtimeInputKind } from '../../src/protocol/messages.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

const SHARE = 0.05;

const { actions, guards, actors } = sessionMachine.implementations;
const ACTIONS = Object.keys(actions);

/** Actions that spawn a child of their own: run only on events they were not written for. */
const SPAWNING: Record<string, SessionEvent['type']> = {
  startConnection: 'CONNECT',
  acceptToolCall: 'server.toolCall',
  attachMic: 'mic.attach',
  recoverFromChildFailure: 'xstate.error.actor.buffer',
};


/**
 * The events the chart runs each action on: event types (a trailing `*` matches a prefix), or
 * `*` for an action run on entry, exit, or a transition without an event of its own.
 */
function wiring(): Map<string, Set<string>> {
  const wired = new Map<string, Set<string>>();
  const add = (action: string, on: string) => wired.set(action, (wired.get(action) ?? new Set()).add(on));
  for (const state of allStates(describeChart(sessionMachine))) {
    for (const action of [...state.entry, ...state.exit]) add(action, '*');
    for (const transition of state.transitions) {
      for (const action of transition.actions) add(action, transition.kind === 'event' ? transition.event : '*');
    }
  }
  return wired;
}

const WIRING = wiring();

/** Whether the chart may run `action` on `event`. */
function wiredTo(action: string, event: SessionEvent): boolean {
  const on = WIRING.get(action);
  if (!on) return true;
  return [...on].some((type) => type === '*' || type === event.type || (type.endsWith('*') && event.type.startsWith(type.slice(0, -1))));
}

/** A session's context before anything happened, on its first connection. */
function emptyContext(): SessionContext {
  return { ...initialContext({ ...DEFAULT_SETTINGS }), generation: 1, openConnections: [1] };
}

const GENERATIONS = [0, 1, 2, 3];
const BATCHES = [1, 2, 3, 4];
const KEYS = ['a', 'b', 'c', 'f#2.0'];

/** A machine that runs one action of the session on the first event it gets, with stand-in children. */
function harness(action: string): AnyStateMachine {
  return setup({
    types: { context: {} as SessionContext, events: {} as SessionEvent, input: {} as SessionContext },
    actions: actions as never,
    guards: guards as never,
    actors: actors as never,
  }).createMachine({
    context: ({ input }) => input,
    // Every child an action may send to exists, as it does in the session when the chart calls it.
    entry: enqueueActions(({ enqueue }) => {
      for (const generation of GENERATIONS) {
        enqueue.spawnChild('connection' as never, { id: connectionId(generation), input: { generation, resumptionHandle: undefined } } as never);
      }
      enqueue.spawnChild('inputBuffer' as never, { id: BUFFER_ID } as never);
      for (const batch of [0, ...BATCHES]) {
        enqueue.spawnChild('toolExecutor' as never, { id: toolExecutorId(batch), input: { generation: 0, calls: [] } } as never);
      }
    }),
    // The action runs on the event sent, once: what it raises (reraiseInput raises the input
    // again, which the chart sends elsewhere once the calls are cancelled) is not run again here.
    initial: 'ready',
    states: { ready: { on: { '*': { target: 'done', actions: action as never } } }, done: {} },
  }) as unknown as AnyStateMachine;
}

const machines = new Map(ACTIONS.map((action) => [action, harness(action)]));

const generation = fc.constantFrom(...GENERATIONS);
const key = fc.constantFrom(...KEYS);
const error = fc.constant(new TransportError('TRANSPORT_ERROR', 'socket hiccup'));

const pendingCall: fc.Arbitrary<PendingCall> = fc.record({
  key,
  id: fc.option(key, { nil: undefined }),
  name: fc.constant('f'),
  args: fc.constant({}),
  generation,
  batch: fc.constantFrom(...BATCHES),
  blocking: fc.boolean(),
  answer: fc.option(fc.constant({ id: 'a', name: 'f', response: { output: 1 } }), { nil: undefined }),
});

const settings: fc.Arbitrary<SessionSettings> = fc.record({
  resumption: fc.boolean(),
  maxReconnectAttempts: fc.constantFrom(0, 1, 3),
  baseDelayMs: fc.constantFrom(0, 250),
  maxDelayMs: fc.constant(5_000),
  stableAfterMs: fc.constant(10_000),
  inputWhileGated: fc.constantFrom<InputPolicy>('drop', { buffer: { maxMs: 1_000 } }),
  inputWhileReconnecting: fc.constantFrom<InputPolicy>('drop', { buffer: { maxMs: 2_000 } }),
  nonBlockingTools: fc.constantFrom([], ['f']),
  gateNonBlocking: fc.boolean(),
  whileBlockingCall: fc.constantFrom<SessionSettings['whileBlockingCall']>('gate', 'interrupt'),
  interactionStatus: fc.boolean(),
  sessionId: fc.constant('s'),
  orphanedResults: fc.constantFrom<SessionSettings['orphanedResults']>('asContext', 'discard'),
  dedupeWindowMs: fc.constantFrom(0, 60_000),
  noDedupeTools: fc.constantFrom([], ['f']),
  closeBeforeResume: fc.boolean(),
  resumeLoopWindowMs: fc.constantFrom(0, 30_000),
  contentRoles: fc.constantFrom<SessionSettings['contentRoles']>('userAndModel', 'userOnly'),
});

const ledgerEntry: fc.Arbitrary<LedgerEntry> = fc.record({
  key,
  id: fc.option(key, { nil: undefined }),
  name: fc.constant('f'),
  args: fc.constant({}),
  generation,
  state: fc.constantFrom(...(Object.keys(CALL_MOVES) as CallState[])),
  idempotencyKey: fc.constantFrom('s:1', 's:2'),
  startedAt: fc.nat({ max: 2_000 }),
  endedAt: fc.option(fc.nat({ max: 2_000 }), { nil: undefined }),
  outcome: fc.option(fc.constantFrom<ToolOutcome>({ status: 'ok', output: 1 }, { status: 'error', error: new ToolError('TOOL_THREW', 'no', { name: 'f' }) }), { nil: undefined }),
  sameAs: fc.option(key, { nil: undefined }),
});

const context: fc.Arbitrary<SessionContext> = fc.record({
  settings,
  clock: fc.constant({ now: () => 1_000 }),
  generation,
  openConnections: fc.subarray(GENERATIONS),
  pending: fc.array(pendingCall, { maxLength: 3 }).map((calls) => Object.fromEntries(calls.map((call) => [call.key, call]))),
  batch: fc.constantFrom(0, ...BATCHES),
  activityOpen: fc.boolean(),
  heldContent: fc.constantFrom<SessionContext['heldContent']>([], [{ turns: [{ role: 'user', parts: [{ text: 'x' }] }], turnComplete: true }]),
  modelIdle: fc.boolean(),
  ledger: fc.array(ledgerEntry, { maxLength: 3 }).map((entries) => Object.fromEntries(entries.map((entry) => [entry.key, entry]))),
  callSeq: fc.nat({ max: 5 }),
  connectedAt: fc.option(fc.nat({ max: 2_000 }), { nil: undefined }),
  resumed: fc.boolean(),
  reconnectedAt: fc.option(fc.nat({ max: 2_000 }), { nil: undefined }),
  handleResumable: fc.boolean(),
  lastClose: fc.option(fc.constantFrom({ code: 1011, reason: 'Deadline expired' }, { code: 1006, reason: '' }), { nil: undefined }),
  restartReason: fc.option(fc.constant('resume loop'), { nil: undefined }),
  transcript: fc.constantFrom<SessionContext['transcript']>([], [{ role: 'user', text: 'hi', done: true }]),
  deferredActivity: fc.constantFrom<SessionContext['deferredActivity']>([], ['activityEnd'], ['activityStart'], ['activityEnd', 'activityStart'], ['activityEnd', 'activityStart', 'activityEnd']),
  resumptionHandle: fc.option(fc.constant('h'), { nil: undefined }),
  handleIsFresh: fc.boolean(),
  goAwayDeadline: fc.option(fc.nat(), { nil: undefined }),
  reconnectAttempts: fc.constantFrom(0, 1, 2),
  lastError: fc.option(error, { nil: undefined }),
  gatedSince: fc.option(fc.nat(), { nil: undefined }),
  closedBy: fc.option(fc.oneof(fc.constant({ by: 'client' as const }), error.map((e) => ({ by: 'server' as const, error: e }))), { nil: undefined }),
  counters: fc.constant(null).map(() => initialCounters()),
});

const call = fc.record({ id: fc.option(key, { nil: undefined }), name: fc.constant('f'), args: fc.constant({}) });

const event: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.constantFrom<SessionEvent>(
    { type: 'CONNECT' },
    { type: 'CLOSE' },
    { type: 'input.audio', data: new Uint8Array(2) },
    { type: 'input.video', data: new Uint8Array(2), mimeType: 'image/jpeg' },
    { type: 'input.text', text: 't' },
    { type: 'input.activityStart' },
    { type: 'input.activityEnd' },
    { type: 'input.audioStreamEnd' },
    { type: 'mic.detach' },
    { type: 'mic.ended', error: undefined },
  ),
  fc.constant<SessionEvent>({ type: 'mic.attach', source: (async function* () {})() }),
  generation.map((g): SessionEvent => ({ type: 'server.setupComplete', generation: g })),
  generation.map((g): SessionEvent => ({
    type: 'server.content',
    generation: g,
    content: {
      audio: [{ data: new Uint8Array(2), mimeType: 'audio/pcm;rate=24000' }],
      text: ['t'],
      inputTranscription: { text: 'i', finished: false },
      outputTranscription: { text: 'o', finished: true },
      interrupted: true,
      generationComplete: true,
      turnComplete: true,
      waitingForInput: true,
      interactionStatus: 'IDLE',
    },
  })),
  fc.record({ g: generation, calls: fc.array(call, { maxLength: 3 }) }).map(({ g, calls }): SessionEvent => ({ type: 'server.toolCall', generation: g, calls })),
  fc.record({ g: generation, ids: fc.array(key, { maxLength: 3 }) }).map(({ g, ids }): SessionEvent => ({ type: 'server.toolCallCancellation', generation: g, ids })),
  generation.map((g): SessionEvent => ({ type: 'server.goAway', generation: g, timeLeftMs: 1_000 })),
  generation.map((g): SessionEvent => ({ type: 'server.resumptionUpdate', generation: g, handle: 'n', resumable: g % 2 === 0 })),
  generation.map((g): SessionEvent => ({ type: 'server.usage', generation: g, usage: { totalTokenCount: 1 } })),
  fc.record({ g: generation, e: error }).map(({ g, e }): SessionEvent => ({ type: 'server.malformed', generation: g, error: e })),
  fc.record({ g: generation, e: error }).map(({ g, e }): SessionEvent => ({ type: 'transport.closed', generation: g, error: e })),
  fc.record({ g: generation, e: error }).map(({ g, e }): SessionEvent => ({ type: 'transport.error', generation: g, error: e })),
  fc.record({ g: generation, k: key, ok: fc.boolean() }).map(({ g, k, ok }): SessionEvent => ({
    type: 'tool.result',
    generation: g,
    key: k,
    call: { id: k, name: 'f', args: {} },
    outcome: ok ? { status: 'ok', output: 1 } : { status: 'ok', output: null },
    scheduling: undefined,
  })),
  fc.constantFrom(...BATCHES).map((batch): SessionEvent => ({ type: 'tool.executorIdle', batch })),
  fc.constantFrom<RealtimeInputKind[]>(['audio'], ['activityEnd', 'text']).map((kinds): SessionEvent => ({ type: 'buffer.evicted', kinds })),
  fc.constantFrom<RealtimeInput[]>([{ kind: 'activityStart' }, { kind: 'text', text: 't' }, { kind: 'activityEnd' }], [{ kind: 'activityEnd' }]).map(
    (inputs): SessionEvent => ({ type: 'buffer.replay', inputs }),
  ),
  fc.constant<SessionEvent>({ type: 'goAway.due' }),
  fc.boolean().map((turnComplete): SessionEvent => ({ type: 'input.clientContent', turns: [{ role: 'user', parts: [{ text: 'x' }] }], turnComplete })),
  fc.constantFrom<string[]>([], ['f']).map((nonBlockingTools): SessionEvent => ({ type: 'tools.update', declarations: [{ name: 'f' }], nonBlockingTools })),
  generation.map((g): SessionEvent => ({
    type: 'server.content',
    generation: g,
    content: {
      audio: [],
      text: [],
      inputTranscription: undefined,
      outputTranscription: undefined,
      interrupted: false,
      generationComplete: false,
      turnComplete: false,
      waitingForInput: false,
      interactionStatus: 'IN_PROGRESS',
    },
  })),
  fc.record({ g: generation, code: fc.constantFrom(1007, 1011) }).map(({ g, code }): SessionEvent => ({
    type: 'transport.closed',
    generation: g,
    error: closeError(code, code === 1007 ? 'Request contains an invalid argument.' : 'Deadline expired before operation could complete.'),
  })),
  fc.record({ g: generation, e: error }).map(({ g, e }): SessionEvent => ({ type: 'transport.sendFailed', generation: g, kind: 'audio', error: e })),
  fc
    .constantFrom('connection-1', 'tools-2', 'mic', 'buffer', 'unknown')
    .map((actorId): SessionEvent => ({ type: `xstate.error.actor.${actorId}`, actorId, error: new Error('child failed') })),
);

// Every type the session may emit: the compiler checks that the list is whole.
const EMITTED: Record<SessionEmitted['type'], true> = {
  audio: true,
  closed: true,
  connected: true,
  error: true,
  gate: true,
  generationComplete: true,
  goAway: true,
  info: true,
  inputDropped: true,
  inputTranscription: true,
  interactionStatus: true,
  interrupted: true,
  message: true,
  micEnded: true,
  outputTranscription: true,
  reconnected: true,
  reconnecting: true,
  resumptionHandleStale: true,
  sessionRestarted: true,
  sessionRestored: true,
  speechStarted: true,
  speechStopped: true,
  text: true,
  toolCall: true,
  toolCallsLost: true,
  toolCallsOrphaned: true,
  toolCancelled: true,
  toolResult: true,
  toolResultDelivered: true,
  toolResultDiscarded: true,
  turnComplete: true,
  usage: true,
  waitingForInput: true,
};
const EMITTED_TYPES = new Set(Object.keys(EMITTED));

describe('the machine actions, fuzzed outside the chart', () => {
  it('never fail on any event the chart runs them with, and emit well-formed events', { timeout: fuzzTimeout(SHARE) }, () => {
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), context, event, (action, before, sent) => {
        fc.pre(SPAWNING[action] === undefined || SPAWNING[action] !== sent.type);
        fc.pre(wiredTo(action, sent));
        const machine = machines.get(action) as AnyStateMachine;
        const emitted: SessionEmitted[] = [];
        const started = createActor(machine, { input: { ...before } });
        started.on('*', (e) => emitted.push(e as SessionEmitted));
        started.start();
        started.send(sent);
        const snapshot = started.getSnapshot();
        expect(snapshot.status, `${action} on ${sent.type}`).toBe('active');
        for (const e of emitted) expect(EMITTED_TYPES.has(e.type), `${action} emitted ${e.type}`).toBe(true);
        started.stop();
      }),
      fuzzParameters<[string, SessionContext, SessionEvent]>(SHARE, [
        // Found by fuzzing: a cancellation that lists a pending id twice.
        [
          'cancelCalls',
          { ...emptyContext(), pending: { c: { key: 'c', id: 'c', name: 'f', args: {}, generation: 1, batch: 1, blocking: true, answer: undefined } } },
          { type: 'server.toolCallCancellation', generation: 1, ids: ['c', 'c'] },
        ],
        // Found by fuzzing (1 run in ~20 of the suite): an action that raises its own event ran
        // again on it in a harness that ran it on every event, until the heap was gone.
        ['reraiseInput', emptyContext(), { type: 'input.text', text: 't' }],
      ]),
    );
  });

  it('refuse loudly an event they were not written for: a mis-wired chart fails in tests, not silently', () => {
    for (const [action, wrong] of [
      ['emitUsage', { type: 'CONNECT' }],
      ['recordAnswer', { type: 'server.goAway', generation: 1, timeLeftMs: 1 }],
      ['deferActivity', { type: 'input.text', text: 't' }],
    ] as const) {
      const actor = createActor(machines.get(action) as AnyStateMachine, { input: emptyContext() });
      actor.subscribe({ error: () => undefined });
      actor.start();
      actor.send(wrong as SessionEvent);
      expect(actor.getSnapshot().status, action).toBe('error');
      expect(String(actor.getSnapshot().error), action).toMatch(/Expected event .* to have (one of )?types? matching/);
      expect(wiredTo(action, wrong as SessionEvent), action).toBe(false);
    }
  });

  it('fall back to sane values for what an event or the context may lack', () => {
    const run = (action: string, sent: SessionEvent) => {
      const emitted: SessionEmitted[] = [];
      const actor = createActor(machines.get(action) as AnyStateMachine, { input: emptyContext() });
      actor.on('*', (e) => emitted.push(e as SessionEmitted));
      actor.start();
      actor.send(sent);
      const result = { emitted, context: actor.getSnapshot().context as SessionContext };
      actor.stop();
      return result;
    };
    const other: SessionEvent = { type: 'CONNECT' };
    expect(run('announceStaleHandle', other).emitted).toEqual([{ type: 'resumptionHandleStale', handle: undefined }]);
    expect(run('announceGoAwayReconnect', other).emitted).toEqual([
      { type: 'reconnecting', cause: 'goAway', attempt: 1, error: undefined },
    ]);
    expect(run('emitClosed', other).emitted).toEqual([{ type: 'closed', closedBy: { by: 'client' } }]);
    expect(run('accumulateGatedTime', other).context.counters.gatedMs).toBe(0);
    const stray: SessionEvent = { type: 'tool.result', generation: 1, key: 'x', call: { id: 'x', name: 'f', args: {} }, outcome: { status: 'ok', output: 1 }, scheduling: undefined };
    expect(run('recordAnswer', stray)).toEqual({ emitted: [], context: expect.objectContaining({ pending: {} }) });
  });
});
