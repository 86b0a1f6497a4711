/**
 * The activity bracket under fuzzing, with the detector in the loop: random runs of speech and
 * silence (digital, or faint noise) through WebRTC's detector in a session with `activity: 'vad'`,
 * interleaved with tool calls, their answers, dropped connections, goAways and time passing, under each
 * input policy. After every command the world (activityWorld.ts) checks I1, I4 and I5 on the
 * scripted server's wire and in `metrics()`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputPolicy } from '../../src/machines/types.js';
import { ActivityWorld, reached, type ActivityCommand, type ActivityWorldOptions } from './activityWorld.js';
import { processFailures, watchProcess } from './process.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

/** This suite's share of the fuzz runs (`FUZZ_RUNS`, 1,200 by default: 120 cases). */
const SHARE = 0.1;

const command: fc.Arbitrary<ActivityCommand> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('speech' as const), frames: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('silence' as const), frames: fc.integer({ min: 1, max: 60 }), noise: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'toolCall' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'answer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'goAway' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wait' as const }) },
);

const policy = fc.constantFrom<InputPolicy>('drop', { buffer: { maxMs: 300 } }, { buffer: { maxMs: 3_000 } });

/** An utterance across a tool call, its end while gated; one across a dropped connection. */
const EXAMPLE: [ActivityWorldOptions, ActivityCommand[]] = [
  { inputWhileGated: 'drop', inputWhileReconnecting: { buffer: { maxMs: 3_000 } }, preRollMs: 300 },
  [
    { kind: 'silence', frames: 20, noise: false },
    { kind: 'speech', frames: 30 },
    { kind: 'toolCall' },
    { kind: 'speech', frames: 10 },
    { kind: 'silence', frames: 40, noise: true },
    { kind: 'answer' },
    { kind: 'speech', frames: 30 },
    { kind: 'drop' },
    { kind: 'speech', frames: 5 },
    { kind: 'wait' },
    { kind: 'wait' },
    { kind: 'speech', frames: 10 },
    { kind: 'silence', frames: 40, noise: false },
  ],
];

/**
 * A start buffered while gated, the connection lost, the end dropped between connections (whose
 * policy drops): the new connection gets the start from the buffer, and an end of the session's own.
 */
const END_LOST: [ActivityWorldOptions, ActivityCommand[]] = [
  { inputWhileGated: { buffer: { maxMs: 3_000 } }, inputWhileReconnecting: 'drop', preRollMs: 0 },
  [{ kind: 'toolCall' }, { kind: 'speech', frames: 10 }, { kind: 'drop' }, { kind: 'silence', frames: 30, noise: false }, { kind: 'wait' }, { kind: 'wait' }],
];

let unwatch: () => void = () => undefined;
beforeAll(() => {
  unwatch = watchProcess();
});
afterAll(() => unwatch());

describe('the activity bracket with the detector in the loop', () => {
  it(
    'keeps I1, I4 and I5 on the wire through speech, silence, tool calls, answers, drops and goAways',
    async () => {
      const parameters = fuzzParameters<[ActivityWorldOptions, ActivityCommand[]]>(SHARE, [EXAMPLE, END_LOST]);
      await fc.assert(
        fc.asyncProperty(
          fc.record({ inputWhileGated: policy, inputWhileReconnecting: policy, preRollMs: fc.constantFrom(0, 300, 1_000) }),
          fc.array(command, { minLength: 1, maxLength: 40, size: 'max' }),
          async (options, commands) => {
            const world = new ActivityWorld(options);
            try {
              await world.start();
              for (const next of commands) await world.run(next);
              await world.finish();
            } finally {
              world.dispose();
            }
          },
        ),
        parameters,
      );
      expect(processFailures).toEqual([]);
      // Every path that matters was taken (a replay of one case, or a handful, reaches less).
      if (parameters.seed === undefined && (parameters.numRuns ?? 0) >= 100) {
        expect([...reached].sort()).toEqual(['acrossToolCall', 'endMadeUp', 'startHeldWhileGated', 'startMadeUp']);
      }
    },
    fuzzTimeout(SHARE),
  );
});
