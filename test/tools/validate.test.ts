/**
 * validateArgs: each schema form checked by its own validator, every issue with its path, and no
 * failure of a validator ever thrown (issue 11 found a `type` array that made the old hand-written
 * checker throw).
 */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTool, type AnyTool } from '../../src/index.js';
import { formatIssues } from '../../src/tools/issues.js';
import { isPromiseLike, validateArgs, type SchemaCheck } from '../../src/tools/validate.js';

const JSON_SCHEMA = 'https://json-schema.org/draft/2020-12/schema';

/** A tool with these parameters; validation never runs execute. */
const tool = (parameters: AnyTool['parameters'], extra: Partial<AnyTool> = {}): AnyTool => ({
  name: 't',
  parameters,
  execute: () => null,
  ...extra,
});

async function problems(parameters: AnyTool['parameters'], args: unknown): Promise<string | undefined> {
  const checked: SchemaCheck = await validateArgs(tool(parameters), args);
  return checked.ok ? undefined : formatIssues('args', checked.issues);
}

/** The same arguments' schema in the three forms and the three libraries. */
const forms: [string, AnyTool['parameters']][] = [
  ['zod 4', z.object({ city: z.string(), days: z.number().int().min(1).nullable(), tags: z.array(z.string()).max(2).optional() })],
  [
    'valibot',
    toStandardJsonSchema(
      v.object({ city: v.string(), days: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))), tags: v.optional(v.pipe(v.array(v.string()), v.maxLength(2))) }),
    ),
  ],
  ['arktype', type({ city: 'string', days: 'number.integer >= 1 | null', 'tags?': 'string[] <= 2' })],
  [
    'JSON Schema',
    {
      $schema: JSON_SCHEMA,
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: ['integer', 'null'], minimum: 1 }, tags: { type: 'array', items: { type: 'string' }, maxItems: 2 } },
      required: ['city', 'days'],
    },
  ],
  [
    'OpenAPI subset',
    {
      type: 'OBJECT',
      properties: { city: { type: 'STRING' }, days: { type: 'INTEGER', minimum: 1, nullable: true }, tags: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: '2' } },
      required: ['city', 'days'],
    },
  ],
];

describe.each(forms)('validateArgs with %s', (_form, parameters) => {
  it('accepts valid arguments, null for the nullable field included', async () => {
    expect(await validateArgs(tool(parameters), { city: 'Paris', days: null })).toEqual({ ok: true, value: { city: 'Paris', days: null } });
    expect(await validateArgs(tool(parameters), { city: 'Paris', days: 3, tags: ['a'] })).toMatchObject({ ok: true });
  });

  it.each([
    ['a missing required property', { days: 1 }, /args\.city: /],
    ['a value under its minimum', { city: 'Paris', days: 0 }, /args\.days: /],
    ['a value of the wrong type', { city: 7, days: 1 }, /args\.city: /],
    ['too many items', { city: 'Paris', days: 1, tags: ['a', 'b', 'c'] }, /args\.tags: /],
    ['an item of the wrong type', { city: 'Paris', days: 1, tags: [3] }, /args\.tags\[0\]: /],
  ])('names the path of %s', async (_case, args, path) => {
    expect(await problems(parameters, args)).toMatch(path);
  });

  it('lists every issue, not only the first', async () => {
    const text = await problems(parameters, { city: 7, days: 0 });
    expect(text).toMatch(/args\.city: .*; args\.days: /);
  });
});

describe('validateArgs with a JSON Schema', () => {
  it('checks anyOf, and says what each alternative wanted', async () => {
    const schema = { $schema: JSON_SCHEMA, type: 'object', properties: { id: { anyOf: [{ type: 'string', format: 'uuid' }, { type: 'integer', minimum: 0 }] } } };
    expect(await problems(schema, { id: 5 })).toBeUndefined();
    expect(await problems(schema, { id: -1 })).toBe(
      'args.id: matches none of the allowed forms (expected string, got number; or -1 is less than 0)',
    );
    expect(await problems(schema, { id: 'not-a-uuid' })).toMatch(/^args\.id: matches none of the allowed forms \(String does not match format "uuid"/);
  });

  it('checks additionalProperties, format and enum', async () => {
    const schema = {
      $schema: JSON_SCHEMA,
      type: 'object',
      properties: { when: { type: 'string', format: 'date' }, unit: { enum: ['C', 'F'] } },
      additionalProperties: false,
    };
    expect(await problems(schema, { when: '2026-11-20', unit: 'C' })).toBeUndefined();
    expect(await problems(schema, { when: 'tomorrow', unit: 'K', extra: 1 })).toBe(
      'args.when: String does not match format "date"; args.unit: Instance does not match any of ["C","F"]; args.extra: is not allowed here',
    );
  });

  it('reads the draft from $schema (draft-07 from valibot, for one)', async () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { n: { type: 'number', exclusiveMinimum: 0 } } };
    expect(await problems(draft7, { n: 0 })).toMatch(/^args\.n: /);
    expect(await problems(draft7, { n: 1 })).toBeUndefined();
  });

  it('does not throw on a type array (the issue 11 finding), and applies it', async () => {
    const schema = { $schema: JSON_SCHEMA, type: 'object', properties: { note: { type: ['string', 'null'] } } };
    expect(await problems(schema, { note: null })).toBeUndefined();
    expect(await problems(schema, { note: 3 })).toBe('args.note: expected string or null, got number');
  });

  it('quotes a property name that is not an identifier in the path', async () => {
    const schema = { $schema: JSON_SCHEMA, type: 'object', properties: { 'a b': { type: 'string' } } };
    expect(await problems(schema, { 'a b': 1 })).toBe('args["a b"]: expected string, got number');
  });
});

