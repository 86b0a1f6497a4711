/**
 * What the inspector page shows, kept up to date from XState inspection events: the active
 * state, the transitions just taken, the gate, a timeline of the events the session machine took
 * (each input marked forwarded, dropped, buffered or deferred, each with the session as it was
 * then, for time travel), the pending tool calls, the ledger, the counters, and once the session
 * has closed, why and what it did, in words.
 *
 * Pure and free of Node imports: the server feeds it, and it could as well run in a page.
 */
import type { InspectionEvent } from 'xstate';
import type { DropReason, PendingCall, SessionContext, SessionCounters } from '../../machines/types.js';
import { activeStateIds, transitionIdOf } from '../chart.js';
import { sanitize, type Plain } from '../sanitize.js';
import { stateName } from '../stateLogger.js';
import { describeEvent } from './describeEvent.js';
import { ledgerView, type LedgerEntryView } from './ledger.js';
import { describeCounters, describeEnding, inputFate, inputOutcome, type InputMark } from './words.js';

export { describeEvent } from './describeEvent.js';
export type { InputMark } from './words.js';

/** A call the server waits on, with when the inspector first saw it. */
export interface PendingCallView {
  key: string;
  id?: string;
  name: string;
  blocking: boolean;
  /** The tool has settled; the answer waits for the rest of its batch. */
  answered: boolean;
  /** When the call arrived (ms since epoch); the page shows the time elapsed since. */
  since: number;
}

/** The last event that changed the state, and the transitions it took. */
export interface TransitionView {
  from: string;
  to: string;
  event: string;
  at: number;
  /** The diagram's ids of the transitions taken (`session.streaming#9`, …), in order. */
  ids: string[];
}

/** A closed session, in words. */
export interface EndingView {
  /** Why it closed: `Closed by the server: 1008 “…” (unsupportedOperation).` */
  reason: string;
  /** The counters as sentences. */
  summary: string[];
}

/** The session at one moment: what the page draws, now or for a moment of the timeline. */
export interface InspectorFrame {
  /** `waiting` until a session is inspected; then the actor's status. */
  status: 'waiting' | 'active' | 'done' | 'error' | 'stopped';
  /** The active state, dotted: `idle.reconnecting.backoff`. */
  state?: string;
  /** Ids of every active state, outermost first (`session`, `session.idle`, …). */
  activeIds: string[];
  /**
   * `closed` while the server waits on a blocking tool call (no realtime input goes out), `ended`
   * once the session has closed for good, `open` otherwise.
   */
  gate: 'open' | 'closed' | 'ended';
  /** What happens to realtime input right now, in words. */
  input: string;
  pending: PendingCallView[];
  counters?: SessionCounters;
  /** When the gate closed (ms since epoch), while it is closed. */
  gatedSince?: number;
  /** The diagram's ids of the transitions the latest event took, state changing or not. */
  taken: string[];
  /** The last event that changed the state. */
  lastTransition?: TransitionView;
  /** The tool-call ledger, when the machine keeps one (`context.ledger`). */
  ledger?: LedgerEntryView[];
  /** Why the session closed, as the machine recorded it. */
  closedBy?: Plain;
  /** Once closed: why, and the counters, in words. */
  ending?: EndingView;
}

/** The session as the page shows it now. */
export interface InspectorView extends InspectorFrame {
  /** The inspector's clock when the view was made, so the page can run timers in step. */
  now: number;
  /** The session actor's id, if one is inspected. */
  sessionId?: string;
  /** Counts the sessions inspected (a new one starts the timeline afresh); 0 before the first. */
  session: number;
}

