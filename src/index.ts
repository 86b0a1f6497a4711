/**
 * gemini-live-fsm: a Gemini Live API session owned by an explicit XState statechart. Realtime
 * input never reaches the wire while the server waits for a tool response, and every tool call
 * gets exactly one answer.
 *
 * This entry holds what an application needs to run a session. The rest lives in subpaths:
 * `gemini-live-fsm/machine` (the statechart, its context and events), `gemini-live-fsm/audio`
 * (sources, resampling, the browser mic), `gemini-live-fsm/protocol` (wire types, the transport
 * seam, errors and closes), `gemini-live-fsm/tools` (tool schemas: validation, declarations),
 * `gemini-live-fsm/store` (sessions kept in memory or Redis, with fenced leases),
 * `gemini-live-fsm/telephony` (Twilio Media Streams), `gemini-live-fsm/testing` and
 * `gemini-live-fsm/devtools`.
 *
 * @packageDocumentation
 */
export { createLiveSession } from './session/createLiveSession.js';
export type { LiveSession, LiveSessionOptions, SessionMetrics } from './session/createLiveSession.js';
export { defineTool } from './tools/defineTool.js';
export type { AnyTool, ToolContext, ToolDefinition } from './tools/defineTool.js';
export { LiveSessionError } from './protocol/errors.js';
export type { TokenProvider } from './adapters/tokenTransport.js';
export type { SessionEmitted } from './machines/types.js';
