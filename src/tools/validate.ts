/**
 * Checks a call's arguments (and, in `results.ts`, a tool's result) with the tool's own schema:
 * a Standard Schema by its own `~standard.validate`, a JSON Schema by `@cfworker/json-schema`, the
 * OpenAPI subset by the same validator once converted to the JSON Schema it means.
 *
 * Nothing here throws or rejects: a validator that fails, or a schema it cannot read, is reported
 * as an issue like any other, so that the call still gets its one answer.
 */
import { describe } from '../protocol/errors.js';
import type { AnyTool } from './types.js';
import { fromStandardIssues, type ToolIssue } from './issues.js';
import { checkJsonSchema } from './jsonSchemaValidator.js';
import { openApiToJsonSchema } from './openApi.js';
import { schemaForm, type ToolSchema } from './schema.js';
import type { StandardResult, StandardSchemaV1 } from './standardSchema.js';

/** The outcome of a check: the value to use (a Standard Schema's output), or what was wrong. */
export type SchemaCheck =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: readonly ToolIssue[]; readonly cause?: unknown };

const invalid = (issues: ToolIssue[], cause?: unknown): SchemaCheck =>
  cause === undefined ? { ok: false, issues } : { ok: false, issues, cause };

// The JSON Schema an OpenAPI-subset schema means, converted once per schema object.
const converted = new WeakMap<object, object>();

function asJsonSchema(schema: object): object {
  let json = converted.get(schema);
  if (!json) {
    json = openApiToJsonSchema(schema) as object;
    converted.set(schema, json);
  }
  return json;
}

/** A value now, or later: checks stay synchronous unless the validator itself is async. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether a value is a promise (or any thenable) rather than a settled value. */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Runs `next` on a value now, or once it settles; keeps a synchronous chain synchronous. */
export function andThen<T, U>(value: MaybePromise<T>, next: (settled: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromiseLike(value) ? value.then(next) : next(value);
}

const validatorFailed = (error: unknown): SchemaCheck =>
  invalid([{ path: [], message: `could not be checked, the validator failed: ${describe(error)}` }], error);

/**
 * Checks a value against a schema of any of the three forms. Synchronous unless the schema is a
 * Standard Schema whose validator is async (so a tool still starts in the tick its call came);
 * never throws, and a promise it returns never rejects.
 *
 * @example
 * ```ts
 * await checkAgainstSchema(z.object({ n: z.number().min(1) }), { n: 0 });
 * // { ok: false, issues: [{ path: ['n'], message: 'Too small: expected number to be >=1' }] }
 * ```
 */
export function checkAgainstSchema(schema: ToolSchema, value: unknown): MaybePromise<SchemaCheck> {
  try {
    const form = schemaForm(schema, 'a schema');
    if (form === 'standard') {
      const result = (schema as StandardSchemaV1)['~standard'].validate(value);
      const toCheck = (settled: StandardResult<unknown>): SchemaCheck =>
        settled.issues ? invalid(fromStandardIssues(settled.issues)) : { ok: true, value: settled.value };
      // `catch` after `then`: a malformed result (no `issues` list) fails in toCheck, and is caught too.
      return isPromiseLike(result) ? Promise.resolve(result).then(toCheck).catch(validatorFailed) : toCheck(result);
    }
    const issues = checkJsonSchema(form === 'openApi' ? asJsonSchema(schema) : schema, value);
    return issues.length > 0 ? invalid(issues) : { ok: true, value };
  } catch (error) {
    return validatorFailed(error);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a call's arguments for a tool: an object, fitting `parameters`, and accepted by the
 * tool's `parseArgs` when it has one. The value is what `execute` gets: a Standard Schema's
 * output (its transforms and defaults applied), else the arguments, or what `parseArgs` made
 * of them. Synchronous unless the schema validates asynchronously; never throws or rejects.
 *
 * @example
 * ```ts
 * const checked = await validateArgs(tool, call.args);
 * if (!checked.ok) return answerError(formatIssues('args', checked.issues));
 * await tool.execute(checked.value, context);
 * ```
 */
export function validateArgs(tool: AnyTool, args: unknown): MaybePromise<SchemaCheck> {
  if (!isPlainObject(args)) return invalid([{ path: [], message: 'must be an object' }]);
  const checked = tool.parameters === undefined ? { ok: true as const, value: args } : checkAgainstSchema(tool.parameters, args);
  return andThen(checked, (settled) => {
    if (!settled.ok || !tool.parseArgs) return settled;
    try {
      return { ok: true, value: tool.parseArgs(settled.value as Parameters<NonNullable<AnyTool['parseArgs']>>[0]) };
    } catch (error) {
      return invalid([{ path: [], message: describe(error) }], error);
    }
  });
}
