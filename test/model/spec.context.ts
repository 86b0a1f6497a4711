/**
 * The spec's context, and the pure work on it that the spec's actions share: taking calls,
 * answering settled batches, orphaning a connection's calls, delivering orphaned outcomes, and
 * what each of those puts on the wire (the frame log, `out`).
 *
 * The frame log and the connection numbers are bookkeeping, not state: the test model leaves
 * them out when it compares snapshots (`serializeSpec`), so they add no vertex to the graph. A
 * step's frames are what it appended to the log.
 */
import { blocks, initialSpecContext as initialState, MAX_ATTEMPTS, type Conn, type GatedType, type Signal, type SpecCall, type SpecContext, type SpecFrame, type SpecOrphan, type SpecSettings } from './spec.types.js';

/** What a step put on the wire, on which connection (0-based, in the order the session opened them). */
export type LoggedFrame = DistributiveOmit<SpecFrame, 'on'> & { connection: number };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The spec's context with its bookkeeping. */
export interface SpecState extends SpecContext {
  /** Every frame the session sent so far. */
  out: LoggedFrame[];
  /** The current connection's number (-1 before the first), and the old one's. */
  conn: number;
  oldConn: number | undefined;
}

export const initialSpecState = (settings?: SpecSettings): SpecState => ({ ...initialState(settings), out: [], conn: -1, oldConn: undefined });

/** The one id the walk makes again after its outcome was delivered as context. */
export const REPEATED_ONCE_DELIVERED = 'a';

/**
 * A snapshot's vertex in the graph: its state and its context without the bookkeeping, and with
 * what can no longer matter set to its initial value, so that states that can only behave alike
 * are one vertex:
 *
 * - what decides the turn boundary (the model idle, the handle fresh and resumable, the goAway's
 *   due time) once no goAway is announced or still to come (the walk offers one a path);
 * - what decides whether a resume loops (the handle, the current connection resumed, the last
 *   close), once no loop can come: a loop needs a resumed connection and an attempt left, and a
 *   connection is resumed without spending an attempt only after a goAway;
 * - the transcript, once no fresh session can be seeded with it;
 * - the order of the pending calls (each step settles or cancels one call, so batches never
 *   complete together, and a batch's calls keep their order), and the outcomes delivered of ids
 *   the walk never makes again (only `a` is made again once delivered).
 */
export function serializeSpec(snapshot: { value: unknown; context: SpecState }): string {
  return JSON.stringify({ value: snapshot.value, context: canonicalContext(snapshot.context) });
}

/** The context as a vertex has it: see {@link serializeSpec}. The walk reads this one, so that a vertex offers the same events whichever path reached it. */
export function canonicalContext(state: SpecState): SpecContext {
  const { out: _out, conn: _conn, oldConn: _old, ...context } = state;
  // The walk offers a goAway only on the first connection, before any attempt is spent.
  const goAwayAhead = context.goAway || (context.goAways === 0 && context.attempts === 0);
  const loopAhead = context.attempts < MAX_ATTEMPTS;
  return {
    ...context,
    ...(goAwayAhead ? {} : { modelIdle: true, handleFresh: true, handleResumable: true, goAwayDue: false }),
    handle: context.handle && loopAhead && goAwayAhead,
    resumed: context.resumed && loopAhead,
    lastCloseRetryable: context.lastCloseRetryable && loopAhead && (context.resumed || goAwayAhead),
    transcript: context.transcript && (context.restart || loopAhead),
    pending: [...context.pending].sort((x, y) => (x.on + x.id).localeCompare(y.on + y.id)),
    delivered: context.delivered.filter((id) => id === REPEATED_ONCE_DELIVERED),
  };
}

/** The connection number a role names now. */
export function connectionOf(context: SpecState, on: Conn): number {
  const number = on === 'old' ? context.oldConn : context.conn;
  if (number === undefined || number < 0) throw new Error(`the spec names the ${on} connection, and there is none`);
  return number;
}

/** The log with `frame` sent on `on`. */
export function sent(context: SpecState, frame: DistributiveOmit<SpecFrame, 'on'>, on: Conn = 'current'): LoggedFrame[] {
  return [...context.out, { ...frame, connection: connectionOf(context, on) }];
}

/** A set of ids, as the spec keeps them: sorted, so the order they came in makes no state of its own. */
const sortedIds = <T extends { id: string }>(items: T[]): T[] => [...items].sort((a, b) => a.id.localeCompare(b.id));

/**
 * Answers every batch whose calls have all settled, each in one toolResponse on the connection
 * its calls came on, in the order the calls came. An answer on the current connection makes the
 * newest handle stale.
 */
export function answerSettled(context: SpecState, pending: SpecCall[]): Partial<SpecState> {
  let out = context.out;
  let handleFresh = context.handleFresh;
  const batches = [...new Set(pending.map((call) => call.batch))];
  const answered = new Set<string>();
  for (const batch of batches) {
    const calls = pending.filter((call) => call.batch === batch);
    if (calls.some((call) => !call.settled)) continue;
    answered.add(batch);
    const on = calls[0]?.on ?? 'current';
    out = [...out, { toolResponse: calls.map((call) => call.id), connection: connectionOf(context, on) }];
    if (on === 'current') handleFresh = false;
  }
  return { pending: pending.filter((call) => !answered.has(call.batch)), out, handleFresh };
}

/** The calls of a connection that is gone become orphans (a repeat, with no tool of its own, is left with nothing to wait for). */
export function orphaned(context: SpecState, on: Conn): Pick<SpecState, 'pending' | 'orphans'> {
  const gone = context.pending.filter((call) => call.on === on && !call.repeat);
  return {
    pending: context.pending.filter((call) => call.on !== on),
    orphans: sortedIds([...context.orphans, ...gone.map((call): SpecOrphan => ({ id: call.id, settled: call.settled }))]),
  };
}

/** On a connection that streams: every orphan whose outcome is known reaches the conversation, in one clientContent (not while a blocking call is pending). */
export function delivered(context: SpecState): Partial<SpecState> {
  const ready = context.orphans.filter((orphan) => orphan.settled);
  if (ready.length === 0 || blocks(context)) return {};
  const ids = ready.map((orphan) => orphan.id);
  return {
    orphans: context.orphans.filter((orphan) => !orphan.settled),
    delivered: [...new Set([...context.delivered, ...ids])].sort(),
    transcript: true,
    handleFresh: false,
    out: sent(context, { context: ids }),
  };
}

/** The frame an input forwarded while streaming sends, if the bracket lets it out, and the bracket after. */
export function forwarded(context: SpecState, type: GatedType): { frame?: DistributiveOmit<SpecFrame, 'on'>; activityOpen: boolean } {
  const open = context.activityOpen;
  if (type === 'input.clientContent') return { frame: { clientContent: 'app' }, activityOpen: open };
  const kind = type.slice('input.'.length);
  if (kind === 'activityStart') return open ? { activityOpen: open } : { frame: { realtimeInput: kind }, activityOpen: true };
  if (kind === 'activityEnd') return open ? { frame: { realtimeInput: kind }, activityOpen: false } : { activityOpen: open };
  return { frame: { realtimeInput: kind }, activityOpen: open };
}

/** Signals held back by the gate go out, in order. */
export function deferredSent(context: SpecState): Partial<SpecState> {
  let out = context.out;
  for (const signal of context.deferred) out = [...out, { realtimeInput: signal, connection: context.conn }];
  const activityOpen = context.deferred.reduce((_open, signal: Signal) => signal === 'activityStart', context.activityOpen);
  return { out, deferred: [], activityOpen };
}
