/**
 * The events the machine emits to the application (`session.on(type, …)`).
 */
import type { LiveSessionError } from '../../protocol/errors.js';
import type {
  FunctionCall,
  RealtimeInputKind,
  UsageMetadata,
} from '../../protocol/messages.js';
import type { ClosedBy, DropReason, ReconnectCause } from './context.js';
import type { ToolOutcome } from './events.js';

/** Every event the session emits, by type. Subscribe with `session.on(type, listener)`. */
export type SessionEmitted =
  | { type: 'connected'; generation: number }
  | { type: 'audio'; data: Uint8Array; mimeType: string }
  | { type: 'text'; text: string }
  | { type: 'inputTranscription'; text: string; finished: boolean }
  | { type: 'outputTranscription'; text: string; finished: boolean }
  | { type: 'interrupted' }
  | { type: 'generationComplete' }
  | { type: 'turnComplete' }
  /** The model is waiting for the user to go on. */
  | { type: 'waitingForInput' }
  /** On models that report it: whether the model is still working (IN_PROGRESS) or done (IDLE). */
  | { type: 'interactionStatus'; status: 'IN_PROGRESS' | 'IDLE' }
  | { type: 'toolCall'; calls: FunctionCall[] }
  | { type: 'toolResult'; call: FunctionCall; outcome: ToolOutcome }
  | { type: 'toolResultDiscarded'; call: FunctionCall; outcome: ToolOutcome }
  /** A call's outcome reached the model: as its toolResponse, or (orphaned by a lost connection) as conversation content. */
  | { type: 'toolResultDelivered'; call: FunctionCall; outcome: ToolOutcome; via: 'toolResponse' | 'context' }
  /**
   * What another process left of the session was put back before the first connection: whether
   * its handle is resumed, the calls whose tool runs again here, and the calls whose outcome is
   * still to reach the conversation.
   */
  | { type: 'sessionRestored'; resuming: boolean; rerun: FunctionCall[]; undelivered: FunctionCall[] }
  /** A resumed session kept dying: a fresh one replaced it, seeded with the conversation so far. */
  | { type: 'sessionRestarted'; reason: string }
  /**
   * Calls that can never be answered: `sessionClosed` when the session closed with them running or
   * orphaned, `connectionGone` for a call that arrived from a connection the session had left.
   */
  | { type: 'toolCallsLost'; calls: FunctionCall[]; generation: number; reason: ToolCallLossReason }
  /** Calls whose connection went before they could be answered there: their outcome will reach the conversation later (see the ledger). */
  | { type: 'toolCallsOrphaned'; calls: FunctionCall[]; generation: number }
  /** The server cancelled calls, or (`implicit`) the user's input did, under `whileBlockingCall: 'interrupt'`. */
  | { type: 'toolCancelled'; ids: string[]; implicit?: boolean }
  | { type: 'gate'; state: 'closed' | 'opened'; pending: string[] }
  | { type: 'inputDropped'; kind: RealtimeInputKind; reason: DropReason }
  | { type: 'usage'; usage: UsageMetadata }
  | { type: 'goAway'; timeLeftMs: number | undefined }
  | { type: 'reconnecting'; cause: ReconnectCause; attempt: number; error: LiveSessionError | undefined }
  | { type: 'reconnected'; generation: number; resumed: boolean }
  /** No fresh handle came in time after a goAway: the session resumed with an older one. */
  | { type: 'resumptionHandleStale'; handle: string | undefined }
  | { type: 'micEnded'; error: LiveSessionError | undefined }
  /**
   * The user started speaking (`activity` option): by the detector (`'vad'`, `'server'`) or the
   * app's `activityStart()` (`'manual'`). Times in stream time: ms of audio handed to the session
   * since it was created. `atMs`: where speech began; `detectedAtMs`: where that could be told.
   */
  | { type: 'speechStarted'; atMs: number; detectedAtMs: number }
  /** The user stopped speaking: `atMs` is the end of the last speech, `detectedAtMs` where that could be told. */
  | { type: 'speechStopped'; atMs: number; detectedAtMs: number }
  | { type: 'error'; error: LiveSessionError }
  /** Every server message, whole, as it came (grounding metadata, executable code, … included). */
  | { type: 'message'; message: unknown; generation: number }
  /** Something the application should know that is not an error (e.g. `UNKNOWN_MODEL`). */
  | { type: 'info'; code: string; message: string }
  | { type: 'closed'; closedBy: ClosedBy };

/** Why calls were lost: see the `toolCallsLost` event. */
export type ToolCallLossReason = 'connectionClosed' | 'sessionClosed' | 'connectionGone';

/** The emitted event of one type. */
export type EmittedOf<T extends SessionEmitted['type']> = Extract<SessionEmitted, { type: T }>;
