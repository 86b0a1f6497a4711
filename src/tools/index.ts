/**
 * `gemini-live-fsm/tools`: what a tool's schema may be and how it is checked, for those who
 * build tools or test them outside a session. `defineTool` and the tool types themselves are in
 * the main entry.
 *
 * @packageDocumentation
 */
export { validateArgs, checkAgainstSchema } from './validate.js';
export type { SchemaCheck, MaybePromise } from './validate.js';
export { checkResult, DEFAULT_MAX_RESULT_BYTES } from './results.js';
export type { ResultLimits, ResultOutcome } from './results.js';
export { toFunctionDeclarations, parametersJsonSchemaOf } from './declarations.js';
export type { DeclarationOptions, ToolSchemaField } from './declarations.js';
export { jsonSchemaToOpenApi } from './jsonSchemaToOpenApi.js';
export { openApiToJsonSchema, toWireOpenApi } from './openApi.js';
export { formatIssues, formatPath } from './issues.js';
export type { ToolIssue } from './issues.js';
export { schemaForm } from './schema.js';
export type { PlainSchema, SchemaForm, ToolSchema } from './schema.js';
export { isStandardSchema } from './standardSchema.js';
export type {
  InferSchemaInput,
  InferSchemaOutput,
  StandardJsonSchemaV1,
  StandardSchemaV1,
} from './standardSchema.js';
