/**
 * Tools: what the model may call, and `defineTool`, which declares one.
 */
import type { FunctionResponseScheduling, JsonObject, ParameterSchema } from '../protocol/messages.js';

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
  /** The arguments' schema, sent in `setup` and checked before `execute` runs. */
  parameters?: ParameterSchema;
  /** `NON_BLOCKING` lets the model keep talking while the tool runs. */
  behavior?: 'BLOCKING' | 'NON_BLOCKING';
  /** How the model treats a NON_BLOCKING tool's response. */
  scheduling?: FunctionResponseScheduling;
  /** Overrides the session's `toolTimeoutMs` for this tool. */
  timeoutMs?: number;
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

/**
 * Declares a tool. Identity at run time; it exists so that TypeScript infers the argument type.
 *
 * @example
 * ```ts
 * const getWeather = defineTool({
 *   name: 'get_weather',
 *   description: 'Current weather for a city',
 *   parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   execute: async ({ city }: { city: string }, { signal }) => fetchWeather(city, signal),
 * });
 * ```
 */
export function defineTool<Args extends object, Result>(
  tool: ToolDefinition<Args, Result>,
): ToolDefinition<Args, Result> {
  if (!tool.name) throw new TypeError('defineTool: a tool needs a name');
  if (typeof tool.execute !== 'function') throw new TypeError(`defineTool: tool '${tool.name}' needs execute()`);
  return tool;
}
