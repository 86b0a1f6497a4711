/**
 * The specification of the session, as a pure statechart for `createTestModel`: the same states
 * and transitions as `src/machines/session.machine.ts`, with none of its doing. It has no invokes,
 * no delays and no child actors (the test model refuses them): each delay of the real chart is an
 * explicit event here (`timer.reconnectBackoff`, `timer.freshHandleWait`, `timer.connectionStable`),
 * which `mirror.ts` matches with the real `after` transition. Its context is only what decides
 * the next state and what must reach the wire, kept small and finite so that the graph of every
 * (state, event) pair can be walked:
 *
 * - three call ids: `a` comes alone, `b` and `c` come together (parallel calls of one toolCall);
 * - for each pending call, whether its tool has settled (its answer waits for the rest of its
 *   batch); and the tools of calls a lost connection abandoned, still running (their results are
 *   discarded);
 * - the activity bracket: open, and whether an activityEnd is held back by the gate;
 * - whether a goAway was announced, whether the newest resumption handle is fresh (issued after
 *   the last toolResponse), and the failed reconnect attempts, bounded by {@link MAX_ATTEMPTS}
 *   (the sessions of the paths are made with `reconnect: { maxAttempts: MAX_ATTEMPTS }`);
 * - input between connections is dropped (the paths' sessions use `inputWhileReconnecting:
 *   'drop'`; buffering is left to the fuzz suites, whose sessions keep the default buffer).
 *
 * `mirror.test.ts` checks that this chart and the real one have the same states and the same
 * (state, event) transitions; `paths.test.ts` runs every path of it against the real session.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';

/** The call ids of the spec: `a` is a single call, `b` and `c` the parallel calls of one toolCall. */
export const SINGLE = ['a'] as const;
export const PARALLEL = ['b', 'c'] as const;
/** An id the server cancels without ever having called it (a stale cancellation). */
export const STALE_ID = 'z';

