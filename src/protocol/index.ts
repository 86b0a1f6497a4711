/**
 * `gemini-live-fsm/protocol`: the Live API as the session speaks it. The wire types, the
 * transport seam (and the transports over `@google/genai`: with an API key, or with an ephemeral
 * token per connection), the typed errors with the table of known closes, and the redaction
 * that keeps credentials out of them.
 *
 * @packageDocumentation
 */
export {
  ConnectError,
  ConnectionClosedError,
  InternalError,
  InvalidInputError,
  InvalidOptionsError,
  ListenerError,
  LiveSessionError,
  ModelRefusalError,
  ProtocolError,
  SessionClosedError,
  StoreError,
  TelephonyError,
  TokenError,
  ToolCallLostError,
  ToolError,
  TransportError,
  VadError,
  closeError,
} from './errors.js';
export type { LeaseHolder, LiveErrorCode, StoreErrorCode, TelephonyErrorCode, ToolErrorCode } from './errors.js';
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
export { createTokenTransport } from '../adapters/tokenTransport.js';
export type { EphemeralToken, GenAIConstructor, TokenProvider, TokenTransportOptions } from '../adapters/tokenTransport.js';
export { REDACTED, redactSecrets } from './redact.js';
