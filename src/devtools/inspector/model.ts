/**
 * What the inspector page shows, kept up to date from XState inspection events: the active
 * state, the gate, a timeline of the events the session machine took (each input marked
 * forwarded, dropped, buffered or deferred), the pending tool calls and the counters.
 *
 * Pure and free of Node imports: the server feeds it, and it could as well run in a page.
 */
import type { InspectionEvent } from 'xstate';
import type { InputPolicy, PendingCall, SessionContext, SessionCounters } from '../../machines/types.js';
import type { DropReason } from '../../machines/types.js';
import { activeStateIds } from '../chart.js';
import { sanitize, type Plain } from '../sanitize.js';
import { stateName } from '../stateLogger.js';

/** What became of one realtime input. */
export type InputMark = 'forwarded' | 'dropped' | 'buffered' | 'deferred';

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
}

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

/** The session as the page shows it. */
export interface InspectorView {
  /** The inspector's clock when the view was made, so the page can run timers in step. */
  now: number;
  /** `waiting` until a session is inspected; then the actor's status. */
  status: 'waiting' | 'active' | 'done' | 'error' | 'stopped';
  /** The session actor's id, if one is inspected. */
  sessionId?: string;
  /** Counts the sessions inspected (a new one starts the timeline afresh); 0 before the first. */
  session: number;
  /** The active state, dotted: `idle.reconnecting.backoff`. */
  state?: string;
  /** Ids of every active state, outermost first (`session`, `session.idle`, …). */
  activeIds: string[];
  /** Closed while the server waits on a blocking tool call: no realtime input goes out. */
  gate: 'open' | 'closed';
  /** What happens to realtime input right now, in words. */
  input: string;
  pending: PendingCallView[];
  counters?: SessionCounters;
  /** When the gate closed (ms since epoch), while it is closed. */
  gatedSince?: number;
  /** The last event that changed the state. */
  lastTransition?: { from: string; to: string; event: string; at: number };
  /** Why the session closed, once it has. */
  closedBy?: Plain;
}

/** What changed with one inspection event. */
export interface InspectorUpdate {
  view: InspectorView;
  /** New timeline lines, or lines that grew (same `seq`). */
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
  context?: Partial<SessionContext>;
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

  const take = (inspection: InspectionEvent) => {
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
    const at = now();
    const previous = view;
    const state = stateName(snapshot.value);
    const context = snapshot.context ?? {};
    const event = inspection.event as { type: string };
    const type = eventLabel(event.type);

    const pending = Object.values(context.pending ?? {}).map((call: PendingCall) => {
      const first = since.get(call.key) ?? at;
      return pendingView(call, first);
    });
    since = new Map(pending.map((call) => [call.key, call.since]));

    const top = state.split('.')[0] ?? state;
    view = {
      now: at,
      status: snapshot.status ?? 'active',
      sessionId,
      session: generation,
      state,
      activeIds: activeStateIds(snapshot.machine?.id ?? 'session', snapshot.value),
      gate: top === 'awaitingToolResponse' ? 'closed' : 'open',
      input: inputFate(state, context.settings),
      pending,
      counters: context.counters,
      gatedSince: context.gatedSince,
      lastTransition: previous.lastTransition,
      closedBy: context.closedBy === undefined ? undefined : sanitize(context.closedBy),
    };
    const entry: Omit<TimelineEntry, 'seq'> = { at, lastAt: at, type, count: 1 };
    if (previous.state !== undefined && previous.state !== state) {
      entry.from = previous.state;
      entry.to = state;
      view.lastTransition = { from: previous.state, to: state, event: type, at };
    }
    if (event.type.startsWith('input.') && previous.counters && context.counters) {
      Object.assign(entry, inputOutcome(previous.counters, context.counters));
    }
    const detail = describeEvent(inspection.event);
    if (detail) entry.detail = detail;
    const line = record(entry);
    options.onUpdate?.({ view, entries: [line] });
  };

  /** Adds a line, or grows the last one when the event is alike and changed no state. */
  const record = (entry: Omit<TimelineEntry, 'seq'>): TimelineEntry => {
    const last = entries[entries.length - 1];
    if (last && alike(last, entry)) {
      last.count += 1;
      last.lastAt = entry.at;
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
        take(event);
      } catch (error) {
        console.warn('gemini-live-fsm inspector: an inspection event could not be shown', error);
      }
    },
    view: () => ({ ...view, now: now() }),
    timeline: () => entries.map((entry) => ({ ...entry })),
  };
}