/** One line of the timeline: an event the machine took, or a run of alike events. */
export interface TimelineEntry {
  /** Stable number of the line; an update with the same `seq` replaces it. */
  seq: number;
  /** When the first and the last event of the run were taken (ms since epoch). */
  at: number;
  lastAt: number;
  /** The event type (`input.audio`, `server.toolCall`, `after reconnectBackoff`, …). */
  type: string;
  /** How many alike events in a row this line stands for. */
  count: number;
  /** For a realtime input: what became of it. */
  mark?: InputMark;
  /** For a dropped input: why. */
  reason?: DropReason;
  /** Set when the event changed the state. */
  from?: string;
  to?: string;
  /** A short, readable summary of the event's payload. */
  detail?: string;
  /** The session right after the (last) event of the line: clicking the line shows it. */
  frame?: InspectorFrame;
}

/** What changed with one inspection event. */
export interface InspectorUpdate {
  view: InspectorView;
  /** New timeline lines, or lines that grew (same `seq`); each line's frame is the view's. */
  entries: TimelineEntry[];
}

/** Options of {@link createInspectorModel}. */
export interface InspectorModelOptions {
  /** Timeline lines kept; the oldest go first (default 500). */
  maxEntries?: number;
  /** Called after every change. */
  onUpdate?: (update: InspectorUpdate) => void;
  /** The clock (default `Date.now`). */
  now?: () => number;
}

/** The inspector's model of one session. See {@link createInspectorModel}. */
export interface InspectorModel {
  /** The inspection observer: pass it as a session's (or any actor's) `inspect` option. */
  inspect(event: InspectionEvent): void;
  /** The view right now. */
  view(): InspectorView;
  /** The timeline lines kept, oldest first. */
  timeline(): TimelineEntry[];
}

interface RootSnapshot {
  value?: unknown;
  /** The machine: state ids start with its id. */
  machine?: { id: string };
  status?: InspectorView['status'];
  context?: Partial<SessionContext> & { ledger?: unknown };
}

/**
 * Creates the inspector's model. A new root actor (another session) starts it afresh.
 *
 * @example
 * ```ts
 * const model = createInspectorModel({ onUpdate: ({ view }) => console.log(view.state, view.gate) });
 * const session = createLiveSession({ ai, model: 'gemini-…', inspect: model.inspect });
 * ```
 */
