/**
 * Tool schemas end to end, through the real SDK (2.x, and 3.x as `genai3`) to the emulator: what
 * reaches the wire in `setup.tools` for each schema form (the SDK passes `parametersJsonSchema`
 * through untouched, and rewrites `parameters` into its own form), that the emulator's
 * declaration checks accept it, and what the model gets back for calls that fit or break the
 * schema (null for a nullable field, `anyOf`, `minimum`, `required`), or a result too large.
 */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTool, type AnyTool, type LiveSession } from '../../src/index.js';
import { ConnectionClosedError } from '../../src/protocol/index.js';
import type { EmulatorConnection, LiveEmulator } from '../../src/testing/index.js';
import { emulator, fsmSession, SDK_VERSION } from './sdk.js';

/** The same tool in the three forms: when is an ISO date-time or a day count of at least 1. */
const zodTool = defineTool({
  name: 'book_zod',
  parameters: z.object({
    city: z.string(),
    guests: z.number().int().min(1).nullable(),
    when: z.union([z.iso.datetime(), z.number().int().min(0)]),
  }),
  execute: ({ city, guests, when }) => ({ city, guests: guests ?? 1, when }),
});

const jsonSchemaTool = defineTool({
  name: 'book_json',
  parameters: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      city: { type: 'string' },
      guests: { type: ['integer', 'null'], minimum: 1 },
      when: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', minimum: 0 }] },
    },
    required: ['city', 'guests', 'when'],
  },
  execute: (args: { city: string; guests: number | null; when: string | number }) => ({ ...args, guests: args.guests ?? 1 }),
});

const openApiTool = defineTool({
  name: 'book_openapi',
  parameters: {
    type: 'OBJECT',
    properties: {
      city: { type: 'STRING' },
      guests: { type: 'INTEGER', minimum: 1, nullable: true },
      when: { anyOf: [{ type: 'STRING', format: 'date-time' }, { type: 'INTEGER', minimum: 0 }] },
    },
    required: ['city', 'guests', 'when'],
  },
  execute: (args: { city: string; guests: number | null; when: string | number }) => ({ ...args, guests: args.guests ?? 1 }),
});

const valibotTool = defineTool({
  name: 'book_valibot',
  parameters: toStandardJsonSchema(v.object({ city: v.string(), guests: v.nullable(v.pipe(v.number(), v.minValue(1))) })),
  execute: ({ city, guests }) => ({ city, guests: guests ?? 1 }),
});

const arktypeTool = defineTool({
  name: 'book_arktype',
  parameters: type({ city: 'string', guests: 'number >= 1 | null' }),
  execute: ({ city, guests }) => ({ city, guests: guests ?? 1 }),
});

const TOOLS: AnyTool[] = [zodTool, jsonSchemaTool, openApiTool, valibotTool, arktypeTool];

async function connect(emu: LiveEmulator, session: LiveSession): Promise<EmulatorConnection> {
  const connecting = emu.nextConnection();
  await session.connect();
  return connecting;
}

/** One toolCall with one call per tool, all with these arguments; the responses by tool name. */
async function callEach(conn: EmulatorConnection, names: string[], args: Record<string, unknown>) {
  conn.sendToolCall(names.map((name) => ({ name, args })));
  const { functionResponses } = await conn.waitForToolResponse();
  return Object.fromEntries(functionResponses.map((response) => [response.name, response.response]));
}

