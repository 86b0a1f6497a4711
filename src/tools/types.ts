/**
 * What a tool is: its definition, the context a running tool gets, and a tool of any type as a
 * session's `tools` list holds them.
 */
import type { FunctionResponseScheduling, JsonObject } from '../protocol/messages.js';
import type { PlainSchema, ToolSchema } from './schema.js';

/** What a running tool gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the server cancels the call, the call times out, or the session closes. */
  signal: AbortSignal;
  /** The call id, when the server gave one (Vertex AI does not). */
  callId: string | undefined;
  /**
   * The same for every run of one operation: a call the model makes again after a reconnect shares
   * its first run's key. Pass it to the systems the tool changes (payments, bookings) so that they
   * apply it once.
   */
  idempotencyKey: string;
}

/** A tool the model may call. Build one with `defineTool`. */
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
  /**
   * `false`: a call the model makes again after a reconnect runs again. By default it is taken for
   * the first run (same name and arguments, within the dedupe window) and gets its outcome, so a
   * side effect does not happen twice.
   */
  dedupe?: boolean;
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
