/**
 * Race fuzzing, command by command: fast-check generates sequences of everything the
 * application, the server, the tools and the clock can do, runs them against a real session over
 * the scripted transport (`fc.asyncModelRun`), and checks I1–I7 after every command. Tool results
 * go through `fc.scheduler`, which decides the order in which they settle. A failure prints the
 * shrunk command sequence and the scheduler's report of what settled when.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { InputPolicy } from '../../src/machines/types.js';
import { anyCommand } from './commands.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';
import { LISTENED, REENTRANT_ACTS, REENTRANT_ON, watchProcessDuringSuite, World } from './world.js';

const SHARE = 0.6;

watchProcessDuringSuite();

describe('the session under random commands', () => {
  it(
    'keeps I1–I7 after every command',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.record({
            // Most runs start connected; the others race the connect itself.
            connected: fc.nat(3).map((n) => n > 0),
            toolTimeoutMs: fc.constantFrom(50, 1_000),
            // Input while gated dropped (the default), or buffered and replayed when the gate reopens.
            inputWhileGated: fc.constantFrom<InputPolicy | undefined>(undefined, { buffer: { maxMs: 500 } }),
            throwingListener: fc.option(fc.constantFrom(...LISTENED), { nil: undefined }),
            reentrant: fc.option(fc.record({ on: fc.constantFrom(...REENTRANT_ON), act: fc.constantFrom(...REENTRANT_ACTS) }), {
              nil: undefined,
            }),
          }),
          fc.commands([anyCommand], { maxCommands: 60, size: '+1' }),
          async (scheduler, options, commands) => {
            const world = new World({ scheduler, ...options });
            try {
              if (options.connected) {
                world.connect();
                world.accept();
              }
              await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
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