function emptyView(now: number): InspectorView {
  return { now, status: 'waiting', session: 0, activeIds: [], gate: 'open', input: 'no session yet', pending: [] };
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

/** What happens to realtime input in a state, under the session's policies. */
function inputFate(state: string, settings: SessionContext['settings'] | undefined): string {
  const policy = (p: InputPolicy | undefined, dropped: string) =>
    p === undefined || p === 'drop' ? dropped : `buffered (up to ${p.buffer.maxMs} ms)`;
  if (state === 'streaming') return 'forwarded';
  if (state === 'awaitingToolResponse') return policy(settings?.inputWhileGated, 'dropped (gated)');
  if (state.startsWith('idle.reconnecting')) return policy(settings?.inputWhileReconnecting, 'dropped (not streaming)');
  if (state === 'closed') return 'dropped (closed)';
  return 'dropped (not streaming)';
}

/** What became of an input, read off the counters before and after it. */
function inputOutcome(before: SessionCounters, after: SessionCounters): Pick<TimelineEntry, 'mark' | 'reason'> {
  const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  if (sum(after.forwarded) > sum(before.forwarded)) return { mark: 'forwarded' };
  for (const [reason, count] of Object.entries(after.dropped) as [DropReason, number][]) {
    if (count > before.dropped[reason]) return { mark: 'dropped', reason };
  }
  if (after.buffered > before.buffered) return { mark: 'buffered' };
  if (after.deferred > before.deferred) return { mark: 'deferred' };
  return {};
}

const MAX_DETAIL = 160;

/** A one-line summary of an event's payload; none for events whose type says it all. */
export function describeEvent(event: { type: string }): string | undefined {
  let text: string | undefined;
  try {
    text = summary(event);
  } catch {
    // A payload of an unexpected shape: the type alone is shown.
    text = undefined;
  }
  return text !== undefined && text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function summary(event: { type: string }): string | undefined {
  {
    const e = event as unknown as Record<string, unknown>;
    switch (event.type) {
      case 'server.toolCall':
        return (e['calls'] as { id?: string; name: string; args?: unknown }[])
          .map((call) => `${call.name}(${JSON.stringify(sanitize(call.args ?? {}))})${call.id ? ` [${call.id}]` : ''}`)
          .join(', ');
      case 'server.toolCallCancellation':
        return `cancel ${(e['ids'] as string[]).join(', ')}`;
      case 'tool.result': {
        const call = e['call'] as { name: string; id?: string };
        const outcome = e['outcome'] as { status: string; error?: { code?: string } };
        return `${call.name}${call.id ? ` [${call.id}]` : ''} → ${outcome.status === 'ok' ? 'result' : `error ${outcome.error?.code ?? ''}`.trim()}`;
      }
      case 'transport.closed':
      case 'transport.error':
      case 'server.malformed': {
        const error = e['error'] as { code?: string; reason?: string } | undefined;
        return error ? `${error.code ?? ''} ${error.reason ?? ''}`.trim() : undefined;
      }
      case 'server.content':
        return describeContent(e['content'] as Record<string, unknown>);
      case 'server.goAway':
        return e['timeLeftMs'] === undefined ? 'no timeLeft' : `timeLeft ${String(e['timeLeftMs'])} ms`;
      case 'server.resumptionUpdate':
        return e['resumable'] ? 'resumable handle' : 'not resumable';
      case 'input.text':
        return JSON.stringify(e['text']);
      case 'buffer.replay':
        return `${(e['inputs'] as unknown[]).length} inputs`;
      case 'buffer.evicted':
        return `${(e['kinds'] as unknown[]).length} evicted`;
      case 'mic.ended': {
        const error = e['error'] as { reason?: string } | undefined;
        return error ? `failed: ${error.reason ?? ''}` : 'source ended';
      }
      default:
        return undefined;
    }
  }
}

function describeContent(content: Record<string, unknown> | undefined): string | undefined {
  if (!content) return undefined;
  const parts: string[] = [];
  const audio = (content['audio'] as unknown[] | undefined)?.length ?? 0;
  if (audio > 0) parts.push(`audio ×${audio}`);
  const text = content['text'] as string[] | undefined;
  if (text && text.length > 0) parts.push(`text ${JSON.stringify(text.join(''))}`);
  const input = content['inputTranscription'] as { text: string } | undefined;
  if (input) parts.push(`user ${JSON.stringify(input.text)}`);
  const output = content['outputTranscription'] as { text: string } | undefined;
  if (output) parts.push(`model ${JSON.stringify(output.text)}`);
  for (const flag of ['interrupted', 'generationComplete', 'turnComplete']) if (content[flag]) parts.push(flag);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
