import type { FunctionResponseScheduling, JsonObject, JsonValue } from './protocol.js';

/**
 * A parameter schema in the Live API's OpenAPI subset (`type` may be upper or lower case, as the
 * SDK's `Type` enum or plain JSON Schema writes it).
 */
export interface ParameterSchema {
  type?: string;
  description?: string;
  properties?: Record<string, ParameterSchema>;
  required?: string[];
  items?: ParameterSchema;
  enum?: string[];
  [key: string]: unknown;
}

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

/** The `functionDeclarations` entry the server sees for a tool. */
export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: ParameterSchema;
  behavior?: 'BLOCKING' | 'NON_BLOCKING';
}

/** The function declarations for `setup.tools`, derived from the session's tools. */
export function toFunctionDeclarations(tools: readonly AnyTool[]): FunctionDeclaration[] {
  return tools.map((tool) => {
    const declaration: FunctionDeclaration = { name: tool.name };
    if (tool.description !== undefined) declaration.description = tool.description;
    if (tool.parameters !== undefined) declaration.parameters = upperCaseTypes(tool.parameters);
    if (tool.behavior !== undefined) declaration.behavior = tool.behavior;
    return declaration;
  });
}

/** The schema with every `type` in upper case, as the Live API's `Type` enum spells it. */
function upperCaseTypes(schema: ParameterSchema): ParameterSchema {
  const copy: ParameterSchema = { ...schema };
  if (typeof schema.type === 'string') copy.type = schema.type.toUpperCase();
  if (schema.items) copy.items = upperCaseTypes(schema.items);
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, upperCaseTypes(value)]),
    );
  }
  return copy;
}

/**
 * Checks arguments against a schema: required properties, the types of the properties, enums,
 * and array items. Returns the first problem, or `undefined` when the arguments fit.
 */
export function checkArgs(schema: ParameterSchema | undefined, args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return 'arguments must be an object';
  return schema ? checkValue(schema, args as JsonValue, 'args') : undefined;
}

function checkValue(schema: ParameterSchema, value: JsonValue, path: string): string | undefined {
  const type = schema.type?.toLowerCase();
  if (type && !hasType(type, value)) return `${path} must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  if (schema.enum && !schema.enum.includes(value as string)) return `${path} must be one of ${schema.enum.join(', ')}`;
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      const problem = checkValue(schema.items, item, `${path}[${i}]`);
      if (problem) return problem;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) return `${path}.${key} is required`;
    }
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      const prop = value[key];
      if (prop === undefined) continue;
      const problem = checkValue(propSchema, prop, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function hasType(type: string, value: JsonValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}
