/**
 * `toolSchemaField: 'parameters'`: JSON Schema brought down to the OpenAPI subset. What each
 * library's schema becomes, that the emulator (checking as the service does) accepts all of it,
 * and that what cannot be said is refused when the session is created, not at connect.
 */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createLiveSession, defineTool, type AnyTool } from '../../src/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { checkDeclarations } from '../../src/testing/emulator/declarations.js';
import { toFunctionDeclarations } from '../../src/tools/declarations.js';
import { jsonSchemaToOpenApi } from '../../src/tools/jsonSchemaToOpenApi.js';

describe('jsonSchemaToOpenApi', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['a nullable anyOf', { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] }, { type: 'INTEGER', minimum: 1, nullable: true }],
    ['a type list', { type: ['string', 'null'] }, { type: 'STRING', nullable: true }],
    ['a union', { oneOf: [{ type: 'string' }, { type: 'number' }] }, { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] }],
    ['a string const', { const: 'on' }, { type: 'STRING', enum: ['on'] }],
    ['a nullable enum', { enum: ['C', 'F', null] }, { type: 'STRING', enum: ['C', 'F'], nullable: true }],
    ['a number enum (left to the tool check)', { type: 'integer', enum: [1, 2] }, { type: 'INTEGER' }],
    ['exclusive bounds', { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, { type: 'NUMBER', minimum: 0, maximum: 1 }],
    ['an array without items', { type: 'array', maxItems: 2 }, { type: 'ARRAY', maxItems: 2, items: {} }],
    [
      'an object, with what the subset lacks left out',
      { $schema: 'x', type: 'object', properties: { a: { type: 'string', format: 'date-time' } }, required: ['a', 'ghost'], additionalProperties: false, examples: [{ a: 'x' }] },
      { type: 'OBJECT', properties: { a: { type: 'STRING', format: 'date-time' } }, required: ['a'], example: { a: 'x' } },
    ],
    [
      'local $refs, inlined',
      { type: 'object', properties: { home: { $ref: '#/$defs/place' }, work: { $ref: '#/definitions/place', description: 'office' } }, $defs: { place: { type: 'string' } }, definitions: { place: { type: 'string' } } },
      { type: 'OBJECT', properties: { home: { type: 'STRING' }, work: { type: 'STRING', description: 'office' } } },
    ],
  ])('%s', (_name, json, subset) => {
    expect(jsonSchemaToOpenApi(json)).toEqual(subset);
  });

  it('refuses a recursive or unresolvable $ref', () => {
    expect(() => jsonSchemaToOpenApi({ $ref: '#/$defs/node', $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } } })).toThrow(/recursive/);
    expect(() => jsonSchemaToOpenApi({ $ref: '#/$defs/nope' })).toThrow(/cannot be resolved/);
  });
});

describe("toolSchemaField: 'parameters'", () => {
  const tools: AnyTool[] = [
    defineTool({
      name: 'zod',
      parameters: z.object({ city: z.string(), days: z.number().int().positive().nullable(), when: z.union([z.iso.datetime(), z.literal('now')]), tags: z.array(z.string()).max(3).optional() }),
      execute: () => 1,
    }),
    defineTool({ name: 'valibot', parameters: toStandardJsonSchema(v.object({ room: v.string(), guests: v.nullable(v.pipe(v.number(), v.minValue(1))) })), execute: () => 1 }),
    defineTool({ name: 'arktype', parameters: type({ query: 'string', 'limit?': '1 <= number.integer <= 50', mode: "'fast' | 'deep'" }), execute: () => 1 }),
    defineTool({ name: 'json', parameters: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { id: { type: ['string', 'integer'] } } }, execute: () => 1 }),
  ];

  it('declares every JSON Schema in parameters, in a form the emulator accepts', () => {
    const declarations = toFunctionDeclarations(tools, { schemaField: 'parameters' });
    expect(declarations.every((declaration) => declaration.parametersJsonSchema === undefined && declaration.parameters !== undefined)).toBe(true);
    expect(checkDeclarations([{ functionDeclarations: declarations }])).toBeUndefined();
    expect(declarations[0]?.parameters).toEqual({
      type: 'OBJECT',
      properties: {
        city: { type: 'STRING' },
        days: { type: 'INTEGER', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, nullable: true },
        when: { anyOf: [{ type: 'STRING', format: 'date-time', pattern: expect.any(String) }, { type: 'STRING', enum: ['now'] }] },
        tags: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: 3 },
      },
      required: ['city', 'days', 'when'],
    });
  });

  it('is refused when the session is created, for a schema the subset cannot say', () => {
    const recursive = defineTool({
      name: 'tree',
      parameters: { $schema: 'https://json-schema.org/draft/2020-12/schema', $ref: '#/$defs/node', $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } } },
      execute: () => 1,
    });
    expect(() => createLiveSession({ transport: createScriptedTransport(), tools: [recursive], toolSchemaField: 'parameters' })).toThrow(
      /parameters of 'tree' cannot be declared in the OpenAPI subset: .*recursive/,
    );
  });
});