/** The realtime input kinds, by their spec event type. */
export const INPUT_TYPES = [
  'input.audio',
  'input.video',
  'input.text',
  'input.activityStart',
  'input.activityEnd',
  'input.audioStreamEnd',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

/** Reconnect attempts in a row the paths' sessions allow. */
export const MAX_ATTEMPTS = 1;

/** The events of the spec: the session's events, with payloads reduced to what the spec needs. */
export type SpecEvent =
  | { type: 'CONNECT' }
  | { type: 'CLOSE' }
  | { type: InputType }
  | { type: 'server.setupComplete' }
  | { type: 'server.content' }
  | { type: 'server.usage' }
  | { type: 'server.goAway' }
  | { type: 'server.resumptionUpdate' }
  | { type: 'server.malformed' }
  | { type: 'server.toolCall'; ids: string[] }
  | { type: 'server.toolCallCancellation'; ids: string[] }
  | { type: 'transport.error' }
  | { type: 'transport.closed'; retryable: boolean }
  | { type: 'tool.result'; id: string; outcome: 'ok' | 'error' }
  | { type: 'tool.executorIdle' }
  | { type: 'buffer.replay' }
  | { type: 'buffer.evicted' }
  | { type: 'timer.reconnectBackoff' }
  | { type: 'timer.freshHandleWait' }
  | { type: 'timer.connectionStable' }
  | { type: 'mic.attach' }
  | { type: 'mic.detach' }
  | { type: 'mic.ended' };

/** A call the server waits on. */
export interface SpecCall {
  id: string;
  /** Its toolCall: the ids of that message, joined (`a`, `b,c`). */
  batch: string;
  /** Its tool has settled; the answer goes out with the rest of the batch. */
  settled: boolean;
}

export interface SpecContext {
  /** The gate, in the order the calls came. */
  pending: SpecCall[];
  /** Calls of a lost connection whose tools still run: their results are discarded. */
  orphans: string[];
  activityOpen: boolean;
  activityEndDeferred: boolean;
  /** A goAway announced the end of the current connection. */
  goAway: boolean;
  /** No toolResponse went out since the newest resumption handle (or since the start). */
  handleFresh: boolean;
  /** Failed reconnect attempts in a row. */
  attempts: number;
}

/** What one step puts on the wire: a realtime input, or a toolResponse answering these ids. */
export type SpecFrame = { realtimeInput: string } | { toolResponse: string[] };

const initial = (): SpecContext => ({
  pending: [],
  orphans: [],
  activityOpen: false,
  activityEndDeferred: false,
  goAway: false,
  handleFresh: true,
  attempts: 0,
});

type Ev<T extends SpecEvent['type']> = Extract<SpecEvent, { type: T }>;

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

/** A close of the connection the session is on: retry while attempts are left, else closed. */
function closeOf(retryTarget: string, closedTarget: string) {
  return [
    { guard: 'canReconnect', target: retryTarget, actions: ['abandonCalls', 'recordConnectionLoss'] },
    { target: closedTarget },
  ] as const;
}

/**
 * The spec machine. Its ids are the real machine's (`session.streaming`, …) so that the two
 * definitions can be compared node by node.
 */
export const specMachine = setup({
  types: { context: {} as SpecContext, events: {} as SpecEvent },
  guards: {
    activityOpen: ({ context }) => context.activityOpen,
    canDeferActivityEnd: ({ context }) => context.activityOpen && !context.activityEndDeferred,
    noCallsPending: ({ context }) => context.pending.length === 0,
    goAwayAndNoCallsPending: ({ context }) => context.goAway && context.pending.length === 0,
    handleFresh: ({ context }) => context.handleFresh,
    hasFailedAttempts: ({ context }) => context.attempts > 0,
    canReconnect: ({ context, event }) =>
      event.type === 'transport.closed' && event.retryable && context.attempts < MAX_ATTEMPTS,
    /** A result for a pending call whose tool has not settled yet. */
    awaitedResult: ({ context, event }) =>
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
    deferActivityEnd: assign({ activityEndDeferred: true }),
    sendDeferredActivityEnd: assign(({ context }) =>
      context.activityEndDeferred ? { activityOpen: false, activityEndDeferred: false } : {},
    ),
    /** A deferred activityEnd for a connection the session leaves is lost (counted dropped). */
    giveUpDeferredActivityEnd: assign({ activityEndDeferred: false }),
    acceptToolCall: assign({
      pending: ({ context, event }) => {
        const { ids } = event as Ev<'server.toolCall'>;
        const fresh = ids.filter((id) => !context.pending.some((call) => call.id === id));
        return [...context.pending, ...fresh.map((id) => ({ id, batch: ids.join(','), settled: false }))];
      },
    }),
    /** Settles a call, then forgets every batch that has wholly settled (its toolResponse went out). */
    recordAnswer: assign(({ context, event }) => {
      const { id } = event as Ev<'tool.result'>;
      return afterAnswers(context, context.pending.map((call) => (call.id === id ? { ...call, settled: true } : call)));
    }),
    cancelCalls: assign(({ context, event }) => {
      const { ids } = event as Ev<'server.toolCallCancellation'>;
      return afterAnswers(context, context.pending.filter((call) => !ids.includes(call.id)));
    }),
    /** A result nobody waits for: an abandoned call's tool is done. */
    discardResult: assign({
      orphans: ({ context, event }) => context.orphans.filter((id) => id !== (event as Ev<'tool.result'>).id),
    }),
    recordGoAway: assign({ goAway: true }),
    storeResumptionHandle: assign({ handleFresh: true }),
    /** The connection is gone: its calls are abandoned, their tools run on. */
    abandonCalls: assign(({ context }) => ({
      pending: [],
      orphans: [...context.orphans, ...context.pending.filter((call) => !call.settled).map((call) => call.id)],
      activityEndDeferred: false,
    })),
    recordConnectionLoss: assign(({ context }) => ({ attempts: context.attempts + 1, goAway: false })),
    /** A new connection: no activity open on it yet. */
    startConnection: assign({ activityOpen: false }),
    recordReconnected: assign({ goAway: false }),
    forgiveReconnectAttempts: assign({ attempts: 0 }),
    /** Closed is final: nothing of the session's state matters any more. */
    forget: assign(initial),
  },
}).createMachine({
  id: 'session',
  context: initial,
  initial: 'idle',
  on: {
    CLOSE: '.closed',
    'mic.attach': notify,
    'mic.detach': notify,
    'mic.ended': notify,
    'server.content': notify,
    'server.usage': notify,
    'server.goAway': { actions: 'recordGoAway' },
    'server.resumptionUpdate': { actions: 'storeResumptionHandle' },
    'server.malformed': notify,
    'transport.error': notify,
    'transport.closed': '.closed',
    'server.toolCallCancellation': { actions: 'cancelCalls' },
    'tool.result': [{ guard: 'awaitedResult', actions: 'recordAnswer' }, { actions: 'discardResult' }],
    'server.toolCall': ignore,
    'server.setupComplete': ignore,
    'tool.executorIdle': ignore,
    'buffer.replay': ignore,
    'buffer.evicted': ignore,
    ...onEveryInput(drop),
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: { on: { CONNECT: 'connecting' } },
        connecting: {
          on: {
            'server.setupComplete': '#session.streaming',
            'transport.closed': closeOf('reconnecting.backoff', '#session.closed'),
          },
        },
        reconnecting: {
          initial: 'backoff',
          on: onEveryInput(drop),
          states: {
            awaitingFreshHandle: {
              always: { guard: 'handleFresh', target: 'opening' },
              on: {
                'timer.freshHandleWait': { target: 'opening', actions: 'notify' },
                'server.toolCall': { target: '#session.awaitingToolResponse', actions: 'acceptToolCall' },
                'server.resumptionUpdate': { target: 'opening', actions: 'storeResumptionHandle' },
                'transport.closed': { target: 'opening', actions: 'notify' },
              },
            },
            backoff: { on: { 'timer.reconnectBackoff': 'opening' } },
            opening: {
              entry: 'startConnection',
              on: {
                'server.setupComplete': { target: '#session.streaming', actions: 'recordReconnected' },
                'transport.closed': closeOf('backoff', '#session.closed'),
              },
            },
          },
        },
      },
    },
    streaming: {
      always: { guard: 'goAwayAndNoCallsPending', target: 'idle.reconnecting.awaitingFreshHandle' },
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
        'server.toolCall': { target: 'awaitingToolResponse', actions: 'acceptToolCall' },
        'server.goAway': { actions: 'recordGoAway' },
        'transport.closed': closeOf('idle.reconnecting.backoff', 'closed'),
        'timer.connectionStable': { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' },
      },
    },
    awaitingToolResponse: {
      always: [
        {
          guard: 'goAwayAndNoCallsPending',
          target: 'idle.reconnecting.awaitingFreshHandle',
          actions: 'giveUpDeferredActivityEnd',
        },
        { guard: 'noCallsPending', target: 'streaming', actions: 'sendDeferredActivityEnd' },
      ],
      on: {
        ...onEveryInput(drop),
        'input.activityEnd': [{ guard: 'canDeferActivityEnd', actions: 'deferActivityEnd' }, drop],
        'server.toolCall': { actions: 'acceptToolCall' },
        'transport.closed': closeOf('idle.reconnecting.backoff', 'closed'),
      },
    },
    closed: { type: 'final', entry: 'forget' },
  },
});

