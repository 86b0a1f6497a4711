/**
 * `gemini-live-fsm/machine`: the session statechart itself, its context, its events and what it
 * emits. Pure: it decides, and its child actors (provided by the session) do.
 *
 * @packageDocumentation
 */
export { DEFAULT_SETTINGS, backoffDelay, sessionMachine } from './session.machine.js';
export type { SessionMachine } from './session.machine.js';
export type {
  AudioSource,
  ClosedBy,
  DropReason,
  EmittedOf,
  InputEvent,
  InputPolicy,
  PendingCall,
  ReconnectCause,
  SessionContext,
  SessionCounters,
  SessionEmitted,
  SessionEvent,
  SessionSettings,
  ToolOutcome,
} from './types.js';
