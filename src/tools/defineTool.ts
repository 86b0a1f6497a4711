/**
 * Tools: what the model may call, and `defineTool`, which declares one. Its arguments are typed
 * from its schema when the schema is a Standard Schema (zod, valibot, arktype, …).
 */
import type { JsonObject } from '../protocol/messages.js';
import { parametersJsonSchemaOf } from './declarations.js';
import type { PlainSchema } from './schema.js';
import { schemaForm } from './schema.js';
import type { InferSchemaOutput, StandardSchemaV1 } from './standardSchema.js';
import type { AnyTool, ToolContext, ToolDefinition } from './types.js';

export type { AnyTool, ToolContext, ToolDefinition } from './types.js';

/** A tool whose `parameters` is a Standard Schema: `execute` gets the schema's output type. */
type StandardSchemaTool<Schema extends StandardSchemaV1<unknown, object>, Result> = Omit<
  ToolDefinition<InferSchemaOutput<Schema>, Result>,
  'parameters' | 'parseArgs' | 'execute'
> & {
  parameters: Schema;
  /** The schema converts the arguments itself. */
  parseArgs?: never;
  // A property, not a method, so that an annotation contradicting the schema is a type error.
  execute: (args: InferSchemaOutput<Schema>, context: ToolContext) => Result | Promise<Result>;
};

/** A tool with a plain schema, or none: `execute` gets the type it annotates (JSON by default). */
type PlainSchemaTool<Args extends object, Result> = Omit<ToolDefinition<Args, Result>, 'parameters' | 'execute'> & {
  parameters?: PlainSchema;
  execute: (args: Args, context: ToolContext) => Result | Promise<Result>;
};

/**
 * Declares a tool. With a Standard Schema as `parameters`, the arguments of `execute` are
 * inferred from it; with a JSON Schema or the OpenAPI subset they are what `execute` annotates
 * (`JsonObject` when it does not). Returns the tool itself, after checking it can be declared.
 *
 * @throws TypeError for a tool without a name or `execute`, a schema of no known form, or a
 * Standard Schema that cannot be turned into JSON Schema and has no `parametersJsonSchema`.
 *
 * @example
 * ```ts
 * import * as z from 'zod';
 *
 * const getWeather = defineTool({
 *   name: 'get_weather',
 *   description: 'Current weather for a city',
 *   parameters: z.object({ city: z.string(), unit: z.enum(['C', 'F']).nullable() }),
 *   execute: async ({ city, unit }, { signal }) => fetchWeather(city, unit ?? 'C', signal),
 * });
 * ```
 */
export function defineTool<Schema extends StandardSchemaV1<unknown, object>, Result>(
  tool: StandardSchemaTool<Schema, Result>,
): ToolDefinition<InferSchemaOutput<Schema>, Result>;
export function defineTool<Args extends object = JsonObject, Result = unknown>(
  tool: PlainSchemaTool<Args, Result>,
): ToolDefinition<Args, Result>;
export function defineTool(tool: AnyTool): AnyTool {
  if (!tool.name) throw new TypeError('defineTool: a tool needs a name');
  if (typeof tool.execute !== 'function') throw new TypeError(`defineTool: tool '${tool.name}' needs execute()`);
  if (tool.result !== undefined) schemaForm(tool.result, `defineTool: the result schema of '${tool.name}'`);
  // Declaring it now makes a schema that cannot be declared fail here, not at connect.
  parametersJsonSchemaOf(tool);
  return tool;
}
