/**
 * Model-based tests: every path of the spec statechart, in each variant of the session, run
 * against the real session twice, through the scripted transport and through the real SDK
 * against the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorDriver, startFixture, type EmulatorFixture } from './emulatorDriver.js';
import { describePath, simplePaths, transitionPaths, type SpecPath } from './paths.js';
import { runPath } from './runPath.js';
import { scriptedDriver } from './scriptedDriver.js';
import { DEFAULT_VARIANT, VARIANTS, type Variant } from './spec.variants.js';
import type { Driver } from './drivers.js';

/**
 * Whether a path stays on one connection. The emulator runs those only: it sends resumption
 * updates of its own (after setup and every toolResponse), which the spec does not script, so a
 * reconnect through it would not follow the spec step by step. The scripted transport runs all.
 */
const oneConnection = (path: SpecPath) =>
  path.steps.every(
    ({ event, state }) =>
      event.type !== 'server.goAway' &&
      !(event.type === 'transport.closed' && state.matches({ idle: 'reconnecting' })) &&
      !state.matches({ idle: 'reconnecting' }),
  );

const runAll = async (paths: SpecPath[], driver: () => Driver) => {
  for (const path of paths) {
    try {
      await runPath(path, driver());
    } catch (error) {
      throw new Error(`path ${describePath(path)} failed: ${String(error)}`, { cause: error });
    }
  }
};

describe.each(VARIANTS.map((variant) => [variant.name, variant] as const))('with %s', (_name, variant: Variant) => {
  const shortest = transitionPaths(variant);
  const simple = variant === DEFAULT_VARIANT ? simplePaths(variant) : [];
  const onEmulator = shortest.filter(oneConnection);
  const simpleOnEmulator = simple.filter(oneConnection);
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await startFixture(variant.settings);
  });
  afterAll(async () => {
    await fixture.emulator.close();
  });

  // A few seconds each; the timeouts leave room for a loaded machine and coverage.
  const reach = variant.vertices === 'inputs' ? 'every state and input' : 'every transition';
  it(`runs the ${shortest.length} shortest paths to ${reach} through the scripted transport`, { timeout: 240_000 }, async () => {
    expect(shortest.length).toBeGreaterThan(0);
    await runAll(shortest, () => scriptedDriver(variant));
  });

  // A variant whose paths all reconnect (the old socket kept open needs a goAway) has none here.
  if (onEmulator.length > 0) {
    it(`runs the ${onEmulator.length} of them that stay on one connection through the real SDK against the emulator`, { timeout: 120_000 }, async () => {
      await runAll(onEmulator, () => emulatorDriver(fixture, variant));
    });
  }

  if (simple.length > 0) {
    it(`runs the ${simple.length} simple paths through the gate, through both`, { timeout: 120_000 }, async () => {
      await runAll(simple, () => scriptedDriver(variant));
      expect(simpleOnEmulator.length).toBe(simple.length);
      await runAll(simpleOnEmulator, () => emulatorDriver(fixture, variant));
    });
  }
});
