/**
 * Model-based tests: every path of the spec statechart, run against the real session twice,
 * through the scripted transport and through the real SDK against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorDriver, startFixture, type EmulatorFixture } from './emulatorDriver.js';
import { scriptedDriver } from './scriptedDriver.js';
import { describePath, runPath, simplePaths, transitionPaths, type SpecPath } from './paths.js';

/**
 * Whether a path stays on one connection. The emulator runs those only: it sends resumption
 * updates of its own (after setup and every toolResponse), which the spec does not script, so a
 * reconnect through it would not follow the spec step by step. The scripted transport runs all.
 */
const oneConnection = (path: SpecPath) =>
  path.steps.every(
    ({ event, state }) =>
      event.type !== 'server.goAway' &&
      !(event.type === 'transport.closed' && event.retryable) &&
      !state.matches({ idle: 'reconnecting' }),
  );

const shortest = transitionPaths();
const simple = simplePaths();

let fixture: EmulatorFixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe.each([
  ['scripted transport', () => scriptedDriver(), (_path: SpecPath) => true],
  ['real SDK against the emulator', () => emulatorDriver(fixture), oneConnection],
])('through the %s', (_name, driver, runs) => {
  const runAll = async (paths: SpecPath[]) => {
    for (const path of paths) {
      try {
        await runPath(path, driver());
      } catch (error) {
        throw new Error(`path ${describePath(path)} failed: ${String(error)}`, { cause: error });
      }
    }
  };

  // A few seconds each; the timeout leaves room for a loaded machine and coverage.
  const shortestHere = shortest.filter(runs);
  const simpleHere = simple.filter(runs);

  it(`runs the ${shortestHere.length} shortest paths to every transition`, { timeout: 60_000 }, async () => {
    expect(shortestHere.length).toBeGreaterThan(0);
    await runAll(shortestHere);
  });

  it(`runs the ${simpleHere.length} simple paths through the gate`, { timeout: 60_000 }, async () => {
    expect(simpleHere.length).toBeGreaterThan(0);
    await runAll(simpleHere);
  });
});
