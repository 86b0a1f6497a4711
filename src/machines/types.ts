/**
 * The statechart's vocabulary: its context, the events it accepts (grouped by producer), the
 * events it emits to the application, and the messages it sends its child actors.
 */
import type { ErrorActorEvent } from 'xstate';
import type { LiveSessionError, ToolError } from '../protocol/errors.js';
import type {
  FunctionCall,
  FunctionResponse,
  FunctionResponseScheduling,
  JsonValue,
  RealtimeInput,
  RealtimeInputKind,
  UsageMetadata,
} from '../protocol/messages.js';

// ---------------------------------------------------------------------------------------------
// Context

/** A function call the server is waiting on. The set of them is the gate. */
export interface PendingCall {
  /** The pending set's key: the call id, or a key of our own when the server gave none. */
  key: string;
  id: string | undefined;
  name: string;
  /** The arguments as the server sent them, unchecked. */
  args: unknown;
  /** The connection the call came on: its answer goes back on that connection only. */
  generation: number;
  /** Which toolCall message it came in; a batch is answered in one toolResponse. */
  batch: number;
  /** Whether the call holds the gate: NON_BLOCKING calls do not, unless configured to. */
  blocking: boolean;
  /** The answer, once the tool has settled; sent when the whole batch has settled. */
  answer: FunctionResponse | undefined;
}

/** Why input was dropped instead of sent. */
export type DropReason =
  /** A tool call is pending: the server would close the connection with 1008. */
  | 'gated'
  /** There is no live connection (not connected yet, or between connections). */
  | 'notStreaming'
  /** An activityEnd with no activityStart before it. */
  | 'noOpenActivity'
  /** An activityStart while the previous one has not ended. */
  | 'activityAlreadyOpen'
  /** The session has closed. */
  | 'closed'
  /** It was buffered, and the buffer overflowed (the oldest input goes first). */
  | 'evicted'
  /** The application handed over a value that is not input of its kind (never sent). */
  | 'invalid'
  /** The connection refused the send (its socket was gone). */
  | 'sendFailed';

/** Every drop reason, in a stable order. */
export const DROP_REASONS: readonly DropReason[] = [
  'gated',
  'notStreaming',
  'noOpenActivity',
  'activityAlreadyOpen',
  'closed',
  'evicted',
  'invalid',
  'sendFailed',
];

/**
 * The counters the machine keeps (I4). Every input is received once, then forwarded, dropped,
 * buffered (and later replayed or evicted) or, an activity signal while gated, deferred, so at any
 * time `sum(received) === sum(forwarded) + sum(dropped) + deferred + buffered`. Every tool call
 * received ends once: `toolCalls === toolCallsAnswered + toolCancellations + toolCallsLost +
 * pending`.
 */
export interface SessionCounters {
  received: Record<RealtimeInputKind, number>;
  forwarded: Record<RealtimeInputKind, number>;
  dropped: Record<DropReason, number>;
  /** Activity signals held back right now until the gate reopens (at most end, start, end). */
  deferred: number;
  /** Inputs in the buffer right now. */
  buffered: number;
  /** Buffered inputs sent later (also counted as forwarded, or dropped if the bracket refused them). */
  replayed: number;
  /** Function calls received from the server (duplicates of a pending id excepted). */
  toolCalls: number;
  /** Calls whose answer went out in a toolResponse. */
  toolCallsAnswered: number;
  /** Calls whose connection was gone before their answer could go out on it. */
  toolCallsLost: number;
  /** Tool outcomes recorded (results and error outcomes alike). */
  toolResults: number;
  toolErrors: number;
  toolCancellations: number;
  toolResponsesSent: number;
  /** Tool results that arrived for a call nobody waits for any more (an older connection's). */
  toolResultsDiscarded: number;
  /** Connections opened after the first. */
  reconnects: number;
  errors: number;
  /** Milliseconds spent gated, up to the last time the gate reopened. */
  gatedMs: number;
}

