/**
 * What the fuzz world hears from the session as an application would: errors, calls lost,
 * orphaned and cancelled, restarts and resumes, plus the case's re-entrant and throwing listeners.
 */
import type { World } from './world.js';

/** Runs world code called from inside the session, keeping what it finds wrong for `check()`. */
function guardedBy(world: World) {
  return <A extends unknown[], R>(run: (...args: A) => R): ((...args: A) => R | undefined) =>
    (...args) => {
      try {
        return run(...args);
      } catch (error) {
        world.inspectionFailure ??= error;
        return undefined;
      }
    };
}

/** Subscribes the world to its session. */
export function listenToSession(world: World): void {
  const { session, options } = world;
  const guarded = guardedBy(world);
  session.on('error', ({ error }) => world.errors.push(error));
  session.on(
    'toolCallsLost',
    guarded(({ calls, generation, reason }) => {
      world.replayWire();
      world.ledger.lose(calls.map((call) => call.id), generation - 1, reason);
    }),
  );
  session.on(
    'toolCallsOrphaned',
    guarded(({ calls, generation }) => {
      world.replayWire();
      world.ledger.orphan(calls.map((call) => call.id), generation - 1);
    }),
  );
  session.on(
    'toolCancelled',
    guarded(({ ids, implicit }) => {
      if (implicit) world.ledger.cancelByInput(ids);
    }),
  );
  session.on('sessionRestarted', () => (world.restarts += 1));
  session.on('reconnecting', ({ cause }) => world.resumes.reconnecting(cause, world.transport.frames.length));
  session.on('resumptionHandleStale', () => world.resumes.handleStale());
  session.on('inputDropped', ({ kind, reason }) => {
    // An activity signal evicted from the buffer: what the bracket will be is no longer the app's last word.
    if (reason === 'evicted' && (kind === 'activityStart' || kind === 'activityEnd')) world.owedBracket = undefined;
  });
  const { reentrant } = options;
  if (reentrant) {
    session.on(
      reentrant.on,
      guarded(() => {
        if (reentrant.act === 'close') void world.close();
        else if (reentrant.act === 'content') world.clientContent();
        else world.input(reentrant.act);
      }),
    );
  }
  if (options.throwingListener) {
    session.on(options.throwingListener, () => {
      throw new Error(`a listener of ${options.throwingListener} threw`);
    });
  }
}
