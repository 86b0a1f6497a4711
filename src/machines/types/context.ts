/**
 * The machine's context: the pending calls (the gate), the counters (I4), the settings, and
 * what the connections and the activity bracket are doing.
 */
import type { LiveSessionError } from '../../protocol/errors.js';
import type { ActivityMode } from '../activityEvents.js';
import type { ContentTurn } from '../../protocol/messages.js';
import type { Ledger } from '../ledger/entries.js';
import type {
  FunctionResponse,
  RealtimeInputKind,
} from '../../protocol/messages.js';

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
  /** The earlier call (its key) this one repeats after a reconnect: its outcome is this one's answer. */
  sameAs?: string | undefined;
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
  | 'sendFailed'
  /**
   * `activity: 'vad'`: audio while the user is not speaking. With automatic activity detection
   * off the model has no use for it; the part just before speech is sent again as pre-roll.
   */
  | 'outsideActivity';

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
  'outsideActivity',
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
  /**
   * Audio inputs that were pre-roll (`activity` option): audio from just before speech, handed
   * over again right after the activityStart. Each is also in `received` (and then forwarded,
   * dropped or buffered); the first time round, outside the bracket, it was counted too.
   */
  preRoll: number;
  /** Function calls received from the server (duplicates of a pending id excepted). */
  toolCalls: number;
  /** Calls whose answer went out in a toolResponse. */
  toolCallsAnswered: number;
  /** Calls that can never be answered: from a connection already gone, or the session closed first. */
  toolCallsLost: number;
  /** Calls whose connection went before their answer could go out there (they end later, below). */
  toolCallsOrphaned: number;
  /** Orphaned calls whose outcome reached the conversation as content on a later connection. */
  toolCallsDeliveredAsContext: number;
  /** Calls whose outcome went to the same call made again after a reconnect. */
  toolCallsSuperseded: number;
  /** Orphaned calls whose outcome was dropped (`orphanedResults: 'discard'`). */
  toolCallsDiscarded: number;
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
  /** `clientContent` messages sent, and dropped (held when the session closed, or past the bound). */
  contentSent: number;
  contentDropped: number;
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
  | { by: 'failure'; error: LiveSessionError }
  /** Another process took the session over (its session store fenced this one): `error` says who. */
  | { by: 'takenOver'; error: LiveSessionError };

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
  /** Names this session in the idempotency keys its tools get. */
  sessionId: string;
  /** What becomes of an orphaned call's outcome: conversation content on the next connection, or nothing. */
  orphanedResults: 'asContext' | 'discard';
  /** How long after a reconnect a call made again is taken for the same one (and how long ended calls are kept). */
  dedupeWindowMs: number;
  /** Tools whose calls are never taken for an earlier one (`dedupe: false`). */
  noDedupeTools: string[];
  /** After a goAway, close the old connection before the new one's setup goes out (default), or after. */
  closeBeforeResume: boolean;
  /** A resumed connection that dies again this soon (1007, or the same close twice) starts a fresh session. */
  resumeLoopWindowMs: number;
  /** The roles a fresh session's seed (and an orphan's outcome) may use: both, or the user's only. */
  contentRoles: 'userAndModel' | 'userOnly';
  /**
   * Who brackets the user's speech when the session runs an activity actor (the `activity`
   * option); absent: no actor, the application's signals only.
   */
  activity?: ActivityMode | undefined;
}

/** Why the session is between connections. */
export type ReconnectCause = 'goAway' | 'connectionLost';

/** An activity signal that can be held back while the gate is closed. */
export type ActivitySignal = 'activityStart' | 'activityEnd';

/** One line of the conversation as the session keeps it. */
export interface TranscriptLine {
  /** `tool`: a tool call's outcome, as the conversation learned it. */
  role: 'user' | 'model' | 'tool';
  text: string;
  /** The line is complete (a finished transcription, or a tool outcome). */
  done: boolean;
}

/** Conversation content held until it can be sent. */
export interface HeldContent {
  turns: ContentTurn[];
  turnComplete: boolean;
}

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
  /**
   * The activity actor's bracket is open: the user speaks, as its detector (or the app's
   * push-to-talk) says. A new connection opens its own bracket while it is (I5). Absent: false.
   */
  userSpeaking?: boolean;
  /** Activity signals that arrived while gated, in order; they go out when the gate reopens. */
  deferredActivity: ActivitySignal[];
  /** Conversation content that arrived while it could not be sent, in order; it goes out when streaming. */
  heldContent: HeldContent[];
  /** The model is not generating: its turn is complete (or, on models that report it, its status IDLE). */
  modelIdle: boolean;
  /** Every call's record, through its life; ended ones are kept for the dedupe window. */
  ledger: Ledger;
  /** Calls made so far: numbers the idempotency keys. */
  callSeq: number;
  /** When the current connection was set up (clock ms), and whether it resumed a session. */
  connectedAt: number | undefined;
  resumed: boolean;
  /** When the last reconnect completed (clock ms): the dedupe window starts there. */
  reconnectedAt: number | undefined;
  /** Whether the newest resumption update said the session could be resumed. */
  handleResumable: boolean;
  /** The last close of a connection: a resumed one closing the same way again is a loop. */
  lastClose: { code: number; reason: string } | undefined;
  /** Set while a fresh session replaces one that could not be resumed: why. */
  restartReason: string | undefined;
  /** The conversation so far, bounded: what seeds a fresh session. */
  transcript: TranscriptLine[];
  /** The newest resumable session handle the server gave. */
  resumptionHandle: string | undefined;
  /** Whether the newest handle was issued after our last toolResponse and conversation content (safe to resume with). */
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
