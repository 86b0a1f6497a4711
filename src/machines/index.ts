/**
 * `gemini-live-fsm/machine`: the session statechart itself, its context, its events and what it
 * emits. Pure: it decides, and its child actors (provided by the session) do.
 *
 * @packageDocumentation
 */
export { sessionMachine } from './session.machine.js';
export { DEFAULT_SETTINGS, initialContext } from './context.js';
export { backoffDelay } from './delays.js';
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
  SessionClock,
  SessionEvent,
  SessionInput,
  SessionSettings,
  ToolOutcome,
} from './types.js';
