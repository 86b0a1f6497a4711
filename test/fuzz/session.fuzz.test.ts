/**
 * Race fuzzing, command by command: fast-check generates sequences of everything the
 * application, the server, the tools and the clock can do, runs them against a real session over
 * the scripted transport (`fc.asyncModelRun`), and checks I1–I7 after every command. Tool results
 * go through `fc.scheduler`, which decides the order in which they settle. A failure prints the
 * shrunk command sequence and the scheduler's report of what settled when.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InputPolicy } from '../../src/machines/types.js';
import { anyCommand } from './commands.js';
import { flush, watchProcessDuringSuite } from './process.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';
import { CALL_MOVES } from '../../src/machines/ledger/lifecycle.js';
import { PROFILE_NAMES } from './profiles.js';
import { World } from './world.js';
import { ledgerStatesSeen, LISTENED, REENTRANT_ACTS, REENTRANT_ON, toolCallsHeard } from './worldOptions.js';

const SHARE = 0.6;
/** Longer than the first reconnect's backoff, shorter than the tool timeout of that start. */
const RECONNECT_WAIT_MS = 600;

/**
 * Where a case starts: before connecting (it races the connect itself), connected, just after a
 * goAway (with a call running or not: the session leaves at a turn boundary, or waits), just
 * after a connection was lost with a call running (orphaned), on the next connection after the
 * model made that orphaned call again (its outcome goes to the new call), or, on a model whose
 * old socket stays open after a goAway, on the new connection gated by calls still running on
 * the old one, or backing off after the new connection was refused while the old one still calls
 * (so that every state an old connection's call can come in is reached, not by luck).
 */
const STARTS = ['fresh', 'connected', 'connected', 'goAway', 'goAwayWithCall', 'lostWithCall', 'calledAgain', 'gatedByOld', 'backoffWithOld'] as const;

/** The starts on a model whose old socket stays open after a goAway. */
const KEEPS_OLD: readonly (typeof STARTS)[number][] = ['gatedByOld', 'backoffWithOld'];

async function start(world: World, from: (typeof STARTS)[number]): Promise<void> {
  if (from === 'fresh') return;
  world.connect();
  await flush();
  world.server.accept();
  if (from === 'calledAgain') await flush();
  if (from === 'goAwayWithCall' || from === 'lostWithCall' || from === 'calledAgain') world.server.toolCall(['async']);
  if (from === 'goAway' || from === 'goAwayWithCall') world.server.noise('goAway');
  if (from === 'lostWithCall' || from === 'calledAgain') world.server.close(1006, '');
  if (from === 'calledAgain') {
    // The session reconnects after its backoff, before the orphaned call times out; the model
    // calls the orphaned tool again there.
    await world.advance(RECONNECT_WAIT_MS);
    world.server.accept();
    await flush();
    world.server.toolCall(['async'], { again: 0 });
  }
  if (KEEPS_OLD.includes(from)) world.server.noise('goAway');
  await flush();
  if (from === 'gatedByOld') {
    // A call on the old connection while the new one opens, then one while it is gated by it.
    world.server.toolCall(['async'], { side: 'old' });
    world.server.accept();
    await flush();
    world.server.toolCall(['async'], { side: 'old' });
    await flush();
  }
  if (from === 'backoffWithOld') {
    // The new connection is refused: the session backs off, and the old one calls meanwhile.
    world.server.refuse(1011, 'internal');
    await flush();
    world.server.toolCall(['async'], { side: 'old' });
    await flush();
  }
  world.check();
}

watchProcessDuringSuite();

describe('the session under random commands', () => {
  it(
    'keeps I1–I7 after every command, and reaches a toolCall from the old connection in every state it can come in',
    async () => {
      const parameters = fuzzParameters(SHARE);
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.record({
            start: fc.constantFrom(...STARTS),
            toolTimeoutMs: fc.constantFrom(50, 1_000),
            // Input while gated dropped (the default), or buffered and replayed when the gate reopens.
            inputWhileGated: fc.constantFrom<InputPolicy | undefined>(undefined, { buffer: { maxMs: 500 } }),
            profile: fc.constantFrom(...PROFILE_NAMES),
            workBehavior: fc.constantFrom<'BLOCKING' | 'NON_BLOCKING' | undefined>(undefined, undefined, 'BLOCKING', 'NON_BLOCKING'),
            orphanedResults: fc.constantFrom<'asContext' | 'discard' | undefined>(undefined, undefined, 'discard'),
            // Frames through the fast lane, or every frame an event for an inspector.
            everyFrame: fc.boolean(),
            throwingListener: fc.option(fc.constantFrom(...LISTENED), { nil: undefined }),
            reentrant: fc.option(fc.record({ on: fc.constantFrom(...REENTRANT_ON), act: fc.constantFrom(...REENTRANT_ACTS) }), {
              nil: undefined,
            }),
          }),
          fc.commands([anyCommand], { maxCommands: 60, size: '+1' }),
          async (scheduler, { start: from, ...options }, commands) => {
            // The old connection stays open only where the profile keeps it.
            const world = new World({
              scheduler,
              ...options,
              ...(KEEPS_OLD.includes(from) ? { profile: 'keepsOld' as const } : {}),
              ...(from === 'calledAgain' ? { toolTimeoutMs: 1_000 } : {}),
            });
            try {
              await start(world, from);
              await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
              await world.finish();
            } finally {
              world.dispose();
            }
          },
        ),
        parameters,
      );
      // What the cases reached, so that the old connection's calls are fuzzed in every state they
      // can come in, not by luck. (A replay of one case, or a handful of cases, reaches less.)
      if (parameters.seed === undefined && (parameters.numRuns ?? 0) >= 500) {
        expect([...toolCallsHeard].sort()).toEqual(
          expect.arrayContaining(['awaitingToolResponse on old', 'idle.reconnecting.backoff on old', 'idle.reconnecting.opening on old']),
        );
        // Every state of the ledger was reached.
        expect([...ledgerStatesSeen].sort()).toEqual([...Object.keys(CALL_MOVES)].sort());
      }
    },
    fuzzTimeout(SHARE),
  );
});
