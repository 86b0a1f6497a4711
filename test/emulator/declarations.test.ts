/**
 * The emulator checks `setup.tools` declarations as the service does, and closes 1007 before
 * `setupComplete` on a bad one; a good one, in either field, is accepted.
 */
import { describe, expect, it } from 'vitest';
import { checkDeclarations } from '../../src/testing/emulator/declarations.js';
import { emulator, MODEL, openRaw } from './helpers.js';

const declared = (declaration: Record<string, unknown>) => [{ functionDeclarations: [{ name: 'f', ...declaration }] }];
const problemOf = (declaration: Record<string, unknown>) => checkDeclarations(declared(declaration))?.problem;

describe('checkDeclarations', () => {
  it.each<[string, Record<string, unknown>]>([
    ['no parameters', {}],
    ['the OpenAPI subset', { parameters: { type: 'OBJECT', properties: { a: { type: 'STRING', nullable: true }, b: { type: 'ARRAY', items: { type: 'INTEGER' }, maxItems: '3' }, c: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER', minimum: 0 }] } }, required: ['a'] } }],
    ['a JSON Schema', { parametersJsonSchema: { type: 'object', properties: { a: { type: ['string', 'null'] }, b: { anyOf: [{ type: 'integer' }, { const: 'x' }] } }, required: ['a'], additionalProperties: false } }],
    ['a JSON Schema with $defs and required without properties', { parametersJsonSchema: { type: 'object', required: ['a'], $defs: { x: { type: 'string' } } } }],
  ])('accepts %s', (_name, declaration) => {
    expect(problemOf(declaration)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['both fields', { parameters: { type: 'OBJECT' }, parametersJsonSchema: { type: 'object' } }, /both parameters and parametersJsonSchema/],
    ['a lower-case type in parameters', { parameters: { type: 'object' } }, /\.parameters\.type "object" is not a Type/],
    ['a list of types in parameters', { parameters: { type: 'OBJECT', properties: { a: { type: ['STRING', 'NULL'] } } } }, /properties\[a\]\.value\.type is a list/],
    ['an unknown type in parameters', { parameters: { type: 'OBJECT', properties: { a: { type: 'DATE' } } } }, /"DATE" is not a Type/],
    ['required naming no property', { parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['b'] } }, /required\[0\]: property "b" is not defined/],
    ['an ARRAY without items', { parameters: { type: 'OBJECT', properties: { a: { type: 'ARRAY' } } } }, /items: missing field/],
    ['an enum of numbers', { parameters: { type: 'INTEGER', enum: [1, 2] } }, /enum must be a list of strings/],
    ['a bad type inside anyOf', { parameters: { anyOf: [{ type: 'STRING' }, { type: 'int' }] } }, /any_of\[1\]\.type "int"/],
    ['a name with a space', { name: 'get weather' }, /name "get weather" is not a valid function name/],
    ['a JSON Schema that is not of an object', { parametersJsonSchema: { type: 'string' } }, /must describe an object/],
    ['a JSON Schema with an unknown type', { parametersJsonSchema: { type: 'object', properties: { a: { type: 'date' } } } }, /properties\.a\.type "date" is not a JSON type/],
    ['a JSON Schema whose required names no property', { parametersJsonSchema: { type: 'object', properties: {}, required: ['x'] } }, /property "x" is not defined/],
  ])('refuses %s', (_name, declaration, problem) => {
    expect(problemOf(declaration)).toMatch(problem);
  });

  it('refuses a keyword the Schema proto does not have with the service\'s own text, cut to fit a close frame', () => {
    const close = checkDeclarations(declared({ parameters: { type: 'OBJECT', additionalProperties: false } }))?.close;
    expect(close?.code).toBe(1007);
    // The whole text is 142 bytes; a close frame's reason holds 123.
    expect(close?.reason).toBe(`Invalid JSON payload received. Unknown name "additionalProperties" at 'setup.tools[0].function_declarations[0].parameter...`);
  });

  it('cuts a reason to what a close frame holds', () => {
    const deep = { type: 'OBJECT', properties: { a_rather_long_property_name: { type: 'OBJECT', properties: { another_long_one: { type: 'STRING', $schema: 'x' } } } } };
    const reason = checkDeclarations(declared({ parameters: deep }))?.close.reason ?? '';
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).toMatch(/^Invalid JSON payload received\. Unknown name "\$schema"/);
  });
});

describe('a setup with a bad declaration', () => {
  it('is closed with 1007 before setupComplete, and the refusal says why', async () => {
    const live = await emulator();
    const client = await openRaw(live.baseUrl);
    const connecting = live.nextConnection();
    client.send({ setup: { model: MODEL, tools: declared({ parameters: { type: 'OBJECT', $schema: 'https://json-schema.org/draft/2020-12/schema' } }) } });
    expect(await client.closed).toEqual({
      code: 1007,
      reason: `Invalid JSON payload received. Unknown name "$schema" at 'setup.tools[0].function_declarations[0].parameters': Cannot fi...`,
    });
    expect(client.received).toEqual([]);
    const connection = await connecting;
    expect(connection.refusal).toMatchObject({ code: 1007, problem: expect.stringMatching(/has \$schema/) });
  });
});
