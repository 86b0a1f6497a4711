/**
 * The events the machine accepts, grouped by producer: input, the connection, the tool executor,
 * the input buffer, the mic, the activity actor (`activityEvents.ts`), the application.
 */
import type { ErrorActorEvent } from 'xstate';
import type { LiveSessionError } from '../../protocol/errors.js';
import type {
  FunctionCall,
  FunctionResponseScheduling,
  RealtimeInput,
  RealtimeInputKind,
  UsageMetadata,
} from '../../protocol/messages.js';
import type { ContentTurn, FunctionDeclaration } from '../../protocol/messages.js';
import type { LedgerEntry } from '../ledger/entries.js';
import type { ToolOutcome } from './outcome.js';
import type { TranscriptLine } from './context.js';
import type { ActivityEvent } from '../activityEvents.js';

/** Input from the mic, the activity actor or the application. */
export type InputEvent =
  | { type: 'input.audio'; data: Uint8Array; mimeType?: string }
  | { type: 'input.video'; data: Uint8Array; mimeType: string }
  | { type: 'input.text'; text: string }
  | { type: 'input.activityStart' }
  | { type: 'input.activityEnd' }
  | { type: 'input.audioStreamEnd' };

/**
 * Conversation content from the application (`clientContent`): ordered with the input, held while
 * a blocking call is pending (under `whileBlockingCall: 'gate'`) or between connections.
 */
export interface ContentEvent {
  type: 'input.clientContent';
  turns: ContentTurn[];
  turnComplete: boolean;
}

/** The application replaced the tools mid-session (`session.updateTools`). */
export interface ToolsUpdateEvent {
  type: 'tools.update';
  /** The new declarations, as the server gets them in `contextUpdate.tools`. */
  declarations: FunctionDeclaration[];
  /** Which of the new tools run NON_BLOCKING. */
  nonBlockingTools: string[];
}

/** Model output of one `serverContent` message, decoded. */
export interface ServerContent {
  /** Audio chunks (24 kHz PCM16), in order. */
  audio: { data: Uint8Array; mimeType: string }[];
  /** Text parts (not thoughts), in order. */
  text: string[];
  inputTranscription: { text: string; finished: boolean } | undefined;
  outputTranscription: { text: string; finished: boolean } | undefined;
  interrupted: boolean;
  generationComplete: boolean;
  turnComplete: boolean;
  /** The model is not generating because it expects the user to go on. */
  waitingForInput: boolean;
  /** On models that report it: IN_PROGRESS while the model works (background reasoning included), IDLE when done. */
  interactionStatus: 'IN_PROGRESS' | 'IDLE' | undefined;
}

/** What the connection actor reports; `generation` says which connection it came from. */
export type ServerEvent =
  | { type: 'server.setupComplete'; generation: number }
  | { type: 'server.content'; generation: number; content: ServerContent }
  | { type: 'server.toolCall'; generation: number; calls: FunctionCall[] }
  | { type: 'server.toolCallCancellation'; generation: number; ids: string[] }
  | { type: 'server.goAway'; generation: number; timeLeftMs: number | undefined }
  | { type: 'server.resumptionUpdate'; generation: number; handle: string | undefined; resumable: boolean }
  | { type: 'server.usage'; generation: number; usage: UsageMetadata }
  | { type: 'server.malformed'; generation: number; error: LiveSessionError }
  | { type: 'transport.closed'; generation: number; error: LiveSessionError }
  | { type: 'transport.error'; generation: number; error: LiveSessionError }
  /** A realtime input counted as forwarded could not be sent after all. */
  | { type: 'transport.sendFailed'; generation: number; kind: RealtimeInputKind; error: LiveSessionError };

/**
 * Raised by the machine itself, `timeLeft` less a margin after a goAway: time to move to a new
 * connection whatever is still pending.
 */
export interface GoAwayDueEvent {
  type: 'goAway.due';
}

export type { ToolOutcome } from './outcome.js';

/** A tool executor's answer to one call. */
export interface ToolResultEvent {
  type: 'tool.result';
  generation: number;
  key: string;
  call: FunctionCall;
  outcome: ToolOutcome;
  /** For a NON_BLOCKING tool: how the model should take the response. */
  scheduling: FunctionResponseScheduling | undefined;
}

/** A tool executor has settled every call it was given. */
export interface ToolExecutorIdleEvent {
  type: 'tool.executorIdle';
  batch: number;
}

/** What the input buffer reports. */
export type BufferEvent =
  | { type: 'buffer.replay'; inputs: RealtimeInput[] }
  | { type: 'buffer.evicted'; kinds: RealtimeInputKind[] };

/** A source of microphone audio: an async iterable of PCM16 chunks (a Node `Readable` is one). */
export type AudioSource = AsyncIterable<Uint8Array>;

/** Events that manage the mic actor. */
export type MicEvent =
  | { type: 'mic.attach'; source: AudioSource; maxChunkBytes?: number }
  | { type: 'mic.detach' }
  | { type: 'mic.ended'; error: LiveSessionError | undefined };

/** Commands from the application. */
export type AppEvent = { type: 'CONNECT' } | { type: 'CLOSE' };

/**
 * What another process left of this session (a session store's record), put back before the
 * first connection: the handle to resume with, the conversation so far, the tool-call ledger.
 */
export interface SessionRestoreEvent {
  type: 'session.restore';
  /** The handle to resume with; none starts a fresh session. */
  resumptionHandle: string | undefined;
  /** Set when the conversation cannot be resumed (its handle is too old): why; the fresh session is seeded with the transcript. */
  freshReason: string | undefined;
  transcript: TranscriptLine[];
  /**
   * The ledger's entries as the other process left them. Calls it left running or orphaned are
   * orphaned here: without an outcome their tool runs again (with the same idempotency key), and
   * the outcome reaches the conversation as content on the next connection.
   */
  ledger: LedgerEntry[];
  /** How many calls the session had numbered: new idempotency keys go on from there. */
  callSeq: number;
}

/**
 * Another process took the session over (the session store refused this one's lease): nothing
 * more may be sent, and the session closes with `error`.
 */
export interface TakenOverEvent {
  type: 'session.takenOver';
  error: LiveSessionError;
}

/**
 * Every event the machine accepts. A child actor that fails sends `xstate.error.actor.<id>`. The
 * activity actor's `input.activityStart` / `input.activityEnd` are input like the application's.
 */
export type SessionEvent =
  | AppEvent
  | SessionRestoreEvent
  | TakenOverEvent
  | InputEvent
  | ActivityEvent
  | ServerEvent
  | ToolResultEvent
  | ToolExecutorIdleEvent
  | BufferEvent
  | MicEvent
  | ContentEvent
  | ToolsUpdateEvent
  | GoAwayDueEvent
  | ErrorActorEvent;
