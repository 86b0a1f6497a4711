/**
 * How many cases the fuzz suites run, and how to replay a failure.
 *
 * - `FUZZ_RUNS`: total cases across the fuzz properties (default 1,200; `npm run fuzz` sets
 *   100,000). Each property takes its share.
 * - `FUZZ_SEED` and `FUZZ_PATH`: replay the case fast-check reported (`{ seed, path }` in its
 *   failure message), straight to the shrunk counterexample.
 */
import type { Parameters as FcParameters } from 'fast-check';

const DEFAULT_RUNS = 1_200;

/** Total fuzz cases of this run. */
export const TOTAL_RUNS = positive(process.env['FUZZ_RUNS']) ?? DEFAULT_RUNS;

/**
 * fast-check parameters for a property that takes `share` (0–1) of the total runs. `examples` run
 * first, every time: the edge cases that coverage must not leave to chance.
 */
export function fuzzParameters<T>(share: number, examples: T[] = []): FcParameters<T> {
  const parameters: FcParameters<T> = { numRuns: Math.max(1, Math.ceil(TOTAL_RUNS * share)), examples };
  const seed = process.env['FUZZ_SEED'];
  if (seed !== undefined && seed !== '') parameters.seed = Number(seed);
  const path = process.env['FUZZ_PATH'];
  if (path !== undefined && path !== '') parameters.path = path;
  return parameters;
}

/** A test timeout that grows with the number of cases: 20 s, plus 10 ms a case. */
export function fuzzTimeout(share: number): number {
  return 20_000 + Math.ceil(TOTAL_RUNS * share) * 10;
}

function positive(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs <= 0) throw new RangeError(`FUZZ_RUNS must be a positive integer, got ${value}`);
  return runs;
}
