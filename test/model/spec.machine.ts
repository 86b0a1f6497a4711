/**
 * The specification of the session, as a pure statechart for `createTestModel`: the same states
 * and transitions as `src/machines/session.machine.ts`, with none of its doing. It has no invokes,
 * no delays and no child actors (the test model refuses them): the real chart's delays are
 * explicit events here (`timer.reconnectBackoff`, `timer.connectionStable`), which `mirror.ts`
 * matches with the real `after` transitions, and so is the event the real chart raises itself
 * before a goAway's deadline (`goAway.due`). Its context is only what decides the next state and
 * what must reach the wire, small and finite so that every (state, event) pair can be walked:
 *
 * - the settings of the session (`SpecSettings`): whether the old socket closes before a resume,
 *   'gate' or 'interrupt' on a model whose input cancels a blocking call, a BLOCKING or
 *   NON_BLOCKING tool, whether the model reports its interaction status. Each set is a variant
 *   of its own (`spec.variants.ts`);
 * - two connections at most, named by role: the `current` one, and an `old` one a goAway left,
 *   still open while calls made on it wait for their answer (only where the old socket is not
 *   closed first); every server event says which one it comes from;
 * - three call ids: `a` comes alone, `b` and `c` together (parallel calls of one toolCall); for
 *   each pending call its connection and whether its answer is known; the orphans (calls whose
 *   connection went before their answer could go out there), whose outcome reaches the
 *   conversation on the next connection that streams; the ids whose outcome did, which a call
 *   made again gets at once;
 * - the activity bracket, the signals held back while gated, the conversation content held;
 * - the model's activity (idle or not), the goAway and its `goAway.due`, the resumption handle
 *   (held, fresh, resumable, resumed with), the last close, and a fresh session to seed;
 * - the failed reconnect attempts, bounded by {@link MAX_ATTEMPTS}; input between connections is
 *   dropped (the paths' sessions use `inputWhileReconnecting: 'drop'`; buffering is left to the
 *   fuzz suites).
 *
 * Every action appends what it sends to a frame log (`spec.context.ts`), so the wire a path must
 * see comes from the same transitions as its states.
 *
 * `mirror.test.ts` checks that this chart and the real one have the same states and the same
 * (state, event) transitions; `paths.test.ts` runs every path of it (`spec.walk.ts` says which
 * events can happen where) against the real session.
 */
import type { SnapshotFrom } from 'xstate';
import { specActions, specGuards, specSetup } from './spec.actions.js';
import { initialSpecState } from './spec.context.js';
import { DEFAULT_SETTINGS, INPUT_TYPES, type InputType } from './spec.types.js';

export * from './spec.types.js';
export { serializeSpec, type LoggedFrame, type SpecState } from './spec.context.js';

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

/**
 * A close: the current connection's, retried (a resume that loops starts a fresh session) or the
 * end of the session; an old one's only takes its calls with it. `before` runs first on a retry.
 */
function closeOf<const T extends string, const B extends readonly string[]>(retryTarget: T, before: B) {
  return [
    { guard: 'isResumeLoop', target: retryTarget, actions: [...before, 'loseCurrent', 'startFreshSession', 'recordConnectionLoss'] },
    { guard: 'canReconnect', target: retryTarget, actions: [...before, 'loseCurrent', 'recordConnectionLoss'] },
    { guard: 'fromCurrent', target: '#session.closed' },
    { actions: ['loseOld', 'stopIdleConnections'] },
  ] as const;
}

/** A tool result: an awaited call's answer, an orphan's outcome (`then` too), or nobody's. */
function resultOf<const A extends readonly string[]>(then: A) {
  return [
    { guard: 'awaitedResult', actions: ['recordAnswer', 'stopIdleConnections'] },
    { guard: 'orphanResult', actions: ['settleOrphan', ...then] },
    { actions: 'discardResult' },
  ] as const;
}

/** Input while gated: under 'interrupt' it cancels the blocking calls and goes round again; otherwise `held`. */
const gated = <const H extends readonly unknown[]>(...held: H) => [{ guard: 'interrupts', actions: 'cancelBlockingCallsImplicitly' }, ...held] as const;

/**
 * The spec machine. Its ids are the real machine's (`session.streaming`, …) so that the two
 * definitions can be compared node by node. Its input is the variant's settings.
 */
