/**
 * The slice of the Live API wire protocol that the session speaks, as plain types.
 *
 * Kept independent of `@google/genai` so that the machine and the scripted transport never load
 * the SDK; the adapter maps these to the SDK's own types.
 */

/** A JSON value: what a tool may return and what a function response carries. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Realtime input the client streams; the server refuses all of it while a tool call is pending. */
export type RealtimeInput =
  | { kind: 'audio'; data: Uint8Array; mimeType: string }
  | { kind: 'video'; data: Uint8Array; mimeType: string }
  | { kind: 'text'; text: string }
  | { kind: 'activityStart' }
  | { kind: 'activityEnd' }
  | { kind: 'audioStreamEnd' };

/** The kinds of realtime input, used as metric keys. */
export type RealtimeInputKind = RealtimeInput['kind'];

/** Every realtime input kind, in a stable order. */
export const REALTIME_INPUT_KINDS: readonly RealtimeInputKind[] = [
  'audio',
  'video',
  'text',
  'activityStart',
  'activityEnd',
  'audioStreamEnd',
];

/** The MIME type of microphone audio the Live API expects: 16 kHz, 16-bit little-endian PCM. */
export const INPUT_AUDIO_MIME_TYPE = 'audio/pcm;rate=16000';

/**
 * One function call of a `toolCall` message. Vertex AI sends calls without an `id`. Its `args`
 * are what the server sent, unchecked: the tool's schema checks them before the tool runs.
 */
export interface FunctionCall {
  id?: string;
  name: string;
  args: unknown;
}

/** How the model should treat a NON_BLOCKING function's response. */
export type FunctionResponseScheduling = 'SILENT' | 'WHEN_IDLE' | 'INTERRUPT';

/**
 * One function response of a `toolResponse` message. By the API's convention `response` is
 * `{ output }` on success and `{ error }` on failure.
 */
export interface FunctionResponse {
  id?: string;
  name: string;
  response: { output: JsonValue } | { error: string };
  scheduling?: FunctionResponseScheduling;
  willContinue?: boolean;
}

/** Token usage reported by the server. */
export interface UsageMetadata {
  promptTokenCount?: number;
  responseTokenCount?: number;
  totalTokenCount?: number;
  [key: string]: unknown;
}

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

/**
 * The `functionDeclarations` entry the server sees for a tool: its parameters either in
 * `parameters` (the OpenAPI subset) or in `parametersJsonSchema` (JSON Schema), never both.
 */
export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: ParameterSchema;
  parametersJsonSchema?: JsonObject;
  behavior?: 'BLOCKING' | 'NON_BLOCKING';
}

/** One part of a conversation turn: text, or inline media (base64). */
export type ContentPart = { text: string } | { inlineData: { data: string; mimeType: string } };

/** One turn of conversation content (`clientContent.turns`): who said it, and what. */
export interface ContentTurn {
  role: 'user' | 'model';
  parts: ContentPart[];
}

/** A mid-session change of context (`contextUpdate`): the new tools replace the old, in order with the input. */
export interface ContextUpdate {
  /** The function declarations that replace the session's. */
  tools: FunctionDeclaration[];
}
