/**
 * The spec's vocabulary: its call ids, connections, settings (the variants of a session it
 * walks), events, context, and what a step puts on the wire. `spec.machine.ts` is the chart over
 * it; `spec.walk.ts` says which events happen where, and `spec.wire.ts` what reaches the wire.
 */

/** The call ids of the spec: `a` is a single call, `b` and `c` the parallel calls of one toolCall. */
export const SINGLE = ['a'] as const;
export const PARALLEL = ['b', 'c'] as const;
/** An id the server cancels without ever having called it (a stale cancellation). */
export const STALE_ID = 'z';

/** The realtime input kinds, by their spec event type. */
export const INPUT_TYPES = [
  'input.audio',
  'input.video',
  'input.text',
  'input.activityStart',
  'input.activityEnd',
  'input.audioStreamEnd',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];
/** Input that meets the gate: realtime input, and conversation content. */
export type GatedType = InputType | 'input.clientContent';

/** Reconnect attempts in a row the paths' sessions allow. */
export const MAX_ATTEMPTS = 1;

/** A connection, by its role: the session's current one, or an older one a goAway left. */
export type Conn = 'current' | 'old';
/** Which connection a server event comes from: the current one unless it says `old`. */
export type From = { on?: 'old' };

/** What one `serverContent` says about the model: it speaks, its turn is complete, it waits for the user, or its status is IDLE. */
export type ModelSays = 'speaks' | 'turnComplete' | 'waitingForInput' | 'idle';

/**
 * The settings a path's session runs with: the profile's and the application's choices the
 * chart reads. Each variant is a test model of its own (`spec.variants.ts`).
 */
export interface SpecSettings {
  /** After a goAway the old socket is closed before the new setup goes out (every profile's default). */
  closeFirst: boolean;
  /** `whileBlockingCall: 'interrupt'` on a model whose input cancels a blocking call (3.8). */
  interrupt: boolean;
  /** The tool runs NON_BLOCKING (3.8's default): its calls never close the gate. */
  nonBlocking: boolean;
  /** The model reports `interactionStatus`: IDLE, not `turnComplete`, says it is idle. */
  status: boolean;
}

/** The events of the spec: the session's events, with payloads reduced to what the spec needs. */
export type SpecEvent =
  | { type: 'CONNECT' }
  | { type: 'CLOSE' }
  | { type: InputType }
  | { type: 'input.clientContent' }
  | { type: 'tools.update' }
  | { type: 'server.setupComplete' }
  | { type: 'server.content'; model: ModelSays }
  | { type: 'server.usage' }
  | { type: 'server.goAway' }
  | { type: 'server.resumptionUpdate'; resumable: boolean }
  | { type: 'server.malformed' }
  /** `repeat`: the model makes the same call again (same arguments as the call of that id it made before). */
  | ({ type: 'server.toolCall'; ids: string[]; repeat?: true } & From)
  | ({ type: 'server.toolCallCancellation'; ids: string[] } & From)
  | { type: 'transport.error' }
  | { type: 'transport.sendFailed' }
  | ({ type: 'transport.closed'; retryable: boolean } & From)
  | { type: 'tool.result'; id: string; outcome: 'ok' | 'error' }
  | { type: 'tool.executorIdle' }
  | { type: 'buffer.replay' }
  | { type: 'buffer.evicted' }
  | { type: 'goAway.due' }
  | { type: 'timer.reconnectBackoff' }
  | { type: 'timer.connectionStable' }
  | { type: 'mic.attach' }
  | { type: 'mic.detach' }
  | { type: 'mic.ended' }
  /** From the activity actor, in sessions with an `activity` option: never walked (see mirror.test.ts). */
  | { type: 'activity.preRoll' }
  | { type: 'activity.speech' }
  | { type: 'activity.error' }
  /** From a session store's binding: never walked (see mirror.test.ts). */
  | { type: 'session.restore' }
  | { type: 'session.takenOver' }
  /**
   * A child actor failed, and the session recovers: the mic's, whose source threw as it was
   * opened. (Named by the chart's descriptor: the test model offers an event only under the
   * exact descriptor a state handles.)
   */
  | { type: 'xstate.error.actor.*' };

/** An activity signal held back while gated. */
export type Signal = 'activityStart' | 'activityEnd';

/** A call the server waits on. */
export interface SpecCall {
  id: string;
  /** Its toolCall: the ids of that message, joined (`a`, `b,c`); a NON_BLOCKING call is a batch of its own. */
  batch: string;
  /** The connection it came on: its answer goes back there. */
  on: Conn;
  /** Its answer is known; it goes out with the rest of the batch. */
  settled: boolean;
  /** A call made again after a reconnect: no tool runs for it, it gets the first run's outcome. */
  repeat?: true;
}

