/**
 * Type tests: `execute`'s arguments are inferred from a Standard Schema (zod, valibot, arktype),
 * and an annotation that contradicts the schema does not compile. `npm run typecheck` checks this
 * file (tsconfig includes test/), so it fails when inference breaks; the `@ts-expect-error` lines
 * fail it too if the contradiction ever compiles.
 */
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { defineTool, type AnyTool, type ToolContext, type ToolDefinition } from '../../src/index.js';
import type { JsonObject, ParameterSchema } from '../../src/protocol/index.js';

describe('defineTool infers the arguments from a Standard Schema', () => {
  it('zod 4: no annotation, the arguments are typed from the schema', () => {
    const tool = defineTool({
      name: 'get_weather',
      parameters: z.object({ city: z.string(), days: z.number().int().min(1).nullable(), unit: z.enum(['C', 'F']).optional() }),
      execute: (args, context) => {
        expectTypeOf(args).toEqualTypeOf<{ city: string; days: number | null; unit?: 'C' | 'F' | undefined }>();
        expectTypeOf(context).toEqualTypeOf<ToolContext>();
        return { city: args.city };
      },
    });
    expectTypeOf(tool).toEqualTypeOf<
      ToolDefinition<{ city: string; days: number | null; unit?: 'C' | 'F' | undefined }, { city: string }>
    >();
    expectTypeOf(tool).toExtend<AnyTool>();
    expect(tool.name).toBe('get_weather');
  });

  it('zod 4: execute gets the output type (after transforms and defaults)', () => {
    defineTool({
      name: 'count',
      parameters: z.object({ n: z.string().transform((text) => text.length), unit: z.string().default('m') }),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ n: number; unit: string }>();
      },
    });
  });

  it('valibot: inferred, wrapped so that it converts itself to JSON Schema', () => {
    defineTool({
      name: 'book',
      parameters: toStandardJsonSchema(v.object({ room: v.string(), guests: v.pipe(v.number(), v.minValue(1)) })),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ room: string; guests: number }>();
      },
    });
  });

  it('arktype: inferred', () => {
    defineTool({
      name: 'search',
      parameters: type({ query: 'string', 'limit?': 'number' }),
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<{ query: string; limit?: number }>();
      },
    });
  });

  it('an annotation that matches the schema compiles', () => {
    defineTool({
      name: 'w',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }: { city: string }) => city,
    });
  });

  it('an annotation that contradicts the schema does not compile', () => {
    // TypeScript reports the mismatch on the call (no overload matches), so the directive is there.
    // @ts-expect-error the schema says city is a string
    defineTool({ name: 'w', parameters: z.object({ city: z.string() }), execute: ({ city }: { city: number }) => city });
    // @ts-expect-error the schema does not promise `days`
    defineTool({ name: 'w', parameters: z.object({ city: z.string() }), execute: ({ days }: { city: string; days: number }) => days });
    // @ts-expect-error arktype: the schema says city is a string
    defineTool({ name: 'w', parameters: type({ city: 'string' }), execute: ({ city }: { city: boolean }) => city });
    // @ts-expect-error valibot: the schema says guests is a number
    defineTool({ name: 'w', parameters: toStandardJsonSchema(v.object({ guests: v.number() })), execute: (a: { guests: string }) => a });
  });

  it('a schema that does not describe an object does not compile', () => {
    // @ts-expect-error the model sends an object of arguments
    defineTool({ name: 'w', parameters: z.string(), execute: () => 1 });
  });
});

describe('defineTool with a plain schema or none', () => {
  it('types the arguments as JSON when execute does not annotate them', () => {
    defineTool({
      name: 'w',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<JsonObject>();
      },
    });
  });

  it('takes the type execute annotates, for JSON Schema and the OpenAPI subset alike', () => {
    const jsonSchema = defineTool({
      name: 'w',
      parameters: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { city: { type: ['string', 'null'] } } },
      execute: ({ city }: { city: string | null }) => city,
    });
    expectTypeOf(jsonSchema).toEqualTypeOf<ToolDefinition<{ city: string | null }, string | null>>();
    const openApi = defineTool({
      name: 'w',
      parameters: { type: 'OBJECT', properties: { city: { type: 'STRING', nullable: true } } },
      execute: ({ city }: { city: string | null }) => city,
    });
    expectTypeOf(openApi).toExtend<AnyTool>();
  });

  it('takes a schema typed as the protocol ParameterSchema, as before', () => {
    const parameters: ParameterSchema = { type: 'OBJECT', properties: { city: { type: 'STRING' } } };
    const tool = defineTool({ name: 'w', parameters, execute: ({ city }: { city?: string }) => city });
    expectTypeOf(tool).toExtend<AnyTool>();
  });
});
