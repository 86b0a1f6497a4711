/**
 * Connections: opened one generation after another, resumed with the newest resumable handle,
 * left after a goAway (at the latest when its time is nearly up), and retried after a retryable
 * close. A connection that ends takes the calls made on it with it: they are reported as lost.
 */
import { assertEvent } from 'xstate';
import type { LiveSessionError } from '../../protocol/errors.js';
import { goAwayDueIn } from '../delays.js';
import { baseSetup, connectionId } from '../setup.js';
import type { ReconnectCause, SessionContext, SessionEmitted } from '../types.js';

/** How long a goAway's timeLeft is taken to be when the server gives none. */
const DEFAULT_GO_AWAY_MS = 10_000;

/** The id of the delayed `goAway.due` event, so that it can be cancelled. */
const GO_AWAY_DUE = 'goAwayDue';

/** The event that tells the application the session is between connections. */
function reconnecting(context: SessionContext, cause: ReconnectCause, error: LiveSessionError | undefined): SessionEmitted {
  return { type: 'reconnecting', cause, attempt: context.reconnectAttempts + 1, error };
}

/** The connection actions, by name. */
export const connectionActions = {
  /** Opens a new connection: the next generation, with the newest resumption handle. */
  startConnection: baseSetup.enqueueActions(({ context, enqueue }) => {
    const generation = context.generation + 1;
    enqueue.assign({
      generation,
      activityOpen: false,
      openConnections: [...context.openConnections, generation],
      connectedAt: undefined,
      resumed: context.settings.resumption && context.resumptionHandle !== undefined,
    });
    enqueue.spawnChild('connection', {
      id: connectionId(generation),
      input: { generation, resumptionHandle: context.resumptionHandle },
    });
  }),

  /** Closes every connection but the current one that no call is still waiting on. */
  stopIdleConnections: baseSetup.enqueueActions(({ context, enqueue }) => {
    const busy = new Set(Object.values(context.pending).map((call) => call.generation));
    const idle = context.openConnections.filter((generation) => generation !== context.generation && !busy.has(generation));
    if (idle.length === 0) return;
    for (const generation of idle) enqueue.stopChild(connectionId(generation));
    enqueue.assign({ openConnections: context.openConnections.filter((generation) => !idle.includes(generation)) });
  }),

  emitConnected: baseSetup.enqueueActions(({ context, enqueue }) => {
    enqueue.assign({ connectedAt: context.clock.now() });
    enqueue.emit({ type: 'connected', generation: context.generation });
  }),

  emitReconnected: baseSetup.enqueueActions(({ context, enqueue }) => {
    enqueue.cancel(GO_AWAY_DUE);
    enqueue.emit({ type: 'reconnected', generation: context.generation, resumed: context.resumptionHandle !== undefined });
    const now = context.clock.now();
    enqueue.assign({
      goAwayDeadline: undefined,
      lastError: undefined,
      connectedAt: now,
      reconnectedAt: now,
      counters: { ...context.counters, reconnects: context.counters.reconnects + 1 },
    });
  }),

  storeResumptionHandle: baseSetup.assign(({ event }) => {
    assertEvent(event, 'server.resumptionUpdate');
    // A handle that is not resumable (the model is generating, or a call is pending) is not kept.
    return event.resumable && event.handle ? { resumptionHandle: event.handle, handleIsFresh: true, handleResumable: true } : { handleResumable: event.resumable };
  }),

  /**
   * A resumed session keeps dying: its handle goes, and the next connection starts a fresh
   * session, seeded with the conversation so far.
   */
  startFreshSession: baseSetup.assign(({ event }) => {
    assertEvent(event, 'transport.closed');
    const { error } = event;
    const close = 'closeCode' in error ? `${String(error.closeCode)} ${error.reason}` : error.reason;
    return { resumptionHandle: undefined, restartReason: `the resumed session closed again (${close})` };
  }),

  /** A handle the server no longer knows must not be tried again. */
  forgetStaleHandle: baseSetup.assign(({ event }) => {
    assertEvent(event, 'transport.closed');
    return 'kind' in event.error && event.error.kind === 'sessionNotFound' ? { resumptionHandle: undefined } : {};
  }),

  /**
   * Notes when the server will close this connection and tells the application; `goAway.due`
   * comes before then, so the session leaves in time even if nothing else happens.
   */
  recordGoAway: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'server.goAway');
    const timeLeftMs = event.timeLeftMs ?? DEFAULT_GO_AWAY_MS;
    enqueue.assign({ goAwayDeadline: context.clock.now() + timeLeftMs });
    enqueue.cancel(GO_AWAY_DUE);
    enqueue.raise({ type: 'goAway.due' }, { id: GO_AWAY_DUE, delay: goAwayDueIn(timeLeftMs) });
    enqueue.emit({ type: 'goAway', timeLeftMs: event.timeLeftMs });
  }),

  announceGoAwayReconnect: baseSetup.emit(({ context }) => reconnecting(context, 'goAway', undefined)),

  /** Resuming with a handle issued before the last toolResponse: the application is told. */
  announceStaleHandle: baseSetup.emit(({ context }) => ({ type: 'resumptionHandleStale' as const, handle: context.resumptionHandle })),

  /** A retryable close: one more attempt made, the error kept for the end. */
  recordConnectionLoss: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'transport.closed');
    enqueue.cancel(GO_AWAY_DUE);
    enqueue.emit(reconnecting(context, 'connectionLost', event.error));
    enqueue.emit({ type: 'error', error: event.error });
    enqueue.assign({
      reconnectAttempts: context.reconnectAttempts + 1,
      lastError: event.error,
      goAwayDeadline: undefined,
      counters: { ...context.counters, errors: context.counters.errors + 1 },
    });
  }),

  // Only a connection that stays up earns back the attempts: one that the server drops right
  // after setup must not make the session retry forever.
  forgiveReconnectAttempts: baseSetup.assign({ reconnectAttempts: 0 }),
};
