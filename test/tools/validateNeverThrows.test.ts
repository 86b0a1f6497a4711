/**
 * Validation never throws and never rejects, whatever the schema and the arguments: a schema the
 * validator cannot read is an issue like any other (issue 11 found a `type` list that made the
 * old hand-written checker throw). Schemas are random JSON with schema keywords mixed in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyTool } from '../../src/index.js';
import { checkResult } from '../../src/tools/results.js';
import { validateArgs } from '../../src/tools/validate.js';

const keyword = fc.constantFrom('type', 'properties', 'items', 'anyOf', 'oneOf', 'required', 'enum', 'nullable', 'minimum', 'maxItems', 'pattern', 'format', '$ref', 'additionalProperties', 'const');
const typeName = fc.constantFrom('string', 'STRING', 'object', 'OBJECT', 'array', 'ARRAY', 'integer', 'null', 'NULL', 'TYPE_UNSPECIFIED', 'date');
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), typeName, fc.array(typeName, { maxLength: 3 }));
const schema: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  node: fc.dictionary(fc.oneof(keyword, fc.string({ maxLength: 4 })), fc.oneof({ depthSize: 'small' }, value, tie('node'), fc.array(tie('node'), { maxLength: 2 })), { maxKeys: 5 }),
})).node as fc.Arbitrary<Record<string, unknown>>;
const withDialect = fc.tuple(schema, fc.boolean()).map(([node, json]) => (json ? { ...node, $schema: 'https://json-schema.org/draft/2020-12/schema' } : node));

describe('validation never throws', () => {
  it('validateArgs settles with ok or issues for any schema and arguments', async () => {
    await fc.assert(
      fc.asyncProperty(withDialect, fc.jsonValue({ maxDepth: 3 }), async (parameters, args) => {
        const tool: AnyTool = { name: 't', parameters, execute: () => null };
        const checked = await validateArgs(tool, args);
        expect(typeof checked.ok).toBe('boolean');
        if (!checked.ok) expect(checked.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });

  it('checkResult settles with an outcome for any result schema and result', async () => {
    await fc.assert(
      fc.asyncProperty(withDialect, fc.jsonValue({ maxDepth: 3 }), async (result, returned) => {
        const tool: AnyTool = { name: 't', result, execute: () => null };
        const outcome = await checkResult(tool, returned, { id: 'c', name: 't', args: {} }, { maxResultBytes: 1024 });
        expect(['ok', 'error']).toContain(outcome.status);
      }),
      { numRuns: 400 },
    );
  });
});
