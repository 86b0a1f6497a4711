/**
 * Tools: what the model may call, and `defineTool`, which declares one. Its arguments are typed
 * from its schema when the schema is a Standard Schema (zod, valibot, arktype, …).
 */
import type { FunctionResponseScheduling, JsonObject } from '../protocol/messages.js';
import { parametersJsonSchemaOf } from './declarations.js';
import type { PlainSchema, ToolSchema } from './schema.js';
import { schemaForm } from './schema.js';
import type { InferSchemaOutput, StandardSchemaV1 } from './standardSchema.js';

/** What a running tool gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the server cancels the call, the call times out, or the session closes. */
  signal: AbortSignal;
  /** The call id, when the server gave one (Vertex AI does not). */
  callId: string | undefined;
}

/** A tool the model may call. Build one with {@link defineTool}. */
export interface ToolDefinition<Args extends object = JsonObject, Result = unknown> {
  /** The function name the model calls. */
  name: string;
  /** Tells the model what the tool does and when to call it. */
  description?: string;
  /**
   * The arguments' schema: a Standard Schema (zod 4, valibot, arktype, …), a JSON Schema (an
   * object with `$schema`), or Gemini's OpenAPI subset (any other object). It is declared to the
   * model in `setup` and checks every call before `execute` runs.
   */
  parameters?: ToolSchema;
  /**
   * The JSON Schema declared to the model, for a Standard Schema that cannot convert itself (one
   * without `~standard.jsonSchema`): e.g. `toJsonSchema(schema)` of `@valibot/to-json-schema`.
   */
  parametersJsonSchema?: PlainSchema;
  /** Checks what `execute` returns; a result that does not fit is sent as an error response. */
  result?: ToolSchema;
  /** `NON_BLOCKING` lets the model keep talking while the tool runs. */
  behavior?: 'BLOCKING' | 'NON_BLOCKING';
  /** How the model treats a NON_BLOCKING tool's response. */
  scheduling?: FunctionResponseScheduling;
  /** Overrides the session's `toolTimeoutMs` for this tool. */
  timeoutMs?: number;
  /** Overrides the session's `maxToolResultBytes` (default 1 MiB of JSON) for this tool. */
  maxResultBytes?: number;
  /**
   * Checks or converts the arguments beyond the schema; throw to reject them. The model then gets
   * an `INVALID_ARGS` error response and `execute` never runs.
   */
  parseArgs?(args: JsonObject): Args;
  /** Runs the tool. Its result must be JSON-serialisable; throwing sends an error response. */
  execute(args: Args, context: ToolContext): Result | Promise<Result>;
}

/**
 * A tool of any argument and result type, as a session's `tools` list holds them. (Method syntax
 * above keeps `ToolDefinition<{ city: string }>` assignable to this.)
 */
export type AnyTool = ToolDefinition<object, unknown>;

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
