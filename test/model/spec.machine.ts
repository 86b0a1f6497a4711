/**
 * The specification of the session, as a pure statechart for `createTestModel`: the same states
 * and transitions as `src/machines/session.machine.ts`, with none of its doing. It has no invokes,
 * no delays and no child actors (the test model refuses them): the real chart's delay is an
 * explicit event here (`timer.reconnectBackoff`, `timer.connectionStable`), which `mirror.ts`
 * matches with the real `after` transition, and so is the event the real chart raises itself
 * before a goAway's deadline (`goAway.due`). Its context is only what decides the next state and
 * what must reach the wire, small and finite so that every (state, event) pair can be walked:
 *
 * - two connections at most, named by role: the `current` one, and an `old` one a goAway left,
 *   still open while calls made on it wait for their answer (and until the session stops it);
 *   every server event says which one it comes from (`on`, `current` when left out);
 * - three call ids: `a` comes alone, `b` and `c` together (parallel calls of one toolCall); for
 *   each pending call its connection and whether its tool has settled (its answer waits for the
 *   rest of its batch); and the tools of calls a lost connection took with it, still running
 *   (their results are discarded);
 * - the activity bracket: open or not on the current connection, and the signals held back while
 *   gated (at most end, start, end);
 * - whether a goAway was announced and whether its `goAway.due` is still to come, whether the
 *   newest resumption handle is fresh (issued after the last toolResponse on the current
 *   connection), and the failed reconnect attempts, bounded by {@link MAX_ATTEMPTS} (the paths'
 *   sessions are made with `reconnect: { maxAttempts: MAX_ATTEMPTS }`);
 * - input between connections is dropped (the paths' sessions use `inputWhileReconnecting:
 *   'drop'`; buffering is left to the fuzz suites, whose sessions keep the default buffer).
 *
 * `mirror.test.ts` checks that this chart and the real one have the same states and the same
 * (state, event) transitions; `paths.test.ts` runs every path of it (`spec.walk.ts` says which
 * events can happen where, and what each step puts on the wire) against the real session.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import {
  bracketOpenAfter,
  initialSpecContext,
  INPUT_TYPES,
  MAX_ATTEMPTS,
  sourceOf,
  type Conn,
  type InputType,
  type Signal,
  type SpecCall,
  type SpecContext,
  type SpecEvent,
} from './spec.types.js';

export * from './spec.types.js';

type Ev<T extends SpecEvent['type']> = Extract<SpecEvent, { type: T }>;
type Args = { context: SpecContext; event: SpecEvent };

// Self-loops carry a named action, as in the real machine: a transition with neither target nor
// action is inert, and the test model would not walk it.
const forward = { actions: 'forward' } as const;
const drop = { actions: 'drop' } as const;
const notify = { actions: 'notify' } as const;
const ignore = { actions: 'ignore' } as const;

/** `{ 'input.audio': config, … }` for every input event type. */
function onEveryInput<T>(config: T): Record<InputType, T> {
  return Object.fromEntries(INPUT_TYPES.map((type) => [type, config])) as Record<InputType, T>;
}

/** An event's actions if its connection is still open; otherwise it is stale, and ignored. */
const fromOpen = <const A extends string | readonly string[]>(actions: A) => [{ guard: 'fromOpen', actions }, ignore] as const;
/** An event's actions if it comes from the current connection; otherwise ignored. */
const fromCurrent = <const A extends string | readonly string[]>(actions: A) => [{ guard: 'fromCurrent', actions }, ignore] as const;

/** A close the current connection's to retry or to end the session on; an old one only goes. */
function closeOf<const T extends string>(retryTarget: T) {
  return [
    { guard: 'canReconnect', target: retryTarget, actions: ['loseCurrent', 'recordConnectionLoss'] },
    { guard: 'fromCurrent', target: '#session.closed' },
    { actions: ['loseOld', 'stopIdleConnections'] },
  ] as const;
}

