/**
 * What a tool returned, made into what the model gets: checked by the tool's `result` schema when
 * it has one, as JSON, and within the size limit. Every failure is an error outcome with its own
 * code, never a throw, so that an oversized or malformed result cannot close the socket.
 */
import { ToolError, describe } from '../protocol/errors.js';
import type { FunctionCall, JsonValue } from '../protocol/messages.js';
import type { AnyTool } from './types.js';
import { formatIssues } from './issues.js';
import { schemaForm } from './schema.js';
import { andThen, checkAgainstSchema, type MaybePromise } from './validate.js';

/** The default bound on one result: 1 MiB of JSON. */
export const DEFAULT_MAX_RESULT_BYTES = 1024 * 1024;

/** A tool's result as the model gets it (the machine sends `{ output }`), or why it cannot be. */
export type ResultOutcome = { status: 'ok'; output: JsonValue } | { status: 'error'; error: ToolError };

/** Limits that apply to a result. */
export interface ResultLimits {
  /** The most bytes of UTF-8 JSON a result may take; the tool's own `maxResultBytes` wins. */
  maxResultBytes: number;
}

/**
 * Checks what a tool returned. `undefined` becomes `null`. A Standard Schema `result` checks the
 * value itself (its output is what is sent); a plain `result` schema checks the JSON form, which
 * is what the model sees. Synchronous unless the result schema validates asynchronously; never
 * throws or rejects.
 *
 * @example
 * ```ts
 * const outcome = await checkResult(tool, await tool.execute(args, context), call, { maxResultBytes: 1 << 20 });
 * ```
 */
export function checkResult(tool: AnyTool, result: unknown, call: FunctionCall, limits: ResultLimits): MaybePromise<ResultOutcome> {
  const failure = (code: 'INVALID_RESULT' | 'RESULT_TOO_LARGE', reason: string, cause?: unknown): ResultOutcome => ({
    status: 'error',
    error: new ToolError(code, reason, call, { cause }),
  });
  const schema = tool.result;
  if (schema === undefined || !isStandard(schema)) {
    const outcome = toJson(result, call, tool.maxResultBytes ?? limits.maxResultBytes, failure);
    if (schema === undefined || outcome.status === 'error') return outcome;
    return andThen(checkAgainstSchema(schema, outcome.output), (checked) =>
      checked.ok ? outcome : failure('INVALID_RESULT', doesNotFit(call, checked.issues), checked.cause),
    );
  }
  return andThen(checkAgainstSchema(schema, result), (checked) =>
    checked.ok
      ? toJson(checked.value, call, tool.maxResultBytes ?? limits.maxResultBytes, failure)
      : failure('INVALID_RESULT', doesNotFit(call, checked.issues), checked.cause),
  );
}

/** The value as JSON within the limit, or why it cannot be sent. */
function toJson(
  value: unknown,
  call: FunctionCall,
  limit: number,
  failure: (code: 'INVALID_RESULT' | 'RESULT_TOO_LARGE', reason: string, cause?: unknown) => ResultOutcome,
): ResultOutcome {
  let json: string | undefined;
  try {
    json = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return failure('INVALID_RESULT', `'${call.name}' returned a value that is not JSON-serialisable: ${describe(error)}`, error);
  }
  if (json === undefined) return failure('INVALID_RESULT', `'${call.name}' returned a ${typeof value}, which is not JSON-serialisable`);
  const bytes = utf8Length(json, limit);
  if (bytes > limit) {
    return failure(
      'RESULT_TOO_LARGE',
      `'${call.name}' returned ${formatBytes(bytes)} of JSON, over its limit of ${formatBytes(limit)}; ask for less`,
    );
  }
  return { status: 'ok', output: JSON.parse(json) as JsonValue };
}

function isStandard(schema: NonNullable<AnyTool['result']>): boolean {
  try {
    return schemaForm(schema, 'result') === 'standard';
  } catch {
    return false;
  }
}

const doesNotFit = (call: FunctionCall, issues: Parameters<typeof formatIssues>[1]) =>
  `'${call.name}' returned a result that does not fit its result schema: ${formatIssues('result', issues)}`;

/**
 * The UTF-8 size of a string, or a number under the limit when it is surely under it: a UTF-16
 * unit takes at most 3 bytes (a surrogate pair, 2 units, takes 4), so most results need no
 * encoding to be measured.
 */
function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  return new TextEncoder().encode(text).byteLength;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
