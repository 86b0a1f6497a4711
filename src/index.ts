/**
 * gemini-live-fsm: a Gemini Live API session owned by an explicit XState statechart. Realtime
 * input never reaches the wire while the server waits for a tool response, and every tool call
 * gets exactly one answer.
 *
 * @packageDocumentation
 */
export { createLiveSession } from './session.js';
export type {
  LiveSession,
  LiveSessionOptions,
  SessionConnection,
  SessionListener,
  SessionMetrics,
  SessionState,
} from './session.js';
export { defineTool, toFunctionDeclarations, checkArgs } from './tools.js';
export type { AnyTool, FunctionDeclaration, ParameterSchema, ToolContext, ToolDefinition } from './tools.js';
export { createGenAITransport } from './adapters/genai.js';
export type { GenAITransportOptions } from './adapters/genai.js';
export type { LiveConnection, LiveTransport, TransportConnectRequest, TransportHandlers } from './transport.js';
export {
  ConnectError,
  ConnectionClosedError,
  ListenerError,
  LiveSessionError,
  ProtocolError,
  SessionClosedError,
  ToolError,
  TransportError,
} from './errors.js';
export type { LiveErrorCode } from './errors.js';
export { classifyClose, closeError } from './closeCodes.js';
export type { CloseClassification, CloseKind } from './closeCodes.js';
export { DEFAULT_SETTINGS, backoffDelay, sessionMachine } from './machines/session.machine.js';
export type { SessionMachine } from './machines/session.machine.js';
export { DEFAULT_TOOL_TIMEOUT_MS } from './actors/toolExecutor.js';
export type {
  AudioSource,
  ClosedBy,
  DropReason,
  EmittedOf,
  InputPolicy,
  PendingCall,
  ReconnectCause,
  SessionContext,
  SessionCounters,
  SessionEmitted,
  SessionEvent,
  SessionSettings,
  ToolOutcome,
} from './machines/types.js';
export type {
  FunctionCall,
  FunctionResponse,
  FunctionResponseScheduling,
  JsonObject,
  JsonValue,
  RealtimeInput,
  RealtimeInputKind,
  UsageMetadata,
} from './protocol.js';
export { pacedPcm, readWav, syntheticSpeech } from './adapters/audioSources.js';
export type { DecodedWav, PacedPcmOptions } from './adapters/audioSources.js';
export { mediaStreamSource } from './adapters/browserMic.js';
export type { MediaStreamAudioSource, MediaStreamSourceOptions } from './adapters/browserMic.js';
export { createChunker, createPcm16Converter, createStreamResampler, floatToPcm16 } from './adapters/resample.js';
export type { StreamResampler } from './adapters/resample.js';
