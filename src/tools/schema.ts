/**
 * The three forms a tool's schema may take, and how a plain object is told apart: a Standard
 * Schema validator (zod, valibot, arktype, …), a JSON Schema (it names its dialect in `$schema`),
 * or Gemini's OpenAPI subset (any other plain object, as the SDK itself decides).
 */
import { isStandardSchema, type StandardSchemaV1 } from './standardSchema.js';

/**
 * A schema written as a plain object: a JSON Schema when it carries `$schema`, otherwise Gemini's
 * OpenAPI subset (`type: 'OBJECT'` or `'object'`, `nullable`, `anyOf`, `enum`, `format`, …).
 * `'~standard'` is excluded so that a Standard Schema never passes for a plain one.
 */
export interface PlainSchema {
  readonly $schema?: string;
  readonly '~standard'?: never;
  readonly [keyword: string]: unknown;
}

/** Anything `parameters` or `result` accepts. */
export type ToolSchema = StandardSchemaV1 | PlainSchema;

/** Which of the three forms a schema is. */
export type SchemaForm = 'standard' | 'jsonSchema' | 'openApi';

/**
 * Tells the form of a schema. A plain object with a string `$schema` is JSON Schema; any other
 * plain object is the OpenAPI subset. This is the rule `@google/genai` applies to `parameters`
 * (a schema with `$schema` goes to `parametersJsonSchema`, the rest is treated as the subset), so
 * a schema means the same here as it would passed to the SDK directly.
 *
 * @throws TypeError when the value is none of the three.
 */
export function schemaForm(schema: unknown, what: string): SchemaForm {
  if (isStandardSchema(schema)) return 'standard';
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new TypeError(`${what} must be a Standard Schema (zod, valibot, arktype, …), a JSON Schema or Gemini's OpenAPI subset`);
  }
  return typeof (schema as PlainSchema).$schema === 'string' ? 'jsonSchema' : 'openApi';
}

/** The JSON Schema dialects the validator knows, by the `$schema` URI that names them. */
export type JsonSchemaDraft = '4' | '7' | '2019-09' | '2020-12';

/** The dialect a JSON Schema names in `$schema`; 2020-12 when it names none the validator knows. */
export function draftOf(schema: unknown): JsonSchemaDraft {
  const uri = typeof schema === 'object' && schema !== null ? (schema as PlainSchema).$schema : undefined;
  if (typeof uri !== 'string') return '2020-12';
  if (uri.includes('draft-04')) return '4';
  if (uri.includes('draft-07') || uri.includes('draft-06')) return '7';
  if (uri.includes('2019-09')) return '2019-09';
  return '2020-12';
}
