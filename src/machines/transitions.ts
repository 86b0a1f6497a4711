/**
 * Transitions the chart repeats, named: what every input does in a state, what an event from a
 * connection does only if that connection is current (or still open), and what the loss of the
 * current connection does.
 */

/** The realtime input event types. */
export const INPUT_EVENTS = [
  'input.audio',
  'input.video',
  'input.text',
  'input.activityStart',
  'input.activityEnd',
  'input.audioStreamEnd',
] as const;

type InputEventType = (typeof INPUT_EVENTS)[number];

/** `{ 'input.audio': config, … }` for every input event type. */
export function onEveryInput<T>(config: T): Record<InputEventType, T> {
  return Object.fromEntries(INPUT_EVENTS.map((type) => [type, config])) as Record<InputEventType, T>;
}

type ActionList = readonly string[];

/** Input that must wait behind input still in the buffer (see `holdsBufferedInput`): buffered, and the buffer flushed again. */
export const behindBuffered = { guard: 'holdsBufferedInput', actions: ['bufferBehindBuffered', 'flushBuffer'] } as const;

/** The event's actions if it came from the current connection; otherwise it is stale, and ignored. */
export function fromCurrent<const A extends ActionList>(actions: A) {
  return [{ guard: 'isCurrentGeneration', actions }, { actions: 'ignoreStaleEvent' }] as const;
}

/** The event's actions if it came from a connection still open; otherwise it is stale, and ignored. */
export function fromOpen<const A extends ActionList>(actions: A) {
  return [{ guard: 'isFromOpenConnection', actions }, { actions: 'ignoreStaleEvent' }] as const;
}

/** What a close does that is not the current connection's to retry. */
const unlessRetried = [
  { guard: 'isCurrentGeneration', target: '#session.closed', actions: ['recordServerClose', 'reportError'] },
  { actions: ['loseConnection', 'stopIdleConnections'] },
] as const;

/**
 * The current connection closed: reconnect (to `retryTarget`) while the close is retryable and
 * attempts are left, otherwise close the session. An older connection's close only takes its own
 * calls with it.
 */
export function whenConnectionLost<const T extends string>(retryTarget: T) {
  return [
    { guard: 'isResumeLoop', target: retryTarget, actions: ['loseConnection', 'startFreshSession', 'recordConnectionLoss'] },
    { guard: 'canRetryCurrentConnection', target: retryTarget, actions: ['loseConnection', 'forgetStaleHandle', 'recordConnectionLoss'] },
    ...unlessRetried,
  ] as const;
}

/** {@link whenConnectionLost} from `awaitingToolResponse`: the gate reopens on the way out. */
export function whenGatedConnectionLost<const T extends string>(retryTarget: T) {
  return [
    {
      guard: 'isResumeLoop',
      target: retryTarget,
      actions: ['emitGateOpened', 'giveUpDeferredActivity', 'loseConnection', 'startFreshSession', 'recordConnectionLoss'],
    },
    {
      guard: 'canRetryCurrentConnection',
      target: retryTarget,
      actions: ['emitGateOpened', 'giveUpDeferredActivity', 'loseConnection', 'forgetStaleHandle', 'recordConnectionLoss'],
    },
    ...unlessRetried,
  ] as const;
}

/**
 * A tool result: the answer of a call its connection waits on; the outcome of an orphaned call
 * (then `then` too: on a connection that streams, it reaches the conversation now); or nobody's
 * (a cancelled call's), discarded.
 */
export function resultOf<const A extends ActionList>(then: A) {
  return [
    { guard: 'isAwaitedResult', actions: ['recordAnswer', 'answerSettledBatches', 'stopIdleConnections'] },
    { guard: 'isOrphanResult', actions: ['settleOrphan', 'answerSettledBatches', ...then] },
    { actions: 'discardToolResult' },
  ] as const;
}

/** The goAway is due: leave for a new connection now, saying so if the handle is stale. */
export function leaveOnGoAwayDue() {
  return [
    { guard: 'handleIsFresh', target: '#session.idle.reconnecting.opening', actions: ['announceGoAwayReconnect'] },
    { target: '#session.idle.reconnecting.opening', actions: ['announceGoAwayReconnect', 'announceStaleHandle'] },
  ] as const;
}

/** {@link leaveOnGoAwayDue} from `awaitingToolResponse`: the gate reopens on the way out. */
export function leaveGatedOnGoAwayDue() {
  return [
    {
      guard: 'handleIsFresh',
      target: '#session.idle.reconnecting.opening',
      actions: ['emitGateOpened', 'giveUpDeferredActivity', 'announceGoAwayReconnect'],
    },
    {
      target: '#session.idle.reconnecting.opening',
      actions: ['emitGateOpened', 'giveUpDeferredActivity', 'announceGoAwayReconnect', 'announceStaleHandle'],
    },
  ] as const;
}