/** The context once answers are recorded or calls cancelled: a toolResponse makes the handle stale. */
function afterAnswers(context: SpecContext, pending: SpecCall[]): Partial<SpecContext> {
  const left = withoutSettledBatches(pending);
  const answered = pending.some((call) => call.settled && !left.includes(call));
  return { pending: left, handleFresh: answered ? false : context.handleFresh };
}

export type SpecSnapshot = SnapshotFrom<typeof specMachine>;

function withoutSettledBatches(pending: SpecCall[]): SpecCall[] {
  const open = new Set(pending.filter((call) => !call.settled).map((call) => call.batch));
  return pending.filter((call) => open.has(call.batch));
}

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

/**
 * What must reach the wire when `event` takes the spec from `prev` to `next`, in order: the input
 * forwarded while streaming; a toolResponse for each batch that a result or a cancellation has
 * wholly settled (without its cancelled calls); and, when the gate reopens to streaming, the
 * activityEnd it held back (one given up for a connection the session leaves never goes out).
 */
export function wireOf(prev: SpecSnapshot, event: SpecEvent, next: SpecSnapshot): SpecFrame[] {
  const frames: SpecFrame[] = [];
  if (prev.matches('streaming') && (INPUT_TYPES as readonly string[]).includes(event.type)) {
    const kind = event.type.slice('input.'.length);
    const open = prev.context.activityOpen;
    if ((kind !== 'activityStart' || !open) && (kind !== 'activityEnd' || open)) frames.push({ realtimeInput: kind });
  }
  const answers = event.type === 'tool.result' || event.type === 'server.toolCallCancellation';
  if (next.status === 'active' && answers) {
    const cancelled = event.type === 'server.toolCallCancellation' ? event.ids : [];
    const settledNow = event.type === 'tool.result' ? event.id : undefined;
    const batches = [...new Set(prev.context.pending.map((call) => call.batch))];
    for (const batch of batches) {
      if (next.context.pending.some((call) => call.batch === batch)) continue;
      const answered = prev.context.pending
        .filter((call) => call.batch === batch && (call.settled || call.id === settledNow) && !cancelled.includes(call.id))
        .map((call) => call.id);
      if (answered.length > 0) frames.push({ toolResponse: answered });
    }
  }
  if (prev.context.activityEndDeferred && next.matches('streaming') && !next.context.activityEndDeferred) {
    frames.push({ realtimeInput: 'activityEnd' });
  }
  return frames;
}

