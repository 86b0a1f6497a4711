/**
 * The machine's guards: the questions its transitions ask of the context and the event.
 */
import type { ActivitySignal, SessionContext, SessionEvent } from './types.js';

type GuardArgs = { context: SessionContext; event: SessionEvent };

/** Whether the activity bracket is open on the wire once the held-back signals have gone out. */
export function bracketOpenAfter(activityOpen: boolean, deferred: readonly ActivitySignal[]): boolean {
  return deferred.reduce((open, signal) => signal === 'activityStart', activityOpen);
}

/** The policy input is buffered by: while gated if that buffers, else between connections; none if neither does. */
export function bufferingPolicy(context: SessionContext): { buffer: { maxMs: number } } | undefined {
  const { inputWhileGated, inputWhileReconnecting } = context.settings;
  if (inputWhileGated !== 'drop') return inputWhileGated;
  return inputWhileReconnecting !== 'drop' ? inputWhileReconnecting : undefined;
}

/** Whether any call the server waits on holds the gate. */
export function hasBlockingPending(context: SessionContext): boolean {
  for (const key in context.pending) if (context.pending[key]?.blocking) return true;
  return false;
}

/** The session machine's guards, by name. */
export const guards = {
  /** The event came from the current connection (not one we have left). */
  isCurrentGeneration: ({ context, event }: GuardArgs) => 'generation' in event && event.generation === context.generation,
  /** The event came from a connection that is still open: the current one, or one a goAway is leaving. */
  isFromOpenConnection: ({ context, event }: GuardArgs) =>
    'generation' in event && context.openConnections.includes(event.generation),
  hasOpenActivity: ({ context }: GuardArgs) => context.activityOpen,
  /** While gated: an activityStart may wait for the gate when the bracket would be closed by then. */
  canDeferActivityStart: ({ context }: GuardArgs) => !bracketOpenAfter(context.activityOpen, context.deferredActivity),
  /** While gated: an activityEnd may wait for the gate when the bracket would be open by then. */
  canDeferActivityEnd: ({ context }: GuardArgs) => bracketOpenAfter(context.activityOpen, context.deferredActivity),
  hasBlockingCallsPending: ({ context }: GuardArgs) => hasBlockingPending(context),
  /**
   * `whileBlockingCall: 'interrupt'`, a blocking call to cancel, and input that will go out: an
   * activity signal the bracket would drop reaches no server, so it cancels nothing.
   */
  interruptsBlockingCalls: ({ context, event }: GuardArgs) =>
    context.settings.whileBlockingCall === 'interrupt' &&
    hasBlockingPending(context) &&
    !(event.type === 'input.activityStart' && context.activityOpen) &&
    !(event.type === 'input.activityEnd' && !context.activityOpen),
  /**
   * Conversation content that ends the user's turn (`turnComplete: true`), under 'interrupt' with a
   * blocking call to cancel. Content that does not end the turn interrupts nothing, and the server
   * does not cancel the call for it: it is held, so that the call still gets its answer.
   */
  contentInterruptsBlockingCalls: ({ context, event }: GuardArgs) =>
    event.type === 'input.clientContent' && event.turnComplete && context.settings.whileBlockingCall === 'interrupt' && hasBlockingPending(context),
  /** A tool result for a call of its connection that is pending and not yet answered. */
  isAwaitedResult: ({ context, event }: GuardArgs) => {
    if (event.type !== 'tool.result') return false;
    const call = context.pending[event.key];
    return call !== undefined && call.generation === event.generation && call.answer === undefined;
  },
  /** A tool result for an orphaned call (its connection is gone) whose outcome was not known yet. */
  isOrphanResult: ({ context, event }: GuardArgs) => {
    if (event.type !== 'tool.result') return false;
    const entry = context.ledger[event.key];
    return entry !== undefined && entry.state === 'orphaned' && entry.outcome === undefined && entry.generation === event.generation;
  },
  bufferWhileGated: ({ context }: GuardArgs) => context.settings.inputWhileGated !== 'drop',
  /**
   * The buffer holds input (or its replay is on its way): input that comes later must not
   * overtake it. Never so in `streaming` at rest: the replay is done within the step that entered it.
   */
  holdsBufferedInput: ({ context }: GuardArgs) => context.counters.buffered > 0 && bufferingPolicy(context) !== undefined,
  bufferWhileReconnecting: ({ context }: GuardArgs) => context.settings.inputWhileReconnecting !== 'drop',
  /** The current connection closed, a new one may mend it, and attempts are left. */
  canRetryCurrentConnection: ({ context, event }: GuardArgs) =>
    event.type === 'transport.closed' &&
    event.generation === context.generation &&
    event.error.retryable &&
    context.reconnectAttempts < context.settings.maxReconnectAttempts,
  goAwayAnnounced: ({ context }: GuardArgs) => context.goAwayDeadline !== undefined,
  /**
   * After a goAway, the moment to resume: no blocking call pending, no activity bracket open, the
   * model idle, and the newest handle resumable and issued after the last answer.
   */
  atTurnBoundary: ({ context }: GuardArgs) =>
    !hasBlockingPending(context) &&
    !context.activityOpen &&
    context.modelIdle &&
    (!context.settings.resumption || (context.handleIsFresh && context.handleResumable)),
  /**
   * The current connection, opened to resume a session, closed right away (before setup, or
   * within the loop window after it) with 1007 or the same close as before: resuming again would
   * loop. A fresh session is tried, while attempts are left.
   */
  isResumeLoop: ({ context, event }: GuardArgs) => {
    if (event.type !== 'transport.closed' || event.generation !== context.generation || !context.resumed) return false;
    if (context.reconnectAttempts >= context.settings.maxReconnectAttempts) return false;
    const soon = context.connectedAt === undefined || context.clock.now() - context.connectedAt <= context.settings.resumeLoopWindowMs;
    if (!soon || !('closeCode' in event.error) || typeof event.error.closeCode !== 'number') return false;
    const { closeCode, reason } = event.error;
    return closeCode === 1007 || (context.lastClose?.code === closeCode && context.lastClose.reason === reason);
  },
  hasFailedAttempts: ({ context }: GuardArgs) => context.reconnectAttempts > 0,
  /** Resuming now would not lose anything: no toolResponse nor conversation content went out since the newest handle. */
  handleIsFresh: ({ context }: GuardArgs) => context.handleIsFresh || !context.settings.resumption,
  isResumableUpdate: ({ event }: GuardArgs) => event.type === 'server.resumptionUpdate' && event.resumable && !!event.handle,
};
