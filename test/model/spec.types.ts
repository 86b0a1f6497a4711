/**
 * The spec's vocabulary: its call ids, connections, events, context, and what a step puts on the
 * wire. `spec.machine.ts` is the chart over it; `spec.walk.ts` says which events happen where.
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

/** Reconnect attempts in a row the paths' sessions allow. */
export const MAX_ATTEMPTS = 1;

/** A connection, by its role: the session's current one, or an older one a goAway left. */
export type Conn = 'current' | 'old';
/** Which connection a server event comes from: the current one unless it says `old`. */
export type From = { on?: 'old' };

/** The events of the spec: the session's events, with payloads reduced to what the spec needs. */
export type SpecEvent =
  | { type: 'CONNECT' }
  | { type: 'CLOSE' }
  | { type: InputType }
  | { type: 'server.setupComplete' }
  | { type: 'server.content' }
  | { type: 'server.usage' }
  | { type: 'server.goAway' }
  | { type: 'server.resumptionUpdate' }
  | { type: 'server.malformed' }
  | ({ type: 'server.toolCall'; ids: string[] } & From)
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
  /** Its toolCall: the ids of that message, joined (`a`, `b,c`). */
  batch: string;
  /** The connection it came on: its answer goes back there. */
  on: Conn;
  /** Its tool has settled; the answer goes out with the rest of the batch. */
  settled: boolean;
}

export interface SpecContext {
  /** The gate, in the order the calls came. */
  pending: SpecCall[];
  /** Calls of a lost connection whose tools still run: their results are discarded. */
  orphans: string[];
  /** The current connection is open (from the moment the session opens it until it is lost). */
  live: boolean;
  /** An older connection, one a goAway left, is still open. */
  old: boolean;
  /** An activityStart went out on the current connection and its activityEnd has not. */
  activityOpen: boolean;
  /** Activity signals held back by the gate, in order. */
  deferred: Signal[];
  /** A goAway announced the end of the current connection. */
  goAway: boolean;
  /** Its `goAway.due` has not come yet. */
  goAwayDue: boolean;
  /** No toolResponse went out on the current connection since the newest resumption handle. */
  handleFresh: boolean;
  /** Failed reconnect attempts in a row. */
  attempts: number;
}

/** What one step puts on the wire, and on which connection. */
export type SpecFrame = ({ realtimeInput: string } | { toolResponse: string[] }) & { on: Conn };

export const initialSpecContext = (): SpecContext => ({
  pending: [],
  orphans: [],
  live: false,
  old: false,
  activityOpen: false,
  deferred: [],
  goAway: false,
  goAwayDue: false,
  handleFresh: true,
  attempts: 0,
});

/** The connection an event comes from. */
export const sourceOf = (event: SpecEvent): Conn => ('on' in event && event.on === 'old' ? 'old' : 'current');

/** Whether the bracket is open once the held-back signals have gone out. */
export const bracketOpenAfter = (open: boolean, deferred: readonly Signal[]): boolean =>
  deferred.reduce((_open, signal) => signal === 'activityStart', open);
