/**
 * Duration options: positive numbers of milliseconds, clamped to what a timer can wait.
 */
import { InvalidOptionsError } from '../protocol/errors.js';

/** The longest delay a timer can wait (2^31 − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration option: a positive number of milliseconds (or non-negative, with `zero`), clamped
 * to what a timer can wait, so that `Infinity` waits as long as a timer can. Anything else, `NaN`
 * among them, is refused with an {@link InvalidOptionsError} naming the option.
 */
export function duration(name: string, value: unknown, fallback: number, { zero = false } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!zero && value === 0)) {
    throw new InvalidOptionsError(`${name} must be a ${zero ? 'non-negative' : 'positive'} number of milliseconds, got ${String(value)}`);
  }
  return Math.min(Math.round(value), MAX_TIMER_MS);
}
