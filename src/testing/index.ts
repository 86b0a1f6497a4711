/**
 * Test helpers for gemini-live-fsm and for applications built on it: a scripted transport for
 * fast unit tests, a strict Live API emulator for end-to-end tests through the real SDK, and a
 * stand-in for Twilio that calls a Media Streams endpoint.
 *
 * @packageDocumentation
 */
export { createScriptedTransport, GATE_VIOLATION_REASON } from './scriptedTransport.js';
export type {
  OutboundFrame,
  RecordedFrame,
  ScriptedConnection,
  ScriptedTransport,
  ScriptedTransportOptions,
} from './scriptedTransport.js';
export * from './emulator/index.js';
export { startTwilioCaller } from './twilioCaller.js';
export type { ReceivedMessage, TwilioCaller, TwilioCallerOptions, TwilioCallerStats } from './twilioCaller.js';
