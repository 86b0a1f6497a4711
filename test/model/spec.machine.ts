/**
 * The specification of the session, as a pure statechart for `createTestModel`: the same states
 * and transitions as `src/machines/session.machine.ts`, with none of its doing. It has no invokes,
 * no delays and no child actors (the test model refuses them); its context is only what decides
 * the next state and what must reach the wire, kept small and finite so that the graph of every
 * (state, event) pair can be walked:
 *
 * - three call ids: `a` comes alone, `b` and `c` come together (parallel calls of one toolCall);
 * - for each pending call, whether its tool has settled (its answer waits for the rest of its
 *   batch);
 * - the activity bracket: open, and whether an activityEnd is held back by the gate.
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
  | { type: 'transport.closed' }
  | { type: 'tool.result'; id: string; outcome: 'ok' | 'error' }
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
  activityOpen: boolean;
  activityEndDeferred: boolean;
}

/** What one step puts on the wire: a realtime input, or a toolResponse answering these ids. */
export type SpecFrame = { realtimeInput: string } | { toolResponse: string[] };

const initial = (): SpecContext => ({ pending: [], activityOpen: false, activityEndDeferred: false });

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
    acceptToolCall: assign({
      pending: ({ context, event }) => {
        const { ids } = event as Ev<'server.toolCall'>;
        const fresh = ids.filter((id) => !context.pending.some((call) => call.id === id));
        return [...context.pending, ...fresh.map((id) => ({ id, batch: ids.join(','), settled: false }))];
      },
    }),
    /** Settles a call, then forgets every batch that has wholly settled (its toolResponse went out). */
    recordAnswer: assign({
      pending: ({ context, event }) => {
        const { id } = event as Ev<'tool.result'>;
        return withoutSettledBatches(context.pending.map((call) => (call.id === id ? { ...call, settled: true } : call)));
      },
    }),
    cancelCalls: assign({
      pending: ({ context, event }) => {
        const { ids } = event as Ev<'server.toolCallCancellation'>;
        return withoutSettledBatches(context.pending.filter((call) => !ids.includes(call.id)));
      },
    }),
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
    'server.goAway': notify,
    'server.resumptionUpdate': notify,
    'server.malformed': notify,
    'transport.error': notify,
    'transport.closed': '.closed',
    'server.toolCall': ignore,
    'server.toolCallCancellation': ignore,
    'server.setupComplete': ignore,
    'tool.result': ignore,
    ...onEveryInput(drop),
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: { on: { CONNECT: 'connecting' } },
        connecting: { on: { 'server.setupComplete': '#session.streaming' } },
      },
    },
    streaming: {
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
        'server.toolCall': { target: 'awaitingToolResponse', actions: 'acceptToolCall' },
      },
    },
    awaitingToolResponse: {
      always: { guard: 'noCallsPending', target: 'streaming', actions: 'sendDeferredActivityEnd' },
      on: {
        ...onEveryInput(drop),
        'input.activityEnd': [{ guard: 'canDeferActivityEnd', actions: 'deferActivityEnd' }, drop],
        'server.toolCall': { actions: 'acceptToolCall' },
        'server.toolCallCancellation': { actions: 'cancelCalls' },
        'tool.result': [{ guard: 'awaitedResult', actions: 'recordAnswer' }, ignore],
      },
    },
    closed: { type: 'final', entry: 'forget' },
  },
});

export type SpecSnapshot = SnapshotFrom<typeof specMachine>;

function withoutSettledBatches(pending: SpecCall[]): SpecCall[] {
  const open = new Set(pending.filter((call) => !call.settled).map((call) => call.batch));
  return pending.filter((call) => open.has(call.batch));
}

/** The leaf state of a spec snapshot, as a dotted path: `idle.connecting`, `streaming`, … */
export function leafOf(snapshot: SpecSnapshot): string {
  const { value } = snapshot;
  if (typeof value === 'string') return value;
  const [parent, child] = Object.entries(value)[0] as [string, string];
  return `${parent}.${child}`;
}

/**
 * What must reach the wire when `event` takes the spec from `prev` to `next`, in order: the input
 * forwarded while streaming; a toolResponse for each batch that has wholly settled (without its
 * cancelled calls); and, when the gate reopens, the activityEnd it held back.
 */
export function wireOf(prev: SpecSnapshot, event: SpecEvent, next: SpecSnapshot): SpecFrame[] {
  const frames: SpecFrame[] = [];
  if (prev.matches('streaming') && (INPUT_TYPES as readonly string[]).includes(event.type)) {
    const kind = event.type.slice('input.'.length);
    const open = prev.context.activityOpen;
    if ((kind !== 'activityStart' || !open) && (kind !== 'activityEnd' || open)) frames.push({ realtimeInput: kind });
  }
  if (next.status === 'active') {
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
    if (prev.context.activityEndDeferred && !next.context.activityEndDeferred) frames.push({ realtimeInput: 'activityEnd' });
  }
  return frames;
}

/**
 * The events that can really happen in a state, with their payloads. Server messages only reach
 * the machine once setup has completed (the connection actor holds them until then), tool
 * results only come for calls whose tool is running, and a toolCall never reuses a pending id.
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
  if (snapshot.matches({ idle: 'disconnected' })) return [{ type: 'CONNECT' }, ...app];
  if (snapshot.matches({ idle: 'connecting' })) {
    return [...app, { type: 'server.setupComplete' }, { type: 'transport.closed' }];
  }
  const { pending } = snapshot.context;
  const isPending = (id: string) => pending.some((call) => call.id === id);
  const events: SpecEvent[] = [
    ...app,
    { type: 'server.setupComplete' },
    { type: 'server.content' },
    { type: 'server.usage' },
    { type: 'server.goAway' },
    { type: 'server.resumptionUpdate' },
    { type: 'server.malformed' },
    { type: 'transport.error' },
    { type: 'transport.closed' },
    { type: 'server.toolCallCancellation', ids: [STALE_ID] },
  ];
  for (const ids of [SINGLE, PARALLEL]) {
    if (!ids.some(isPending)) events.push({ type: 'server.toolCall', ids: [...ids] });
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