/** A call whose connection went before its answer could go out there (the ledger's `orphaned`). */
export interface SpecOrphan {
  id: string;
  /** Its tool has settled: its outcome waits for a connection that streams. */
  settled: boolean;
}

export interface SpecContext {
  settings: SpecSettings;
  /** The calls the server waits on, in the order they came. */
  pending: SpecCall[];
  /** Orphaned calls, by id (kept sorted: the order they were orphaned in makes no state of its own). */
  orphans: SpecOrphan[];
  /** Ids whose outcome reached the conversation as content: a call made again gets it at once (sorted). */
  delivered: string[];
  /** The current connection is open (from the moment the session opens it until it is lost or left). */
  live: boolean;
  /** The current connection's setup has completed (it is open and the session streams or is gated on it). */
  ready: boolean;
  /** An older connection, one a goAway left, is still open (only where the old socket is not closed first). */
  old: boolean;
  /** An activityStart went out on the current connection and its activityEnd has not. */
  activityOpen: boolean;
  /** Activity signals held back by the gate, in order. */
  deferred: Signal[];
  /** Under 'interrupt': the input that cancelled the blocking calls, going round again through the open gate (within one step). */
  reraise: GatedType | undefined;
  /** Conversation content held until the session streams. */
  held: number;
  /** New tools wait for the current connection to open (its setup already on its way): they go out first thing. */
  toolsQueued: boolean;
  /** The model is not generating. */
  modelIdle: boolean;
  /** A goAway announced the end of the current connection. */
  goAway: boolean;
  /** Its `goAway.due` has not come yet. */
  goAwayDue: boolean;
  /** No toolResponse nor conversation content went out on the current connection since the newest resumption handle. */
  handleFresh: boolean;
  /** The newest resumption update said the session can be resumed. */
  handleResumable: boolean;
  /** The session holds a resumption handle. */
  handle: boolean;
  /** The current connection resumed a session (it was opened with a handle). */
  resumed: boolean;
  /** The last connection lost closed with the retryable close (the same close again loops). */
  lastCloseRetryable: boolean;
  /** A resumed session kept dying: the next setup starts a fresh one, seeded with the transcript. */
  restart: boolean;
  /** The transcript holds lines (outcomes delivered as context): a fresh session is seeded with them. */
  transcript: boolean;
  /** Failed reconnect attempts in a row. */
  attempts: number;
  /** GoAways the server sent so far, up to one: the walk offers one goAway a path (`spec.walk.ts`). */
  goAways: number;
}

/** What one step puts on the wire, and on which connection. */
export type SpecFrame = (
  | { realtimeInput: string }
  | { toolResponse: string[] }
  /** The application's conversation content (the next one it handed over). */
  | { clientContent: 'app' }
  /** Orphaned calls' outcomes, as conversation content. */
  | { context: string[] }
  /** A fresh session's seed: the conversation so far. */
  | { seed: true }
  | { contextUpdate: true }
) & { on: Conn };

/** The settings of the paths' usual session: a 2.5-like model, the old socket closed first. */
export const DEFAULT_SETTINGS: SpecSettings = { closeFirst: true, interrupt: false, nonBlocking: false, status: false };

export const initialSpecContext = (settings: SpecSettings = DEFAULT_SETTINGS): SpecContext => ({
  settings,
  pending: [],
  orphans: [],
  delivered: [],
  live: false,
  ready: false,
  old: false,
  activityOpen: false,
  deferred: [],
  reraise: undefined,
  held: 0,
  toolsQueued: false,
  modelIdle: true,
  goAway: false,
  goAwayDue: false,
  handleFresh: true,
  handleResumable: true,
  handle: false,
  resumed: false,
  lastCloseRetryable: false,
  restart: false,
  transcript: false,
  attempts: 0,
  goAways: 0,
});

/** The connection an event comes from. */
export const sourceOf = (event: SpecEvent): Conn => ('on' in event && event.on === 'old' ? 'old' : 'current');

/** Whether the bracket is open once the held-back signals have gone out. */
export const bracketOpenAfter = (open: boolean, deferred: readonly Signal[]): boolean =>
  deferred.reduce((_open, signal) => signal === 'activityStart', open);

/** Whether any pending call holds the gate. */
export const blocks = (context: SpecContext): boolean => !context.settings.nonBlocking && context.pending.length > 0;

/** Whether an event is input that meets the gate. */
export const isGated = (type: string): type is GatedType =>
  type === 'input.clientContent' || (INPUT_TYPES as readonly string[]).includes(type);