export const specMachine = specSetup.extend({ guards: specGuards, actions: specActions }).createMachine({
  id: 'session',
  context: ({ input }) => initialSpecState(input ?? DEFAULT_SETTINGS),
  initial: 'idle',
  on: {
    CLOSE: '.closed',
    'session.takenOver': '.closed',
    'mic.attach': notify,
    'mic.detach': notify,
    'mic.ended': notify,
    'server.toolCall': [{ guard: 'fromOpen', actions: 'acceptToolCall' }, { actions: 'reportLostToolCall' }],
    'server.toolCallCancellation': fromOpen(['cancelCalls', 'stopIdleConnections']),
    'tool.result': resultOf([]),
    'server.content': fromOpen('trackModelActivity'),
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
    'tools.update': { actions: 'updateTools' },
    ...onEveryInput(drop),
    'input.clientContent': { actions: 'holdContent' },
    'activity.preRoll': notify,
    'activity.speech': notify,
    'activity.error': notify,
  },
  states: {
    idle: {
      initial: 'disconnected',
      states: {
        disconnected: { on: { CONNECT: 'connecting', 'session.restore': notify } },
        connecting: {
          entry: 'startConnection',
          on: {
            'server.setupComplete': { guard: 'fromCurrent', target: '#session.streaming', actions: 'recordConnected' },
            'transport.closed': closeOf('reconnecting.backoff', []),
          },
        },
        reconnecting: {
          initial: 'backoff',
          on: onEveryInput(drop),
          states: {
            backoff: { on: { 'timer.reconnectBackoff': 'opening' } },
            opening: {
              entry: ['leaveCurrentConnection', 'startConnection'],
              on: {
                'server.setupComplete': {
                  guard: 'fromCurrent',
                  target: '#session.streaming',
                  actions: ['stopIdleConnections', 'recordReconnected'],
                },
                'transport.closed': closeOf('backoff', []),
              },
            },
          },
        },
      },
    },
    streaming: {
      entry: 'enterStreaming',
      always: [
        { guard: 'blockingCallsPending', target: 'awaitingToolResponse' },
        { guard: 'goAwayAtTurnBoundary', target: 'idle.reconnecting.opening', actions: 'dropReraise' },
        // The input that cancelled the blocking calls, once the gate is open (no target: a step of its own in the real chart).
        { guard: 'hasReraise', actions: 'applyReraise' },
      ],
      on: {
        'input.audio': forward,
        'input.video': forward,
        'input.text': forward,
        'input.audioStreamEnd': forward,
        'input.activityStart': [{ guard: 'activityOpen', actions: 'drop' }, forward],
        'input.activityEnd': [{ guard: 'activityOpen', actions: 'forward' }, drop],
        'input.clientContent': forward,
        'buffer.replay': ignore,
        'tool.result': resultOf(['deliverOrphanedResults']),
        'goAway.due': { target: '#session.idle.reconnecting.opening', actions: 'goAwayDueCame' },
        'transport.closed': closeOf('idle.reconnecting.backoff', []),
        'timer.connectionStable': { guard: 'hasFailedAttempts', actions: 'forgiveReconnectAttempts' },
      },
    },
    awaitingToolResponse: {
      always: { guard: 'noBlockingCallsPending', target: 'streaming', actions: 'sendDeferredActivity' },
      on: {
        ...onEveryInput(gated(drop)),
        'input.activityStart': gated({ guard: 'canDeferActivityStart', actions: 'deferActivity' }, drop),
        'input.activityEnd': gated({ guard: 'canDeferActivityEnd', actions: 'deferActivity' }, drop),
        'input.clientContent': gated({ actions: 'holdContent' }),
        // The goAway's time is nearly up with a call still running: move on; it is orphaned, or answered on the old connection.
        'goAway.due': { target: '#session.idle.reconnecting.opening', actions: ['giveUpDeferred', 'goAwayDueCame'] },
        'transport.closed': closeOf('idle.reconnecting.backoff', ['giveUpDeferred']),
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
  'idle.reconnecting.backoff',
  'idle.reconnecting.opening',
  'streaming',
  'awaitingToolResponse',
  'closed',
] as const;