describe(`tool schemas through the real SDK (${SDK_VERSION})`, () => {
  it('declares each form in its field, and the emulator accepts the setup', async () => {
    const emu = await emulator();
    const conn = await connect(emu, fsmSession(emu, TOOLS));
    const declarations = conn.setup?.tools?.flatMap((tool) => tool.functionDeclarations ?? []);
    const objectOf = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required });
    expect(declarations).toEqual([
      {
        name: 'book_zod',
        parametersJsonSchema: objectOf(
          {
            city: { type: 'string' },
            guests: { anyOf: [{ type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, { type: 'null' }] },
            when: {
              anyOf: [
                { type: 'string', format: 'date-time', pattern: expect.any(String) },
                { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              ],
            },
          },
          ['city', 'guests', 'when'],
        ),
        behavior: 'BLOCKING',
      },
      { name: 'book_json', parametersJsonSchema: { ...jsonSchemaTool.parameters, $schema: undefined }, behavior: 'BLOCKING' },
      {
        name: 'book_openapi',
        parameters: {
          type: 'OBJECT',
          properties: {
            city: { type: 'STRING' },
            guests: { type: 'INTEGER', minimum: 1, nullable: true },
            when: { anyOf: [{ type: 'STRING', format: 'date-time' }, { type: 'INTEGER', minimum: 0 }] },
          },
          required: ['city', 'guests', 'when'],
        },
        behavior: 'BLOCKING',
      },
      {
        name: 'book_valibot',
        parametersJsonSchema: objectOf({ city: { type: 'string' }, guests: { anyOf: [{ type: 'number', minimum: 1 }, { type: 'null' }] } }, ['city', 'guests']),
        behavior: 'BLOCKING',
      },
      {
        name: 'book_arktype',
        parametersJsonSchema: objectOf({ city: { type: 'string' }, guests: { anyOf: [{ type: 'number', minimum: 1 }, { type: 'null' }] } }, ['city', 'guests']),
        behavior: 'BLOCKING',
      },
    ]);
    expect(conn.refusal).toBeUndefined();
    expect(conn.isOpen).toBe(true);
  });

  it('runs every form with null for the nullable field', async () => {
    const emu = await emulator();
    const conn = await connect(emu, fsmSession(emu, TOOLS));
    const responses = await callEach(conn, TOOLS.map((tool) => tool.name), { city: 'Paris', guests: null, when: 3 });
    expect(responses).toEqual({
      book_zod: { output: { city: 'Paris', guests: 1, when: 3 } },
      book_json: { output: { city: 'Paris', guests: 1, when: 3 } },
      book_openapi: { output: { city: 'Paris', guests: 1, when: 3 } },
      book_valibot: { output: { city: 'Paris', guests: 1 } },
      book_arktype: { output: { city: 'Paris', guests: 1 } },
    });
  });

  const forms = ['book_zod', 'book_json', 'book_openapi'];

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['required', { guests: 2, when: 3 }, /args\.city: /],
    ['minimum', { city: 'Paris', guests: 0, when: 3 }, /args\.guests: /],
    ['anyOf', { city: 'Paris', guests: 2, when: 'next week' }, /args\.when: /],
  ])('answers a call that breaks %s with an error response naming the path, in every form', async (_rule, args, path) => {
    const emu = await emulator();
    const session = fsmSession(emu, TOOLS);
    const conn = await connect(emu, session);
    const responses = await callEach(conn, forms, args);
    for (const name of forms) {
      const response = responses[name] as { error?: string };
      expect(response.error, name).toMatch(new RegExp(`^invalid arguments for '${name}': `));
      expect(response.error, name).toMatch(path);
    }
    expect(conn.isOpen).toBe(true);
    expect(session.state).toBe('streaming');
  });

  it("with toolSchemaField: 'parameters', declares a zod tool in the OpenAPI subset, and still checks calls by zod", async () => {
    const emu = await emulator();
    const conn = await connect(emu, fsmSession(emu, [zodTool], { toolSchemaField: 'parameters' }));
    const [declaration] = conn.setup?.tools?.flatMap((tool) => tool.functionDeclarations ?? []) ?? [];
    expect(declaration).toEqual({
      name: 'book_zod',
      parameters: {
        type: 'OBJECT',
        properties: {
          city: { type: 'STRING' },
          guests: { type: 'INTEGER', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, nullable: true },
          when: { anyOf: [{ type: 'STRING', format: 'date-time', pattern: expect.any(String) }, { type: 'INTEGER', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }] },
        },
        required: ['city', 'guests', 'when'],
      },
      behavior: 'BLOCKING',
    });
    expect(conn.refusal).toBeUndefined();
    expect(await callEach(conn, ['book_zod'], { city: 'Rome', guests: null, when: '2026-11-20T10:00:00Z' })).toEqual({
      book_zod: { output: { city: 'Rome', guests: 1, when: '2026-11-20T10:00:00Z' } },
    });
    const { book_zod: refused } = await callEach(conn, ['book_zod'], { city: 'Rome', guests: 0, when: 1 });
    expect(refused).toEqual({ error: expect.stringMatching(/^invalid arguments for 'book_zod': args\.guests: /) });
  });

  it('answers a result over the limit with an error response, and the connection stays open', async () => {
    const emu = await emulator();
    const dump = defineTool({ name: 'dump', maxResultBytes: 64 * 1024, execute: () => ({ rows: 'x'.repeat(100_000) }) });
    const session = fsmSession(emu, [dump], { maxToolResultBytes: 1024 });
    const conn = await connect(emu, session);
    const responses = await callEach(conn, ['dump'], {});
    expect(responses['dump']).toEqual({ error: "'dump' returned 97.7 KiB of JSON, over its limit of 64 KiB; ask for less" });
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.closes).toEqual({});
  });

  it('gets the connection closed with 1007 when a declaration is one the service refuses', async () => {
    const emu = await emulator();
    const broken = defineTool({
      name: 'broken',
      parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['b'] },
      execute: () => null,
    });
    const session = fsmSession(emu, [broken], { reconnect: false, connectTimeoutMs: 5_000 });
    const connecting = emu.nextConnection();
    const error = await session.connect().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    const conn = await connecting;
    expect(conn.refusal).toMatchObject({ code: 1007, problem: expect.stringMatching(/property "b" is not defined/) });
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as ConnectionClosedError).closeCode).toBe(1007);
  });
});
