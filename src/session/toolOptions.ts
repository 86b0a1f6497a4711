/**
 * The session's tools, checked when the session is created: names the API accepts, each once, an
 * `execute` to run, a parameter schema that is an object, and sane timeouts.
 */
import { InvalidOptionsError } from '../protocol/errors.js';
import { isStandardSchema } from '../tools/standardSchema.js';
import type { AnyTool } from '../tools/types.js';
import { duration } from './durations.js';

/**
 * A function name the Live API accepts: a letter or an underscore first, then letters, digits,
 * underscores, dots, colons or dashes, 64 characters at most.
 */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const BEHAVIORS = new Set(['BLOCKING', 'NON_BLOCKING']);
const SCHEDULINGS = new Set(['SILENT', 'WHEN_IDLE', 'INTERRUPT']);

/** The tools, each checked; throws {@link InvalidOptionsError} naming the tool and the problem. */
export function checkTools(tools: unknown): readonly AnyTool[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) throw new InvalidOptionsError('tools must be an array');
  const seen = new Set<string>();
  return tools.map((tool: unknown, index) => {
    if (typeof tool !== 'object' || tool === null) throw new InvalidOptionsError(`tools[${index}] is not a tool`);
    const { name, execute, parameters, behavior, scheduling, timeoutMs } = tool as Partial<AnyTool>;
    const label = typeof name === 'string' ? `tool '${name}'` : `tools[${index}]`;
    if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
      throw new InvalidOptionsError(`${label}: a name must start with a letter or _ and hold only letters, digits, _ . : - (64 at most)`);
    }
    if (seen.has(name)) throw new InvalidOptionsError(`two tools are named '${name}'`);
    seen.add(name);
    if (typeof execute !== 'function') throw new InvalidOptionsError(`${label} needs execute()`);
    // A Standard Schema may be a function (arktype's are); any other schema is a plain object.
    const plainObject = typeof parameters === 'object' && parameters !== null && !Array.isArray(parameters);
    if (parameters !== undefined && !plainObject && !isStandardSchema(parameters)) {
      throw new InvalidOptionsError(`${label}: parameters must be a schema (a Standard Schema, JSON Schema or OpenAPI object)`);
    }
    if (behavior !== undefined && !BEHAVIORS.has(behavior)) throw new InvalidOptionsError(`${label}: behavior must be BLOCKING or NON_BLOCKING`);
    if (scheduling !== undefined && !SCHEDULINGS.has(scheduling)) {
      throw new InvalidOptionsError(`${label}: scheduling must be SILENT, WHEN_IDLE or INTERRUPT`);
    }
    // Checked here; the executor clamps it to what a timer can wait.
    duration(`${label} timeoutMs`, timeoutMs, 1);
    return tool as AnyTool;
  });
}
