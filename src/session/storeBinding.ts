/**
 * A session's store, bound to its actor: the persistence made with what it needs of the session,
 * the tool executor wrapped so that calls and outcomes are stored first, the snapshots watched,
 * the record put back once before the first connection, and the lease given back when the machine
 * stops. `createLiveSession` makes one when it has a `store`.
 */
import type { Actor, AnyEventObject, CallbackLogicFunction } from 'xstate';
import type { SessionMachine } from '../machines/session.machine.js';
import type { SessionEmitted, SessionEvent, ToolExecutorCommand, ToolExecutorInput } from '../machines/types.js';
import { describe, InternalError, LiveSessionError } from '../protocol/errors.js';
import type { ResolvedOptions } from './options.js';
import { createPersistence, type StoreMetrics } from './persistence.js';

type ExecutorLogic = CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput>;

/** What the binding needs of its session. */
export interface StoreHost {
  actor: Actor<SessionMachine>;
  /** Hands an event to the machine, as a step of the session. */
  step(event: SessionEvent): void;
  dispatch(event: SessionEmitted): void;
  isClosed(): boolean;
}

/** A session's store, bound. */
export interface StoreBinding {
  /** The session's tool executor, whose tools start once their calls are stored and whose outcomes reach the machine once stored. */
  tools(executor: ExecutorLogic): ExecutorLogic;
  /** Writes every snapshot's changes, and gives the lease back when the machine stops. Call before `actor.start()`. */
  watch(): void;
  /**
   * Takes the lease and puts the record back (once); rejects with the store's error (also an
   * `error` event), after which it may be tried again.
   */
  restore(): Promise<void>;
  /** The record is deleted when the session stops (the conversation is over). */
  deleteOnFinish(): void;
  /** Resolves once what was waiting is written and the lease given back. */
  finish(): Promise<void>;
  metrics(): StoreMetrics;
}

/** Binds the session's store, if it has one. */
export function bindStore(resolved: ResolvedOptions, host: StoreHost): StoreBinding | undefined {
  if (!resolved.store) return undefined;
  const { actor } = host;
  const persistence = createPersistence(resolved.store.store, resolved.settings.sessionId, resolved.store.options, {
    context: () => actor.getSnapshot().context,
    takenOver: (error) => {
      if (actor.getSnapshot().status === 'active') host.step({ type: 'session.takenOver', error });
    },
    reportError: (error) => host.dispatch({ type: 'error', error }),
  });
  let deleteRecord = false;
  let restoring: Promise<void> | undefined;
  const finish = () => persistence.finish({ deleteRecord });
  return {
    tools: (executor) => persistence.writeAhead(executor),
    watch() {
      // Snapshots, never the fast lane: a frame forwarded at rest costs the store nothing. The last
      // one (closed) is not written: calls it ends as lost stay open in the record, for the next owner.
      const stopped = () => void finish();
      actor.subscribe({ next: (snapshot) => snapshot.status === 'active' && persistence.observe(snapshot.context), complete: stopped, error: stopped });
    },
    restore() {
      restoring ??= persistence.open(resolved.settings.resumption).then(
        (restore) => {
          if (restore && !host.isClosed()) host.step(restore);
        },
        (error: unknown) => {
          restoring = undefined; // a later connect() tries again (after the holder's lease ran out, say)
          const failure = error instanceof LiveSessionError ? error : new InternalError(`the session store failed: ${describe(error)}`, { cause: error });
          if (!host.isClosed()) host.dispatch({ type: 'error', error: failure });
          throw failure;
        },
      );
      return restoring;
    },
    deleteOnFinish: () => (deleteRecord = true),
    finish,
    metrics: () => persistence.metrics(),
  };
}
