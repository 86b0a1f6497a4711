/**
 * Race fuzzing, interleaving by interleaving: the application, the server, the clock and every
 * tool run concurrently, and `fc.scheduler` decides which of them moves next, down to single
 * promise continuations (no flush between two moves). I1–I7 are checked after every move. A
 * failure prints the shrunk plan and the scheduler's report: which task ran in which order.
 */
import fc from 'fast-check';
import { describe, it, vi } from 'vitest';
import { fuzzParameters, fuzzTimeout } from './runs.js';
import {
  BEHAVIOURS,
  CLOSE_CODES,
  flush,
  INPUT_KINDS,
  LISTENED,
  NOISE,
  REENTRANT_ACTS,
  REENTRANT_ON,
  watchProcessDuringSuite,
  World,
} from './world.js';

const SHARE = 0.4;

/** One move of an actor: a label for the report, and what it does to the world. */
interface Move {
  label: string;
  run(world: World): unknown;
  [fc.toStringMethod](): string;
}

/** A move prints as its label in a counterexample. */
const move = (label: string, run: Move['run']): Move => ({ label, run, [fc.toStringMethod]: () => label });

const appMove: fc.Arbitrary<Move> = fc.oneof(
  { arbitrary: fc.constantFrom(...INPUT_KINDS).map((kind) => move(`app.${kind}`, (w) => w.input(kind))), weight: 8 },
  { arbitrary: fc.constant(move('mic.frame', (w) => w.micFrame())), weight: 3 },
  { arbitrary: fc.boolean().map((fails) => move(fails ? 'mic.fail' : 'mic.end', (w) => w.endMic(fails))), weight: 1 },
  { arbitrary: fc.constant(move('mic.detach', (w) => w.detachMic())), weight: 1 },
  { arbitrary: fc.constant(move('app.close', (w) => w.close())), weight: 1 },
);

const serverMove: fc.Arbitrary<Move> = fc.oneof(
  {
    arbitrary: fc
      .array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 3 })
      .map((behaviours) => move(`server.toolCall(${behaviours.join(',')})`, (w) => w.isConnected && w.toolCall(behaviours))),
    weight: 6,
  },
  {
    arbitrary: fc
      .record({ picks: fc.array(fc.nat(7), { minLength: 1, maxLength: 3 }), stale: fc.boolean() })
      .map(({ picks, stale }) => move(`server.cancel(#${picks.join(',#')}${stale ? ', stale' : ''})`, (w) => w.isConnected && w.cancel(picks, stale))),
    weight: 3,
  },
  { arbitrary: fc.constantFrom(...NOISE).map((kind) => move(`server.${kind}`, (w) => w.isConnected && w.noise(kind))), weight: 2 },
  { arbitrary: fc.constantFrom(...CLOSE_CODES).map((code) => move(`server.close(${code})`, (w) => w.isConnected && w.serverClose(code))), weight: 1 },
);

const clockMove: fc.Arbitrary<Move> = fc
  .integer({ min: 1, max: 1_500 })
  .map((ms) => move(`clock.advance(${ms})`, () => vi.advanceTimersByTimeAsync(ms).then(() => undefined)));

watchProcessDuringSuite();

describe('the session under every interleaving', () => {
  it(
    'keeps I1–I7 whichever of the application, the server, the clock and the tools moves first',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.record({
            app: fc.array(appMove, { maxLength: 16 }),
            server: fc.array(serverMove, { maxLength: 10 }),
            clock: fc.array(clockMove, { maxLength: 3 }),
            toolTimeoutMs: fc.constantFrom(50, 1_000),
            throwingListener: fc.option(fc.constantFrom(...LISTENED), { nil: undefined }),
            reentrant: fc.option(fc.record({ on: fc.constantFrom(...REENTRANT_ON), act: fc.constantFrom(...REENTRANT_ACTS) }), {
              nil: undefined,
            }),
          }),
          async (scheduler, plan) => {
            const world = new World({ scheduler, ...plan });
            const sequence = (moves: Move[]) =>
              scheduler.scheduleSequence(moves.map(({ label, run }) => ({ label, builder: async () => run(world) })));
            try {
              world.connect();
              // The server completes setup while the application is already talking.
              sequence([move('server.accept', (w) => w.accept()), ...plan.server]);
              sequence(plan.app);
              sequence(plan.clock);
              while (scheduler.count() > 0) {
                await scheduler.waitNext(1);
                world.check(false);
              }
              await flush();
              world.check();
              await world.finish();
            } finally {
              world.dispose();
            }
          },
        ),
        fuzzParameters(SHARE),
      );
    },
    fuzzTimeout(SHARE),
  );
});