/** Why the session closed. */
export type ClosedBy =
  /** The application called `close()`. */
  | { by: 'client' }
  /** The connection ended in a way no retry can mend. */
  | { by: 'server'; error: LiveSessionError }
  /** Every reconnect attempt failed; `error` is the last failure. */
  | { by: 'attemptsExhausted'; error: LiveSessionError; attempts: number }
  /** A defect stopped the session (it is reported, never silent). */
  | { by: 'failure'; error: LiveSessionError };

/** What to do with realtime input the session cannot send now. */
export type InputPolicy = 'drop' | { buffer: { maxMs: number } };

/** The machine's settings, fixed for the life of a session. */
export interface SessionSettings {
  /** Whether the server issues resumption handles (the session asks for them by default). */
  resumption: boolean;
  /** Reconnect attempts after a retryable close, in a row; 0 turns reconnecting off. */
  maxReconnectAttempts: number;
  /** Backoff: full jitter over `min(maxDelayMs, baseDelayMs * 2^attempt)`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Streaming this long on a connection resets the count of failed attempts. */
  stableAfterMs: number;
  inputWhileGated: InputPolicy;
  inputWhileReconnecting: InputPolicy;
  /** Names of the NON_BLOCKING tools. */
  nonBlockingTools: string[];
  /** Whether a NON_BLOCKING call closes the gate all the same (default false). */
  gateNonBlocking: boolean;
  /**
   * What the user's input does while a blocking call runs: held (`'gate'`), or let through, the
   * first input forwarded cancelling the pending blocking calls (`'interrupt'`, for models whose
   * input cancels a blocking call instead of closing the connection).
   */
  whileBlockingCall: 'gate' | 'interrupt';
  /** Whether the model reports `interactionStatus`: then IDLE, not `turnComplete`, means idle. */
  interactionStatus: boolean;
}

/** Why the session is between connections. */
export type ReconnectCause = 'goAway' | 'connectionLost';

/** An activity signal that can be held back while the gate is closed. */
export type ActivitySignal = 'activityStart' | 'activityEnd';

/** Where the machine reads the time (ms since the epoch). Tests give a fake one. */
export interface SessionClock {
  now(): number;
}

/** The machine's input: settings, each defaulted, and the clock. */
export type SessionInput = Partial<SessionSettings> & { clock?: SessionClock };

/** The machine's context. No audio bytes live here. */
export interface SessionContext {
  settings: SessionSettings;
  clock: SessionClock;
  /** Counts connections: the current one. Most events from an older connection are ignored. */
  generation: number;
  /**
   * The connections still open: the current one, and one a goAway is leaving while calls made on
   * it are answered there.
   */
  openConnections: number[];
  /** The gate: calls the server is waiting on, by key. */
  pending: Record<string, PendingCall>;
  /** The number of the last toolCall batch. */
  batch: number;
  /** An activityStart went out and its activityEnd has not. */
  activityOpen: boolean;
  /** Activity signals that arrived while gated, in order; they go out when the gate reopens. */
  deferredActivity: ActivitySignal[];
  /** The newest resumable session handle the server gave. */
  resumptionHandle: string | undefined;
  /** Whether the newest handle was issued after our last toolResponse (safe to resume with). */
  handleIsFresh: boolean;
  /** Set when the server announced the end of this connection: when it will close it (clock ms). */
  goAwayDeadline: number | undefined;
  /** Failed reconnect attempts in a row. */
  reconnectAttempts: number;
  /** The last error that sent us reconnecting. */
  lastError: LiveSessionError | undefined;
  /** When the gate last closed (ms since epoch), while it is closed. */
  gatedSince: number | undefined;
  closedBy: ClosedBy | undefined;
  /**
   * Every input and tool figure, as of this snapshot. In a session made by `createLiveSession`
   * without `inspect`, realtime input forwarded while streaming is counted by the session instead
   * (one context copy per frame spared); `session.metrics()` always has every count.
   */
  counters: SessionCounters;
}

// ---------------------------------------------------------------------------------------------
// Events the machine accepts

