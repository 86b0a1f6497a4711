/**
 * A Live API emulator for tests, demos and the CLI: a local WebSocket server that the real
 * `@google/genai` SDK talks to as if it were the Gemini Live API, by the rules of the model named
 * in each setup.
 */
export { startLiveEmulator, type LiveEmulator, type LiveEmulatorOptions } from './server.js';
export { EmulatorConnection, type Refusal, type WaitOptions } from './connection.js';
export { EXPLICIT_ACTIVITY_REFUSED, type ActivityBracket, type ActivityView } from './activity.js';
export { CLOSE_REASONS, type CloseSpec } from './rules.js';
export type { MintedToken, TokenPolicy } from './tokens.js';
export { OUTPUT_AUDIO_MIME_TYPE, type ServerMessage } from './frames.js';
export { scenarios, isBuiltinScenario, type BuiltinScenarioName } from './script/builtins.js';
export { runScenario } from './script/scenario.js';
export type { Scenario, ScenarioAction, ScenarioStep, ScenarioTrigger } from './script/scenario.js';
export type { MessagePredicate } from './waiters.js';
export type {
  ClientContentBody,
  ClientFrame,
  ContextUpdateBody,
  EmulatorEvent,
  InteractionStatus,
  ToolEntry,
  ClientMessage,
  CloseInfo,
  ConnectionCounters,
  ContentPart,
  ConversationState,
  EmulatorStats,
  FunctionDeclaration,
  FunctionResponseBody,
  MediaBlob,
  RealtimeInputBody,
  ServerFrame,
  SetupBody,
  ToolCallSpec,
  ToolResponseBody,
  TranscriptEntry,
  UsageInput,
} from './types.js';