/** {@link closeOf} while gated: the signals held back are given up on the way out. */
function gatedCloseOf<const T extends string>(retryTarget: T) {
  return [
    { guard: 'canReconnect', target: retryTarget, actions: ['giveUpDeferred', 'loseCurrent', 'recordConnectionLoss'] },
    { guard: 'fromCurrent', target: '#session.closed' },
    { actions: ['loseOld', 'stopIdleConnections'] },
  ] as const;
}

/** The calls of a connection that is gone: their tools run on, their results are discarded. */
function lose(context: SpecContext, on: Conn): Partial<SpecContext> {
  const gone = context.pending.filter((call) => call.on === on);
  return {
    pending: context.pending.filter((call) => call.on !== on),
    // A set: kept sorted, so that the order calls were lost in makes no state of its own.
    orphans: [...context.orphans, ...gone.filter((call) => !call.settled).map((call) => call.id)].sort(),
  };
}

/** The context once answers are recorded or calls cancelled: an answer on the current connection makes the handle stale. */
function afterAnswers(context: SpecContext, pending: SpecCall[]): Partial<SpecContext> {
  const open = new Set(pending.filter((call) => !call.settled).map((call) => call.batch));
  const left = pending.filter((call) => open.has(call.batch));
  const answeredHere = pending.some((call) => call.settled && call.on === 'current' && !left.includes(call));
  return { pending: left, handleFresh: answeredHere ? false : context.handleFresh };
}

/**
 * The spec machine. Its ids are the real machine's (`session.streaming`, …) so that the two
 * definitions can be compared node by node.
 */
