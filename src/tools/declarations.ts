/**
 * The `functionDeclarations` the server sees in `setup.tools`, derived from the session's tools.
 */
import type { FunctionDeclaration, ParameterSchema } from '../protocol/messages.js';
import type { AnyTool } from './defineTool.js';

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