describe('validateArgs with the OpenAPI subset', () => {
  it('takes lower-case types, types inside anyOf, and int64 strings', async () => {
    const schema = {
      type: 'object',
      properties: { v: { anyOf: [{ type: 'STRING' }, { type: 'ARRAY', items: { type: 'NUMBER' }, minItems: '1' }] } },
    };
    expect(await problems(schema, { v: 'x' })).toBeUndefined();
    expect(await problems(schema, { v: [1] })).toBeUndefined();
    expect(await problems(schema, { v: [] })).toMatch(/^args\.v: matches none of the allowed forms/);
  });

  it('lets null through a nullable enum', async () => {
    const schema = { type: 'OBJECT', properties: { unit: { type: 'STRING', enum: ['C', 'F'], nullable: true } } };
    expect(await problems(schema, { unit: null })).toBeUndefined();
    expect(await problems(schema, { unit: 'K' })).toMatch(/^args\.unit: /);
  });

  it('does not throw on a type array in the subset either', async () => {
    expect(await problems({ type: 'OBJECT', properties: { n: { type: ['INTEGER', 'NULL'] } } }, { n: null })).toBeUndefined();
  });
});

describe('validateArgs never throws or rejects', () => {
  it.each([
    ['an unresolvable $ref', { $schema: JSON_SCHEMA, $ref: '#/$defs/missing' }],
    ['a pattern that is not a regular expression', { $schema: JSON_SCHEMA, type: 'object', properties: { s: { type: 'string', pattern: '(' } } }],
    ['an anyOf that is not a list', { $schema: JSON_SCHEMA, anyOf: 3 }],
  ])('a JSON Schema with %s becomes an issue', async (_case, schema) => {
    expect(await problems(schema, { s: 'x' })).toMatch(/^args: could not be checked, the validator failed: /);
  });

  it('a Standard Schema whose validate throws becomes an issue', async () => {
    const throwing = { '~standard': { version: 1 as const, vendor: 'x', validate: () => { throw new Error('broken'); } } };
    expect(await problems(throwing, {})).toBe('args: could not be checked, the validator failed: broken');
  });

  it('a Standard Schema whose validate rejects becomes an issue', async () => {
    const rejecting = { '~standard': { version: 1 as const, vendor: 'x', validate: () => Promise.reject(new Error('gone')) } };
    expect(await problems(rejecting, {})).toBe('args: could not be checked, the validator failed: gone');
  });

  it.each([
    ['a result that is not an object', () => null],
    ['a promise of a result that is not an object', () => Promise.resolve(null)],
    ['issues that are not a list', () => Promise.resolve({ issues: 5 })],
  ])('a Standard Schema whose validate returns %s becomes an issue', async (_case, validate) => {
    const broken = { '~standard': { version: 1 as const, vendor: 'x', validate } } as never;
    expect(await problems(broken, {})).toMatch(/^args: could not be checked, the validator failed: /);
  });

  it('arguments that are not an object are an issue at the root', async () => {
    for (const args of [null, [1], 'text', 3]) expect(await problems(undefined, args)).toBe('args: must be an object');
  });
});

describe('validateArgs with a Standard Schema', () => {
  it('passes on the schema output (transforms, defaults)', async () => {
    const schema = z.object({ n: z.string().transform((text) => text.length), unit: z.string().default('m') });
    expect(await validateArgs(tool(schema), { n: 'abc' })).toEqual({ ok: true, value: { n: 3, unit: 'm' } });
  });

  it('waits for an async validator, and stays synchronous for a synchronous one', async () => {
    const asyncSchema = z.object({ city: z.string().refine(async (city) => city !== 'Atlantis', 'no such city') });
    const pending = validateArgs(tool(asyncSchema), { city: 'Atlantis' });
    expect(isPromiseLike(pending)).toBe(true);
    expect(await pending).toMatchObject({ ok: false, issues: [{ path: ['city'], message: 'no such city' }] });
    expect(isPromiseLike(validateArgs(tool(z.object({ city: z.string() })), { city: 'Paris' }))).toBe(false);
  });

  it('runs parseArgs after the schema, and reports what it throws', async () => {
    const checked = await validateArgs(
      defineTool({
        name: 't',
        parameters: { type: 'OBJECT', properties: { n: { type: 'INTEGER' } } },
        parseArgs: (args) => {
          if (args['n'] === 13) throw new Error('unlucky');
          return args;
        },
        execute: () => null,
      }) as AnyTool,
      { n: 13 },
    );
    expect(checked).toMatchObject({ ok: false, issues: [{ path: [], message: 'unlucky' }] });
  });
});