/** Input from the mic, the activity actor or the application. */
export type InputEvent =
  | { type: 'input.audio'; data: Uint8Array; mimeType?: string }
  | { type: 'input.video'; data: Uint8Array; mimeType: string }
  | { type: 'input.text'; text: string }
  | { type: 'input.activityStart' }
  | { type: 'input.activityEnd' }
  | { type: 'input.audioStreamEnd' };

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

/** How a tool call settled. */
export type ToolOutcome = { status: 'ok'; output: JsonValue } | { status: 'error'; error: ToolError };

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

/** Every event the machine accepts. A child actor that fails sends `xstate.error.actor.<id>`. */
export type SessionEvent =
  | AppEvent
  | InputEvent
  | ServerEvent
  | ToolResultEvent
  | ToolExecutorIdleEvent
  | BufferEvent
  | MicEvent
  | GoAwayDueEvent
  | ErrorActorEvent;

// ---------------------------------------------------------------------------------------------
// Events the machine emits to the application

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
  | { type: 'toolCall'; calls: FunctionCall[] }
  | { type: 'toolResult'; call: FunctionCall; outcome: ToolOutcome }
  | { type: 'toolResultDiscarded'; call: FunctionCall; outcome: ToolOutcome }
  /**
   * Calls whose connection was gone before they could be answered on it: `connectionClosed` when
   * it closed with them pending, `sessionClosed` when the session did, `connectionGone` for a call
   * that arrived from a connection the session had already left.
   */
  | { type: 'toolCallsLost'; calls: FunctionCall[]; generation: number; reason: ToolCallLossReason }
  | { type: 'toolCancelled'; ids: string[] }
  | { type: 'gate'; state: 'closed' | 'opened'; pending: string[] }
  | { type: 'inputDropped'; kind: RealtimeInputKind; reason: DropReason }
  | { type: 'usage'; usage: UsageMetadata }
  | { type: 'goAway'; timeLeftMs: number | undefined }
  | { type: 'reconnecting'; cause: ReconnectCause; attempt: number; error: LiveSessionError | undefined }
  | { type: 'reconnected'; generation: number; resumed: boolean }
  /** No fresh handle came in time after a goAway: the session resumed with an older one. */
  | { type: 'resumptionHandleStale'; handle: string | undefined }
  | { type: 'micEnded'; error: LiveSessionError | undefined }
  | { type: 'error'; error: LiveSessionError }
  /** Something the application should know that is not an error (e.g. `UNKNOWN_MODEL`). */
  | { type: 'info'; code: string; message: string }
  | { type: 'closed'; closedBy: ClosedBy };

/** Why calls were lost: see the `toolCallsLost` event. */
export type ToolCallLossReason = 'connectionClosed' | 'sessionClosed' | 'connectionGone';

/** The emitted event of one type. */
export type EmittedOf<T extends SessionEmitted['type']> = Extract<SessionEmitted, { type: T }>;

// ---------------------------------------------------------------------------------------------
// Child actors' inputs and commands

/** Input of the connection actor. */
export interface ConnectionInput {
  generation: number;
  resumptionHandle: string | undefined;
}

/** What the machine asks of the connection actor. */
export type ConnectionCommand =
  | { type: 'send.realtimeInput'; input: RealtimeInput }
  | { type: 'send.toolResponse'; responses: FunctionResponse[] };

/** Input of a tool executor: the calls of one toolCall message. */
export interface ToolExecutorInput {
  generation: number;
  batch: number;
  calls: { key: string; call: FunctionCall }[];
}

/** What the machine asks of a tool executor. */
export type ToolExecutorCommand = { type: 'cancel'; keys: string[] };

/** What the machine asks of the input buffer. */
export type InputBufferCommand =
  | { type: 'buffer.push'; input: RealtimeInput; maxMs: number }
  | { type: 'buffer.restore'; inputs: RealtimeInput[] }
  | { type: 'buffer.flush' };

/** Input of the mic actor. */
export interface MicInput {
  source: AudioSource;
  maxChunkBytes: number | undefined;
}
