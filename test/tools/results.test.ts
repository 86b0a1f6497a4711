/**
 * checkResult: a result schema checks what a tool returns, the result is sent as JSON, and one
 * over the size limit becomes a RESULT_TOO_LARGE error outcome rather than a frame the server
 * would refuse.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { AnyTool } from '../../src/index.js';
import { ToolError } from '../../src/protocol/index.js';
import { checkResult, DEFAULT_MAX_RESULT_BYTES, type ResultOutcome } from '../../src/tools/results.js';

const call = { id: 'c1', name: 'r', args: {} };
const tool = (extra: Partial<AnyTool> = {}): AnyTool => ({ name: 'r', execute: () => null, ...extra });
const limits = { maxResultBytes: DEFAULT_MAX_RESULT_BYTES };

function errorOf(outcome: ResultOutcome): ToolError {
  if (outcome.status !== 'error') throw new Error(`expected an error outcome, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

describe('checkResult', () => {
  it('sends any JSON value, and null for undefined', async () => {
    expect(await checkResult(tool(), { a: [1, 'b'] }, call, limits)).toEqual({ status: 'ok', output: { a: [1, 'b'] } });
    expect(await checkResult(tool(), 'plain', call, limits)).toEqual({ status: 'ok', output: 'plain' });
    expect(await checkResult(tool(), undefined, call, limits)).toEqual({ status: 'ok', output: null });
  });

  it('checks a Standard Schema result and sends its output', async () => {
    const result = z.object({ tempC: z.number(), at: z.date().transform((date) => date.toISOString()) });
    const at = new Date('2026-11-20T10:00:00Z');
    expect(await checkResult(tool({ result }), { tempC: 18, at }, call, limits)).toEqual({
      status: 'ok',
      output: { tempC: 18, at: '2026-11-20T10:00:00.000Z' },
    });
    const error = errorOf(await checkResult(tool({ result }), { tempC: 'warm', at }, call, limits));
    expect(error).toBeInstanceOf(ToolError);
    expect(error.code).toBe('INVALID_RESULT');
    expect(error.reason).toBe("'r' returned a result that does not fit its result schema: result.tempC: Invalid input: expected number, received string");
  });

  it('checks a JSON Schema result against the JSON form the model gets', async () => {
    const result = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { at: { type: 'string' } }, required: ['at'] };
    expect(await checkResult(tool({ result }), { at: new Date(0) }, call, limits)).toEqual({ status: 'ok', output: { at: '1970-01-01T00:00:00.000Z' } });
    expect(errorOf(await checkResult(tool({ result }), {}, call, limits)).reason).toMatch(/result\.at: is required$/);
  });

  it('refuses a result that is not JSON, as before', async () => {
    expect(errorOf(await checkResult(tool(), 10n, call, limits)).reason).toMatch(/not JSON-serialisable/);
    expect(errorOf(await checkResult(tool(), () => 1, call, limits)).reason).toBe("'r' returned a function, which is not JSON-serialisable");
  });

  it('turns a result over the session limit into RESULT_TOO_LARGE, naming both sizes', async () => {
    const big = 'x'.repeat(DEFAULT_MAX_RESULT_BYTES);
    const error = errorOf(await checkResult(tool(), big, call, limits));
    expect(error.code).toBe('RESULT_TOO_LARGE');
    expect(error.reason).toBe("'r' returned 1.0 MiB of JSON, over its limit of 1 MiB; ask for less");
    expect(error.toolName).toBe('r');
    expect(error.callId).toBe('c1');
    // Exactly at the limit is fine: the JSON of a string is the string and its two quotes.
    expect(await checkResult(tool(), 'x'.repeat(DEFAULT_MAX_RESULT_BYTES - 2), call, limits)).toMatchObject({ status: 'ok' });
  });

  it('counts UTF-8 bytes, not characters', async () => {
    // 400 characters of 3 bytes each: 1,202 bytes of JSON, over a 1 KiB limit.
    expect(errorOf(await checkResult(tool(), '€'.repeat(400), call, { maxResultBytes: 1024 })).reason).toBe(
      "'r' returned 1.2 KiB of JSON, over its limit of 1 KiB; ask for less",
    );
    expect(await checkResult(tool(), 'e'.repeat(400), call, { maxResultBytes: 1024 })).toMatchObject({ status: 'ok' });
  });

  it("lets a tool's own maxResultBytes win over the session's", async () => {
    expect(errorOf(await checkResult(tool({ maxResultBytes: 10 }), { text: 'more than ten' }, call, limits)).code).toBe('RESULT_TOO_LARGE');
    expect(await checkResult(tool({ maxResultBytes: 100 }), { text: 'more than ten' }, call, { maxResultBytes: 10 })).toMatchObject({ status: 'ok' });
  });
});
