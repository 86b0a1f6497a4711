/**
 * Inspection helpers. Every session accepts any XState inspection observer through its
 * `inspect` option; these turn the inspection stream into something a person can read.
 *
 * @packageDocumentation
 */
export { createStateLogger, stateName } from './stateLogger.js';
export type { StateLoggerOptions } from './stateLogger.js';