export const specMachine = setup({
  types: { context: {} as SpecContext, events: {} as SpecEvent },
  guards: {
    fromCurrent: ({ event }: Args) => sourceOf(event) === 'current',
    fromOpen: ({ context, event }: Args) => (sourceOf(event) === 'old' ? context.old : context.live),
    activityOpen: ({ context }) => context.activityOpen,
    canDeferActivityStart: ({ context }) => !bracketOpenAfter(context.activityOpen, context.deferred),
    canDeferActivityEnd: ({ context }) => bracketOpenAfter(context.activityOpen, context.deferred),
    blockingCallsPending: ({ context }) => context.pending.length > 0,
    noBlockingCallsPending: ({ context }) => context.pending.length === 0,
    goAwayAnnounced: ({ context }) => context.goAway,
    goAwayAndNothingBlocks: ({ context }) => context.goAway && context.pending.length === 0,
    handleFresh: ({ context }) => context.handleFresh,
    hasFailedAttempts: ({ context }) => context.attempts > 0,
    canReconnect: ({ context, event }: Args) =>
      event.type === 'transport.closed' && sourceOf(event) === 'current' && event.retryable && context.attempts < MAX_ATTEMPTS,
    /** A result for a pending call whose tool has not settled yet. */
    awaitedResult: ({ context, event }: Args) =>
      event.type === 'tool.result' && context.pending.some((call) => call.id === event.id && !call.settled),
  },
  actions: {
    /** The input goes on the wire (see `wireOf`). */
    forward: () => undefined,
    /** The input is dropped and counted. */
    drop: () => undefined,
    /** The application hears of it (an emitted event); nothing changes. */
    notify: () => undefined,
    /** Nothing to do, but handled, so that nothing is silently unhandled. */
    ignore: () => undefined,
    openActivity: assign({ activityOpen: true }),
    closeActivity: assign({ activityOpen: false }),
    /** Holds a signal back; a press after a held release that followed a held press takes the release back. */
    deferActivity: assign(({ context, event }) => {
      const signal: Signal = event.type === 'input.activityStart' ? 'activityStart' : 'activityEnd';
      const { deferred } = context;
      const retaken = signal === 'activityStart' && deferred.at(-1) === 'activityEnd' && deferred.at(-2) === 'activityStart';
      return { deferred: retaken ? deferred.slice(0, -1) : [...deferred, signal] };
    }),
    sendDeferredActivity: assign(({ context }) => ({
      activityOpen: bracketOpenAfter(context.activityOpen, context.deferred),
      deferred: [],
    })),
    /** Signals held back for a connection the session leaves are given up (counted dropped). */
    giveUpDeferred: assign({ deferred: [] }),
    /** Takes the calls of a toolCall from an open connection (an id still pending is not taken twice). */
    acceptToolCall: assign({
      pending: ({ context, event }) => {
        const { ids } = event as Ev<'server.toolCall'>;
        const on = sourceOf(event);
        const fresh = ids.filter((id) => !context.pending.some((call) => call.id === id));
        return [...context.pending, ...fresh.map((id) => ({ id, batch: ids.join(','), on, settled: false }))];
      },
    }),
    /** A toolCall from a connection already gone: reported lost (the paths never send one). */
    reportLostToolCall: () => undefined,
    /** Settles a call, then forgets every batch that has wholly settled (its toolResponse went out). */
    recordAnswer: assign(({ context, event }) => {
      const { id } = event as Ev<'tool.result'>;
      return afterAnswers(context, context.pending.map((call) => (call.id === id ? { ...call, settled: true } : call)));
    }),
    cancelCalls: assign(({ context, event }) => {
      const { ids } = event as Ev<'server.toolCallCancellation'>;
      const on = sourceOf(event);
      return afterAnswers(context, context.pending.filter((call) => call.on !== on || !ids.includes(call.id)));
    }),
    /** A result nobody waits for: an abandoned call's tool is done. */
    discardResult: assign({
      orphans: ({ context, event }) => context.orphans.filter((id) => id !== (event as Ev<'tool.result'>).id),
    }),
    /** The old connection is stopped once no call waits on it. */
    stopIdleConnections: assign(({ context }) => ({
      old: context.old && context.pending.some((call) => call.on === 'old'),
    })),
    recordGoAway: assign({ goAway: true, goAwayDue: true }),
    goAwayDueCame: assign({ goAwayDue: false }),
    storeResumptionHandle: assign({ handleFresh: true }),
    /** The current connection is gone, and the calls made on it with it. */
    loseCurrent: assign(({ context }) => ({ ...lose(context, 'current'), live: false })),
    /** The old connection is gone, and the calls made on it with it. */
    loseOld: assign(({ context }) => ({ ...lose(context, 'old'), old: false })),
    recordConnectionLoss: assign(({ context }) => ({ attempts: context.attempts + 1, goAway: false, goAwayDue: false })),
    /** A new connection, with no activity open on it; the one a goAway leaves, if open, becomes the old one. */
    startConnection: assign(({ context }) => ({
      live: true,
      old: context.old || context.live,
      activityOpen: false,
      pending: context.pending.map((call) => ({ ...call, on: 'old' as const })),
    })),
    recordReconnected: assign({ goAway: false, goAwayDue: false }),
    forgiveReconnectAttempts: assign({ attempts: 0 }),
    /** Closed is final: nothing of the session's state matters any more. */
    forget: assign(initialSpecContext),
  },
}).createMachine({
  id: 'session',
  context: initialSpecContext,
  initial: 'idle',
  on: {
    CLOSE: '.closed',
    'mic.attach': notify,
    'mic.detach': notify,
    'mic.ended': notify,
    'server.toolCall': [{ guard: 'fromOpen', actions: 'acceptToolCall' }, { actions: 'reportLostToolCall' }],
    'server.toolCallCancellation': fromOpen(['cancelCalls', 'stopIdleConnections']),
    'tool.result': [{ guard: 'awaitedResult', actions: ['recordAnswer', 'stopIdleConnections'] }, { actions: 'discardResult' }],
    'server.content': fromOpen('notify'),
    'server.usage': fromOpen('notify'),
    'server.goAway': fromCurrent('recordGoAway'),
    'server.resumptionUpdate': fromCurrent('storeResumptionHandle'),
    'server.malformed': fromOpen('notify'),
    'transport.error': fromOpen('notify'),
    'transport.sendFailed': notify,
    'transport.closed': [{ guard: 'fromCurrent', target: '.closed' }, { actions: ['loseOld', 'stopIdleConnections'] }],
    'server.setupComplete': ignore,
    'goAway.due': { actions: 'goAwayDueCame' },
    'tool.executorIdle': ignore,
    'buffer.replay': ignore,
    'buffer.evicted': ignore,
    'xstate.error.actor.*': notify,
    ...onEveryInput(drop),
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: { on: { CONNECT: 'connecting' } },
        connecting: {
          entry: 'startConnection',
          on: {
            'server.setupComplete': { guard: 'fromCurrent', target: '#session.streaming' },
            'transport.closed': closeOf('reconnecting.backoff'),
          },
        },
        reconnecting: {
          initial: 'backoff',
          on: onEveryInput(drop),
          states: {
            awaitingFreshHandle: {
              always: [
                { guard: 'blockingCallsPending', target: '#session.awaitingToolResponse' },
                { guard: 'handleFresh', target: 'opening' },
              ],
              on: {
                'server.resumptionUpdate': [
                  { guard: 'fromCurrent', target: 'opening', actions: 'storeResumptionHandle' },
                  ignore,
                ],
                'goAway.due': { target: 'opening', actions: 'goAwayDueCame' },
                'transport.closed': [
                  { guard: 'fromCurrent', target: 'opening', actions: 'loseCurrent' },
                  { actions: ['loseOld', 'stopIdleConnections'] },
                ],
              },
            },
            backoff: { on: { 'timer.reconnectBackoff': 'opening' } },
            opening: {
              entry: 'startConnection',
              on: {
                'server.setupComplete': {
                  guard: 'fromCurrent',
                  target: '#session.streaming',
                  actions: ['stopIdleConnections', 'recordReconnected'],
                },
                'transport.closed': closeOf('backoff'),
              },
            },
          },
        },
      },
    },
    streaming: {
      always: [
        { guard: 'blockingCallsPending', target: 'awaitingToolResponse' },
        { guard: 'goAwayAnnounced', target: 'idle.reconnecting.awaitingFreshHandle' },
      ],
      on: {
        'input.audio': forward,
        'input.video': forward,
        'input.text': forward,
        'input.audioStreamEnd': forward,
        'input.activityStart': [
          { guard: 'activityOpen', actions: 'drop' },
          { actions: ['forward', 'openActivity'] },
        ],
        'input.activityEnd': [{ guard: 'activityOpen', actions: ['forward', 'closeActivity'] }, drop],
        'buffer.replay': ignore,
        'transport.closed': closeOf('idle.reconnecting.backoff'),
        'timer.connectionStable': { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' },
      },
    },
    awaitingToolResponse: {
      always: [
        { guard: 'goAwayAndNothingBlocks', target: 'idle.reconnecting.awaitingFreshHandle', actions: 'giveUpDeferred' },
        { guard: 'noBlockingCallsPending', target: 'streaming', actions: 'sendDeferredActivity' },
      ],
      on: {
        ...onEveryInput(drop),
        'input.activityStart': [{ guard: 'canDeferActivityStart', actions: 'deferActivity' }, drop],
        'input.activityEnd': [{ guard: 'canDeferActivityEnd', actions: 'deferActivity' }, drop],
        // The goAway's time is nearly up with calls still pending: they stay on the old connection.
        'goAway.due': { target: '#session.idle.reconnecting.opening', actions: ['giveUpDeferred', 'goAwayDueCame'] },
        'transport.closed': gatedCloseOf('idle.reconnecting.backoff'),
      },
    },
    closed: { type: 'final', entry: 'forget' },
  },
});

export type SpecSnapshot = SnapshotFrom<typeof specMachine>;

/** The leaf state of a spec snapshot, as a dotted path: `idle.connecting`, `idle.reconnecting.backoff`, … */
export function leafOf(snapshot: SpecSnapshot): string {
  const path: string[] = [];
  let value: unknown = snapshot.value;
  while (typeof value === 'object' && value !== null) {
    const [key, child] = Object.entries(value)[0] as [string, unknown];
    path.push(key);
    value = child;
  }
  return [...path, value as string].join('.');
}

/** Every leaf state of the spec, as {@link leafOf} names them. */
export const LEAVES = [
  'idle.disconnected',
  'idle.connecting',
  'idle.reconnecting.awaitingFreshHandle',
  'idle.reconnecting.backoff',
  'idle.reconnecting.opening',
  'streaming',
  'awaitingToolResponse',
  'closed',
] as const;