export function createInspectorModel(options: InspectorModelOptions = {}): InspectorModel {
  const maxEntries = options.maxEntries ?? 500;
  const now = options.now ?? Date.now;
  let sessionId: string | undefined;
  let root: unknown;
  let generation = 0;
  let view: InspectorView = emptyView(now());
  let entries: TimelineEntry[] = [];
  let seq = 0;
  let since = new Map<string, number>();
  // Transitions taken in the macrostep under way (reported before its snapshot), and by whom.
  let taken: string[] = [];
  let takenBy: unknown;

  const takeMicrostep = (inspection: InspectionEvent) => {
    if (inspection.type !== '@xstate.microstep' || inspection.actorRef.sessionId !== inspection.rootId) return;
    if (takenBy !== inspection.actorRef) taken = [];
    takenBy = inspection.actorRef;
    for (const transition of inspection._transitions) {
      const id = transitionIdOf(transition);
      if (id !== undefined) taken.push(id);
    }
  };

  const takeSnapshot = (inspection: InspectionEvent) => {
    if (inspection.type !== '@xstate.snapshot' || inspection.actorRef.sessionId !== inspection.rootId) return;
    const snapshot = inspection.snapshot as RootSnapshot;
    if (snapshot.value === undefined) return;
    // A new root actor is another session (session ids restart with each actor system).
    if (inspection.actorRef !== root) {
      root = inspection.actorRef;
      sessionId = inspection.actorRef.sessionId;
      generation += 1;
      view = emptyView(now());
      entries = [];
      since = new Map();
    }
    const stepTaken = takenBy === inspection.actorRef ? taken : [];
    taken = [];
    const at = now();
    const previous = view;
    const state = stateName(snapshot.value);
    const context = snapshot.context ?? {};
    const type = eventLabel((inspection.event as { type: string }).type);

    const pending = Object.values(context.pending ?? {}).map((call: PendingCall) => pendingView(call, since.get(call.key) ?? at));
    since = new Map(pending.map((call) => [call.key, call.since]));

    const top = state.split('.')[0] ?? state;
    view = {
      now: at,
      status: snapshot.status ?? 'active',
      sessionId,
      session: generation,
      state,
      activeIds: activeStateIds(snapshot.machine?.id ?? 'session', snapshot.value),
      gate: top === 'closed' ? 'ended' : top === 'awaitingToolResponse' ? 'closed' : 'open',
      input: inputFate(state, context.settings),
      pending,
      counters: context.counters,
      gatedSince: context.gatedSince,
      taken: stepTaken,
      lastTransition: previous.lastTransition,
      ledger: ledgerView(context),
      closedBy: context.closedBy === undefined ? undefined : sanitize(context.closedBy),
    };
    if (top === 'closed') {
      view.ending = { reason: describeEnding(context.closedBy), summary: context.counters ? describeCounters(context.counters) : [] };
    }
    const entry: Omit<TimelineEntry, 'seq'> = { at, lastAt: at, type, count: 1 };
    if (previous.state !== undefined && previous.state !== state) {
      entry.from = previous.state;
      entry.to = state;
      view.lastTransition = { from: previous.state, to: state, event: type, at, ids: stepTaken };
    }
    if (type.startsWith('input.') && previous.counters && context.counters) {
      Object.assign(entry, inputOutcome(previous.counters, context.counters));
    }
    const detail = describeEvent(inspection.event);
    if (detail) entry.detail = detail;
    entry.frame = frameOf(view);
    const line = record(entry);
    options.onUpdate?.({ view, entries: [line] });
  };

  /** Adds a line, or grows the last one when the event is alike and changed no state. */
  const record = (entry: Omit<TimelineEntry, 'seq'>): TimelineEntry => {
    const last = entries[entries.length - 1];
    if (last && alike(last, entry)) {
      last.count += 1;
      last.lastAt = entry.at;
      last.frame = entry.frame;
      return { ...last };
    }
    const line = { seq: ++seq, ...entry };
    entries.push(line);
    if (entries.length > maxEntries) entries.splice(0, entries.length - maxEntries);
    return { ...line };
  };

  return {
    inspect(event) {
      // Inspection must never break the session it watches.
      try {
        takeMicrostep(event);
        takeSnapshot(event);
      } catch (error) {
        console.warn('gemini-live-fsm inspector: an inspection event could not be shown', error);
      }
    },
    view: () => ({ ...view, now: now() }),
    timeline: () => entries.map((entry) => ({ ...entry })),
  };
}

/** The moment a view shows, without the fields that say when and which session. */
export function frameOf(view: InspectorView): InspectorFrame {
  const { now: _now, sessionId: _sessionId, session: _session, ...frame } = view;
  return frame;
}

function emptyView(now: number): InspectorView {
  return { now, status: 'waiting', session: 0, activeIds: [], gate: 'open', input: 'no session yet', pending: [], taken: [] };
}

function pendingView(call: PendingCall, since: number): PendingCallView {
  const view: PendingCallView = { key: call.key, name: call.name, blocking: call.blocking, answered: call.answer !== undefined, since };
  if (call.id !== undefined) view.id = call.id;
  return view;
}

function alike(a: Omit<TimelineEntry, 'seq'>, b: Omit<TimelineEntry, 'seq'>): boolean {
  return (
    a.type === b.type &&
    a.mark === b.mark &&
    a.reason === b.reason &&
    a.detail === b.detail &&
    a.from === undefined &&
    b.from === undefined
  );
}

/** `xstate.after.reconnectBackoff.session.idle…` → `after reconnectBackoff`. */
function eventLabel(type: string): string {
  const delayed = /^xstate\.after\.([^.]+)\./.exec(type);
  return delayed ? `after ${delayed[1]}` : type;
}