/**
 * The events that can really happen in a state, with their payloads. Server messages only reach
 * the machine once setup has completed (the connection actor holds them until then), tool
 * results only come for calls whose tool is running (pending, or abandoned with a lost
 * connection), and a toolCall never reuses the id of a call whose tool still runs. Timers: the
 * backoff is 0 ms in the paths' sessions (the driver waits for it to fire); the fresh-handle wait
 * and the stable-connection time are seconds long and left to the fuzz suites' fake clock.
 */
export function eventsFor(snapshot: SpecSnapshot): SpecEvent[] {
  if (snapshot.status !== 'active') return [];
  const app: SpecEvent[] = [
    { type: 'CLOSE' },
    ...INPUT_TYPES.map((type) => ({ type })),
    { type: 'mic.attach' },
    { type: 'mic.detach' },
    { type: 'mic.ended' },
  ];
  const { pending, orphans } = snapshot.context;
  const late: SpecEvent[] = orphans.map((id) => ({ type: 'tool.result', id, outcome: 'ok' }));
  const closes: SpecEvent[] = [
    { type: 'transport.closed', retryable: true },
    { type: 'transport.closed', retryable: false },
  ];
  if (snapshot.matches({ idle: 'disconnected' })) return [{ type: 'CONNECT' }, ...app];
  if (snapshot.matches({ idle: 'connecting' })) return [...app, { type: 'server.setupComplete' }, ...closes];
  if (snapshot.matches({ idle: { reconnecting: 'backoff' } })) return [...app, ...late, { type: 'timer.reconnectBackoff' }];
  if (snapshot.matches({ idle: { reconnecting: 'opening' } })) {
    return [...app, ...late, { type: 'server.setupComplete' }, ...closes];
  }
  const server: SpecEvent[] = [
    { type: 'server.setupComplete' },
    { type: 'server.content' },
    { type: 'server.usage' },
    { type: 'server.goAway' },
    { type: 'server.resumptionUpdate' },
    { type: 'server.malformed' },
    { type: 'transport.error' },
    { type: 'server.toolCallCancellation', ids: [STALE_ID] },
  ];
  if (snapshot.matches({ idle: { reconnecting: 'awaitingFreshHandle' } })) {
    // The old connection is still the current one; its close sends the session on at once.
    // A call of the connection being left; ids still in use (pending or abandoned) are not reused.
    const calls: SpecEvent[] = [SINGLE, PARALLEL]
      .filter((ids) => !ids.some((id) => pending.some((call) => call.id === id) || orphans.includes(id)))
      .map((ids) => ({ type: 'server.toolCall', ids: [...ids] }));
    return [...app, ...late, ...server, ...calls, { type: 'transport.closed', retryable: true }];
  }
  const running = (id: string) => pending.some((call) => call.id === id) || orphans.includes(id);
  const { goAway, handleFresh, attempts } = snapshot.context;
  // On one connection, everything; once a reconnect is under way or behind (a goAway announced,
  // an attempt counted, abandoned tools still running), only what bears on it: what else can
  // happen then was walked on the first connection, and repeating it for every such context
  // multiplies the paths past what runs in seconds.
  const plain = !goAway && attempts === 0 && orphans.length === 0;
  const events: SpecEvent[] = plain
    ? [...app, ...server, ...closes]
    : [{ type: 'CLOSE' }, { type: 'input.audio' }, ...late, ...closes];
  if (!goAway && !plain) events.push({ type: 'server.goAway' });
  if (!handleFresh && !plain) events.push({ type: 'server.resumptionUpdate' });
  for (const ids of [SINGLE, PARALLEL]) {
    if (!ids.some(running) && (plain || orphans.length === 0)) events.push({ type: 'server.toolCall', ids: [...ids] });
  }
  for (const call of pending) {
    events.push({ type: 'server.toolCallCancellation', ids: [call.id] });
    if (!call.settled) {
      events.push({ type: 'tool.result', id: call.id, outcome: 'ok' });
      events.push({ type: 'tool.result', id: call.id, outcome: 'error' });
    }
  }
  return events;
}
