/**
 * Race fuzzing, interleaving by interleaving: the application, the server, the clock and every
 * tool run concurrently, and `fc.scheduler` decides which of them moves next, down to single
 * promise continuations (no flush between two moves). I1–I7 are checked after every move. A
 * failure prints the shrunk plan and the scheduler's report: which task ran in which order.
 */
import fc from 'fast-check';
import { describe, it, vi } from 'vitest';
import { BAD_INPUTS, BAD_MICS, type BadInput, type BadMic } from './inputs.js';
import { flush, watchProcessDuringSuite } from './process.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';
import { BEHAVIOURS } from './tools.js';
import { PROFILE_NAMES } from './profiles.js';
import { ALL_NOISE, CLOSES, type Side } from './server.js';
import { World } from './world.js';
import { CONNECT_TIMEOUT_MS, INPUT_KINDS, LISTENED, REENTRANT_ACTS, REENTRANT_ON } from './worldOptions.js';

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
  { arbitrary: fc.constantFrom(...(Object.keys(BAD_INPUTS) as BadInput[])).map((name) => move(`app.bad(${name})`, (w) => w.badInput(name))), weight: 1 },
  { arbitrary: fc.constantFrom(...(Object.keys(BAD_MICS) as BadMic[])).map((name) => move(`app.badMic(${name})`, (w) => w.badMic(name))), weight: 1 },
  { arbitrary: fc.constant(move('mic.frame', (w) => w.micFrame())), weight: 3 },
  { arbitrary: fc.boolean().map((fails) => move(fails ? 'mic.fail' : 'mic.end', (w) => w.endMic(fails))), weight: 1 },
  { arbitrary: fc.constant(move('mic.detach', (w) => w.detachMic())), weight: 1 },
  { arbitrary: fc.constant(move('app.clientContent', (w) => w.clientContent())), weight: 1 },
  {
    arbitrary: fc.constantFrom<'BLOCKING' | 'NON_BLOCKING'>('BLOCKING', 'NON_BLOCKING').map((behavior) => move(`app.updateTools(${behavior})`, (w) => w.updateTools(behavior))),
    weight: 1,
  },
  { arbitrary: fc.constant(move('app.close', (w) => w.close())), weight: 1 },
);

/** The newest connection, more often, or the old one a goAway left. */
const side = fc.constantFrom<Side>('newest', 'newest', 'old');
/** Whether the server can speak on a side now. */
const canSpeak = (w: World, on: Side) => w.server.canSpeak(on);
const prefix = (on: Side) => (on === 'old' ? 'server.old' : 'server');

const serverMove: fc.Arbitrary<Move> = fc.oneof(
  {
    arbitrary: fc
      .record({
        behaviours: fc.array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 3 }),
        on: side,
        junk: fc.boolean(),
        again: fc.option(fc.nat(7), { nil: undefined, freq: 3 }),
      })
      .map(({ behaviours, on, junk, again }) =>
        move(
          `${prefix(on)}.toolCall(${behaviours.join(',')}${again === undefined ? '' : `, again #${again}`}${junk ? ', junk' : ''})`,
          (w) => canSpeak(w, on) && w.server.toolCall(behaviours, { side: on, junk, again }),
        ),
      ),
    weight: 6,
  },
  {
    arbitrary: fc
      .array(fc.constantFrom(...BEHAVIOURS), { minLength: 1, maxLength: 3 })
      .map((behaviours) => move(`server.toolCallBeforeSetup(${behaviours.join(',')})`, (w) => w.canCallBeforeSetup && w.server.toolCall(behaviours))),
    weight: 1,
  },
  {
    arbitrary: fc
      .record({ picks: fc.array(fc.nat(7), { minLength: 1, maxLength: 3 }), stale: fc.boolean(), on: side })
      .map(({ picks, stale, on }) =>
        move(`${prefix(on)}.cancel(#${picks.join(',#')}${stale ? ', stale' : ''})`, (w) => canSpeak(w, on) && w.server.cancel(picks, stale, on)),
      ),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constantFrom(...ALL_NOISE), on: side }).map(({ kind, on }) => move(`${prefix(on)}.${kind}`, (w) => canSpeak(w, on) && w.server.noise(kind, on))),
    weight: 3,
  },
  {
    arbitrary: fc.record({ close: fc.constantFrom(...CLOSES), on: side }).map(({ close, on }) =>
      move(`${prefix(on)}.close(${close[0]} ${close[1]})`, (w) => canSpeak(w, on) && w.server.close(close[0], close[1], on)),
    ),
    weight: 1,
  },
  { arbitrary: fc.constant(move('server.accept', (w) => w.server.isConnecting && w.server.accept())), weight: 1 },
);

/** Time passes, up to a connect timeout (a setup that never completes). */
const clockMove: fc.Arbitrary<Move> = fc
  .integer({ min: 1, max: CONNECT_TIMEOUT_MS + 100 })
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
            // The server starts with a goAway: the session leaves that connection while everyone moves.
            goAwayFirst: fc.boolean(),
            profile: fc.constantFrom(...PROFILE_NAMES),
            workBehavior: fc.constantFrom<'BLOCKING' | 'NON_BLOCKING' | undefined>(undefined, undefined, 'BLOCKING', 'NON_BLOCKING'),
            orphanedResults: fc.constantFrom<'asContext' | 'discard' | undefined>(undefined, undefined, 'discard'),
            toolTimeoutMs: fc.constantFrom(50, 1_000),
            everyFrame: fc.boolean(),
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
              const opening = [move('server.accept', (w) => w.server.accept())];
              if (plan.goAwayFirst) opening.push(move('server.goAway', (w) => w.server.isConnected && w.server.noise('goAway')));
              sequence([...opening, ...plan.server]);
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
