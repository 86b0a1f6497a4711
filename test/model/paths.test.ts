/**
 * Model-based tests: every path of the spec statechart, run against the real session twice,
 * through the scripted transport and through the real SDK against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorDriver, scriptedDriver, startFixture, type EmulatorFixture } from './drivers.js';
import { describePath, runPath, simplePaths, transitionPaths, type SpecPath } from './paths.js';

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
  ['scripted transport', () => scriptedDriver()],
  ['real SDK against the emulator', () => emulatorDriver(fixture)],
])('through the %s', (_name, driver) => {
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
  it(`runs the ${shortest.length} shortest paths to every transition`, { timeout: 60_000 }, async () => {
    expect(shortest.length).toBeGreaterThan(0);
    await runAll(shortest);
  });

  it(`runs the ${simple.length} simple paths through the gate`, { timeout: 60_000 }, async () => {
    expect(simple.length).toBeGreaterThan(0);
    await runAll(simple);
  });
});
