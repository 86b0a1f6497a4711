/**
 * Declarations: a Standard Schema declared with its own library's JSON Schema, a JSON Schema as
 * it is, both in `parametersJsonSchema` without `$schema`; the OpenAPI subset in `parameters`,
 * in its wire form. And defineTool refuses what cannot be declared.
 */
import { toJsonSchema, toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTool, type AnyTool } from '../../src/index.js';
import { toFunctionDeclarations } from '../../src/tools/declarations.js';
import { openApiToJsonSchema, toWireOpenApi } from '../../src/tools/openApi.js';

const declare = (tool: AnyTool) => toFunctionDeclarations([tool])[0];
const CITY = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('defineTool', () => {
  it('refuses a tool without a name or execute', () => {
    expect(() => defineTool({ name: '', execute: () => 1 })).toThrow(/needs a name/);
    expect(() => defineTool({ name: 'x' } as never)).toThrow(/needs execute/);
  });

  it('refuses parameters that are no schema', () => {
    expect(() => defineTool({ name: 'x', parameters: 'city' as never, execute: () => 1 })).toThrow(TypeError);
    expect(() => defineTool({ name: 'x', parameters: [] as never, execute: () => 1 })).toThrow(/Standard Schema .* JSON Schema .* OpenAPI subset/);
    expect(() => defineTool({ name: 'x', result: 5 as never, execute: () => 1 })).toThrow(/result schema of 'x'/);
  });

  it('refuses a Standard Schema that cannot convert itself, naming the ways out', () => {
    const bare = v.object({ city: v.string() });
    expect(() => defineTool({ name: 'x', parameters: bare, execute: () => 1 })).toThrow(
      /valibot schema of 'x' cannot convert itself to JSON Schema .*toStandardJsonSchema\(\).* parametersJsonSchema/,
    );
    const tool = defineTool({ name: 'x', parameters: bare, parametersJsonSchema: toJsonSchema(bare) as never, execute: ({ city }) => city });
    expect(declare(tool)?.parametersJsonSchema).toEqual({ ...CITY });
  });

  it('refuses a schema its library cannot convert', () => {
    const withDate = z.object({ at: z.date() });
    expect(() => defineTool({ name: 'x', parameters: withDate, execute: () => 1 })).toThrow(/schema of 'x' could not be converted to JSON Schema/);
  });
});

describe('toFunctionDeclarations', () => {
  it.each<[string, AnyTool['parameters']]>([
    ['zod 4', z.object({ city: z.string() })],
    ['valibot (wrapped)', toStandardJsonSchema(v.object({ city: v.string() }))],
    ['arktype', type({ city: 'string' })],
    ['a JSON Schema', { $schema: 'https://json-schema.org/draft/2020-12/schema', ...CITY }],
  ])('declares %s in parametersJsonSchema, without $schema', (_name, parameters) => {
    const declaration = declare({ name: 'w', description: 'Weather', parameters, execute: () => 1 });
    expect(declaration).toEqual({ name: 'w', description: 'Weather', parametersJsonSchema: CITY });
  });

  it('declares the input side of a zod schema (what the model sends), with its constraints', () => {
    const declaration = declare(
      defineTool({
        name: 'w',
        parameters: z.object({ days: z.number().int().min(1).nullable(), unit: z.enum(['C', 'F']).default('C') }),
        execute: () => 1,
      }) as AnyTool,
    );
    expect(declaration?.parametersJsonSchema).toEqual({
      type: 'object',
      properties: {
        days: { anyOf: [{ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, { type: 'null' }] },
        unit: { type: 'string', enum: ['C', 'F'], default: 'C' },
      },
      required: ['days'],
    });
  });

  it('declares the OpenAPI subset in parameters, upper-cased at every depth (anyOf included)', () => {
    const tool = defineTool({
      name: 'get_weather',
      behavior: 'NON_BLOCKING',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'array', items: { type: 'integer' } },
          when: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer' }] },
          note: { type: ['string', 'null'] },
        },
        required: ['city'],
      },
      execute: () => 1,
    });
    expect(toFunctionDeclarations([tool])).toEqual([
      {
        name: 'get_weather',
        behavior: 'NON_BLOCKING',
        parameters: {
          type: 'OBJECT',
          properties: {
            city: { type: 'STRING' },
            days: { type: 'ARRAY', items: { type: 'INTEGER' } },
            when: { anyOf: [{ type: 'STRING', format: 'date-time' }, { type: 'INTEGER' }] },
            note: { type: 'STRING', nullable: true },
          },
          required: ['city'],
        },
      },
    ]);
  });

  it('makes fresh objects every time, so the SDK rewriting one in place changes nothing else', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    const tool = defineTool({ name: 'w', parameters, execute: () => 1 });
    const first = toFunctionDeclarations([tool]);
    (first[0]?.parameters?.properties as Record<string, unknown>)['city'] = 'mutated';
    expect(toFunctionDeclarations([tool])[0]?.parameters?.properties).toEqual({ city: { type: 'STRING' } });
    expect(parameters.properties.city).toEqual({ type: 'string' });
  });

  it('declares no parameters for a tool without them', () => {
    expect(declare(defineTool({ name: 'ping', execute: () => 'pong' }) as AnyTool)).toEqual({ name: 'ping' });
  });
});

describe('the OpenAPI subset as JSON Schema', () => {
  it.each([
    [{ type: 'STRING', nullable: true }, { type: ['string', 'null'] }],
    [{ type: 'STRING', enum: ['a'], nullable: true }, { type: ['string', 'null'], enum: ['a', null] }],
    [{ anyOf: [{ type: 'INTEGER' }], nullable: true }, { anyOf: [{ type: 'integer' }, { type: 'null' }] }],
    [{ type: 'ARRAY', items: { type: 'NUMBER' }, maxItems: '3', minItems: '1' }, { type: 'array', items: { type: 'number' }, maxItems: 3, minItems: 1 }],
    [{ type: 'TYPE_UNSPECIFIED', description: 'any' }, { description: 'any' }],
    [{ type: 'OBJECT', properties: { a: { type: 'BOOLEAN' } }, propertyOrdering: ['a'] }, { type: 'object', properties: { a: { type: 'boolean' } } }],
    [{ type: 'NUMBER', minimum: 0, maximum: 1, format: 'float' }, { type: 'number', minimum: 0, maximum: 1, format: 'float' }],
  ])('%j means %j', (subset, json) => {
    expect(openApiToJsonSchema(subset)).toEqual(json);
  });

  it('passes what is not a schema through, without throwing', () => {
    for (const junk of [null, 3, 'x', [1], { type: 5, properties: 'no', anyOf: 'no' }]) {
      expect(() => openApiToJsonSchema(junk)).not.toThrow();
      expect(() => toWireOpenApi(junk)).not.toThrow();
    }
  });

  it('leaves out of the wire form the keywords the subset does not have', () => {
    expect(toWireOpenApi({ type: 'object', additionalProperties: false, $schema: 'x', properties: {} })).toEqual({ type: 'OBJECT', properties: {} });
  });
});
