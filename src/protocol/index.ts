/**
 * `gemini-live-fsm/protocol`: the Live API as the session speaks it. The wire types, the
 * transport seam (and the transport over `@google/genai`), and the typed errors with the table of
 * known closes.
 *
 * @packageDocumentation
 */
export {
  ConnectError,
  ConnectionClosedError,
  ListenerError,
  LiveSessionError,
  ProtocolError,
  SessionClosedError,
  ToolError,
  TransportError,
  VadError,
  closeError,
} from './errors.js';
export type { LiveErrorCode, ToolErrorCode } from './errors.js';
export { classifyClose } from './closeCodes.js';
export type { CloseClassification, CloseKind } from './closeCodes.js';
export type {
  FunctionCall,
  FunctionDeclaration,
  FunctionResponse,
  FunctionResponseScheduling,
  JsonObject,
  JsonValue,
  ParameterSchema,
  RealtimeInput,
  RealtimeInputKind,
  UsageMetadata,
} from './messages.js';
export type { LiveConnection, LiveTransport, TransportConnectRequest, TransportHandlers } from './transport.js';
export { createGenAITransport } from '../adapters/genai.js';
export type { GenAITransportOptions } from '../adapters/genai.js';
