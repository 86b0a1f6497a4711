/**
 * The `functionDeclarations` the server sees in `setup.tools`, derived from the session's tools.
 *
 * A Standard Schema is declared with the JSON Schema its own library makes (Standard JSON
 * Schema's `~standard.jsonSchema`, or the tool's `parametersJsonSchema`), and a JSON Schema as it
 * is, both in `parametersJsonSchema`; the OpenAPI subset goes in `parameters`, in its wire form.
 * No schema library is imported here: the schema object carries its converter.
 */
import type { FunctionDeclaration, JsonObject, ParameterSchema } from '../protocol/messages.js';
import { describe } from '../protocol/errors.js';
import type { AnyTool } from './types.js';
import { jsonSchemaToOpenApi } from './jsonSchemaToOpenApi.js';
import { toWireOpenApi } from './openApi.js';
import { schemaForm } from './schema.js';
import { hasJsonSchemaConverter, type StandardSchemaV1 } from './standardSchema.js';

/**
 * Where a tool whose schema is JSON Schema (a Standard Schema's, or a plain one) is declared:
 * as it is in `parametersJsonSchema` (the default), or converted to the OpenAPI subset in
 * `parameters`, for a model that ignores `parametersJsonSchema` (docs/tools.md has the reports).
 */
export type ToolSchemaField = 'parametersJsonSchema' | 'parameters';

/** Options of {@link toFunctionDeclarations}. */
export interface DeclarationOptions {
  /** Default `'parametersJsonSchema'`. */
  schemaField?: ToolSchemaField;
  /**
   * The behaviour each tool is declared with, stated explicitly so that the client and the server
   * agree on it whatever the model's default (`BLOCKING` or `NON_BLOCKING`). Absent: a tool's own
   * `behavior`, if it has one.
   */
  behaviorOf?: (tool: AnyTool) => 'BLOCKING' | 'NON_BLOCKING' | undefined;
}

/**
 * The function declarations for `setup.tools`, fresh objects on every call: `@google/genai`
 * rewrites declarations in place, so none may be shared with the tools or between connections.
 *
 * @throws TypeError for a tool whose schema cannot be declared (see {@link defineTool}), or,
 * with `schemaField: 'parameters'`, a recursive JSON Schema.
 */
export function toFunctionDeclarations(tools: readonly AnyTool[], options: DeclarationOptions = {}): FunctionDeclaration[] {
  return tools.map((tool) => {
    const declaration: FunctionDeclaration = { name: tool.name };
    if (tool.description !== undefined) declaration.description = tool.description;
    const jsonSchema = parametersJsonSchemaOf(tool);
    if (jsonSchema !== undefined && options.schemaField === 'parameters') declaration.parameters = inSubset(jsonSchema, tool.name);
    else if (jsonSchema !== undefined) declaration.parametersJsonSchema = jsonSchema;
    else if (tool.parameters !== undefined) declaration.parameters = toWireOpenApi(jsonCopy(tool.parameters) as ParameterSchema);
    const behavior = options.behaviorOf ? options.behaviorOf(tool) : tool.behavior;
    if (behavior !== undefined) declaration.behavior = behavior;
    return declaration;
  });
}

/**
 * The JSON Schema a tool declares in `parametersJsonSchema`, as sent: a fresh JSON copy without
 * `$schema` (the dialect means nothing to the model, and the sibling `parameters` field refuses
 * it; whether `parametersJsonSchema` does is not verified against the service). `undefined` for a
 * tool without parameters or with the OpenAPI subset.
 *
 * @throws TypeError when a Standard Schema has no converter and no `parametersJsonSchema`, or its
 * converter fails.
 */
export function parametersJsonSchemaOf(tool: AnyTool): JsonObject | undefined {
  if (tool.parametersJsonSchema !== undefined) return forTheModel(tool.parametersJsonSchema);
  if (tool.parameters === undefined) return undefined;
  const form = schemaForm(tool.parameters, `defineTool: the parameters of '${tool.name}'`);
  if (form === 'openApi') return undefined;
  if (form === 'jsonSchema') return forTheModel(tool.parameters);
  return forTheModel(convert(tool.parameters as StandardSchemaV1, tool.name));
}

function inSubset(schema: JsonObject, name: string): ParameterSchema {
  try {
    return jsonSchemaToOpenApi(schema);
  } catch (error) {
    throw new TypeError(`the parameters of '${name}' cannot be declared in the OpenAPI subset: ${describe(error)}`, { cause: error });
  }
}

function convert(schema: StandardSchemaV1, name: string): Record<string, unknown> {
  if (!hasJsonSchemaConverter(schema)) {
    throw new TypeError(
      `defineTool: the ${schema['~standard'].vendor} schema of '${name}' cannot convert itself to JSON Schema ` +
        '(it has no ~standard.jsonSchema); wrap it (valibot: toStandardJsonSchema() of @valibot/to-json-schema) ' +
        'or pass the JSON Schema as parametersJsonSchema',
    );
  }
  try {
    // The input side: what the model must send, before the schema's transforms and defaults.
    return schema['~standard'].jsonSchema.input({ target: 'draft-2020-12' });
  } catch (error) {
    throw new TypeError(`defineTool: the schema of '${name}' could not be converted to JSON Schema: ${describe(error)}`, {
      cause: error,
    });
  }
}

function forTheModel(schema: object): JsonObject {
  const copy = jsonCopy(schema);
  if (typeof copy !== 'object' || copy === null || Array.isArray(copy)) {
    throw new TypeError('defineTool: a JSON Schema must be an object');
  }
  delete copy['$schema'];
  return copy;
}

/** A deep copy as JSON: what goes on the wire, and nothing the SDK can mutate under the tool. */
function jsonCopy(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
