/**
 * How the spec is walked: which events can really happen in each state (`eventsFor`), and what
 * each step must put on the wire, on which connection (`wireOf`).
 */
import {
  INPUT_TYPES,
  PARALLEL,
  SINGLE,
  STALE_ID,
  type Conn,
  type SpecContext,
  type SpecEvent,
  type SpecFrame,
  type SpecSnapshot,
} from './spec.machine.js';

/**
 * What must reach the wire when `event` takes the spec from `prev` to `next`, in order: the input
 * forwarded while streaming; a toolResponse for each batch that a result or a cancellation has
 * wholly settled (without its cancelled calls), on the connection its calls came on; and, when
 * the gate reopens to streaming, the activity signals it held back, in order (those given up for
 * a connection the session leaves never go out). Connections are named as they were before the
 * step (a step that opens a new connection sends nothing on it).
 */
export function wireOf(prev: SpecSnapshot, event: SpecEvent, next: SpecSnapshot): SpecFrame[] {
  const frames: SpecFrame[] = [];
  if (prev.matches('streaming') && (INPUT_TYPES as readonly string[]).includes(event.type)) {
    const kind = event.type.slice('input.'.length);
    const open = prev.context.activityOpen;
    if ((kind !== 'activityStart' || !open) && (kind !== 'activityEnd' || open)) frames.push({ realtimeInput: kind, on: 'current' });
  }
  const answers = event.type === 'tool.result' || event.type === 'server.toolCallCancellation';
  if (next.status === 'active' && answers) {
    const from: Conn = 'on' in event && event.on === 'old' ? 'old' : 'current';
    const cancelled = (id: string, on: Conn) => event.type === 'server.toolCallCancellation' && on === from && event.ids.includes(id);
    const settledNow = event.type === 'tool.result' ? event.id : undefined;
    const batches = [...new Set(prev.context.pending.map((call) => call.batch))];
    for (const batch of batches) {
      if (next.context.pending.some((call) => call.batch === batch)) continue;
      const calls = prev.context.pending.filter((call) => call.batch === batch);
      const answered = calls.filter((call) => (call.settled || call.id === settledNow) && !cancelled(call.id, call.on));
      if (answered.length > 0) frames.push({ toolResponse: answered.map((call) => call.id), on: calls[0]?.on ?? 'current' });
    }
  }
  if (prev.matches('awaitingToolResponse') && next.matches('streaming')) {
    for (const signal of prev.context.deferred) frames.push({ realtimeInput: signal, on: 'current' });
  }
  return frames;
}

/** Whether a call id is in use: pending on either connection, or its abandoned tool still runs. */
function inUse(context: SpecContext, id: string): boolean {
  return context.pending.some((call) => call.id === id) || context.orphans.includes(id);
}

/** ToolCalls of ids not in use (a server never reuses the id of a call whose tool still runs). */
function toolCalls(context: SpecContext, on: Conn): SpecEvent[] {
  return [SINGLE, PARALLEL]
    .filter((ids) => !ids.some((id) => inUse(context, id)))
    .map((ids) => (on === 'old' ? { type: 'server.toolCall', ids: [...ids], on } : { type: 'server.toolCall', ids: [...ids] }));
}

/** What the old connection can still do: call, cancel its calls, close. */
function oldConnectionEvents(context: SpecContext): SpecEvent[] {
  if (!context.old) return [];
  return [
    ...(context.orphans.length === 0 ? toolCalls(context, 'old') : []),
    ...context.pending
      .filter((call) => call.on === 'old')
      .map((call): SpecEvent => ({ type: 'server.toolCallCancellation', ids: [call.id], on: 'old' })),
    { type: 'transport.closed', retryable: true, on: 'old' },
  ];
}

/**
 * Each pending call's tool settles or the server cancels it, on its own connection. A tool fails
 * as well as succeeds where nothing is behind (`both`); elsewhere what its answer says was walked.
 */
function settlements(context: SpecContext, both: boolean): SpecEvent[] {
  const events: SpecEvent[] = [];
  for (const call of context.pending) {
    if (call.on === 'current') events.push({ type: 'server.toolCallCancellation', ids: [call.id] });
    if (call.settled) continue;
    events.push({ type: 'tool.result', id: call.id, outcome: 'ok' });
    if (both) events.push({ type: 'tool.result', id: call.id, outcome: 'error' });
  }
  return events;
}

/**
 * The events that can really happen in a state, with their payloads. Server messages of a
 * connection only reach the machine once its setup has completed (the connection actor holds
 * them until then), tool results only come for calls whose tool is running (pending, or
 * abandoned with a lost connection), and a toolCall never reuses the id of a call whose tool
 * still runs. Timers: the backoff is 0 ms in the paths' sessions (the driver waits for it to
 * fire); `goAway.due` comes only while it is still to come; the stable-connection time is
 * seconds long and left to the fuzz suites' fake clock.
 *
 * On one connection with nothing behind it, everything is offered. Once a reconnect is under way
 * or behind (a goAway announced, an attempt counted, abandoned tools running, an old connection
 * open), only what bears on it is: closes, an input, the calls and their settling on either
 * connection, a goAway, a resumption update, `goAway.due`. What else can happen then was walked
 * on the first connection, and repeating it in every such context would multiply the paths past
 * what runs in seconds. A second goAway while an old connection is still open is left to the fuzz
 * suites (the spec names two connections at most).
 */
export function eventsFor(snapshot: SpecSnapshot): SpecEvent[] {
  if (snapshot.status !== 'active') return [];
  const { context } = snapshot;
  const { goAway, goAwayDue, handleFresh, attempts, orphans, old } = context;
  const plain = !goAway && attempts === 0 && orphans.length === 0 && !old;
  // Between connections, every app event in the simplest context of each state (nothing pending
  // or running, no old connection); a reduced set otherwise.
  const quiet = orphans.length === 0 && !old && context.pending.length === 0 && !snapshot.matches('streaming') && !snapshot.matches('awaitingToolResponse');
  const app: SpecEvent[] = plain || quiet
    ? [
        { type: 'CLOSE' },
        ...INPUT_TYPES.map((type) => ({ type })),
        { type: 'mic.attach' },
        { type: 'mic.detach' },
        { type: 'mic.ended' },
        { type: 'xstate.error.actor.*' },
      ]
    : [{ type: 'CLOSE' }, { type: 'input.audio' }];
  const late: SpecEvent[] = orphans.map((id) => ({ type: 'tool.result', id, outcome: 'ok' }));
  const due: SpecEvent[] = goAwayDue ? [{ type: 'goAway.due' }] : [];
  const closes: SpecEvent[] = [
    { type: 'transport.closed', retryable: true },
    { type: 'transport.closed', retryable: false },
  ];
  const behind = [...late, ...settlements(context, plain), ...oldConnectionEvents(context), ...due];
  if (snapshot.matches({ idle: 'disconnected' })) return [{ type: 'CONNECT' }, ...app];
  if (snapshot.matches({ idle: 'connecting' })) return [...app, { type: 'server.setupComplete' }, ...closes];
  if (snapshot.matches({ idle: { reconnecting: 'backoff' } })) return [...app, ...behind, { type: 'timer.reconnectBackoff' }];
  if (snapshot.matches({ idle: { reconnecting: 'opening' } })) return [...app, ...behind, { type: 'server.setupComplete' }, ...closes];

  // The current connection is up: streaming, gated, or (after a goAway) waiting for a fresh handle.
  const server: SpecEvent[] = [
    { type: 'server.setupComplete' },
    { type: 'server.content' },
    { type: 'server.usage' },
    { type: 'server.goAway' },
    { type: 'server.resumptionUpdate' },
    { type: 'server.malformed' },
    { type: 'transport.error' },
    { type: 'server.toolCallCancellation', ids: [STALE_ID] },
  ];
  if (snapshot.matches({ idle: { reconnecting: 'awaitingFreshHandle' } })) {
    // The connection being left is still the current one; its close sends the session on at once.
    return [...app, ...server, ...toolCalls(context, 'current'), ...behind, { type: 'transport.closed', retryable: true }];
  }
  if (context.deferred.length > 0) {
    // Signals held back by the gate: what moves the queue, and what ends the gate one way or another.
    const signals: SpecEvent[] = [{ type: 'input.activityStart' }, { type: 'input.activityEnd' }];
    const goAwayNow: SpecEvent[] = plain ? [{ type: 'server.goAway' }] : [];
    return [{ type: 'CLOSE' }, { type: 'input.audio' }, ...signals, ...closes, ...goAwayNow, ...behind];
  }
  const events: SpecEvent[] = plain ? [...app, ...server, ...closes] : [...app, ...closes];
  if (!plain && !goAway && !old) events.push({ type: 'server.goAway' });
  if (!plain && !handleFresh) events.push({ type: 'server.resumptionUpdate' });
  if (plain || orphans.length === 0) events.push(...toolCalls(context, 'current'));
  return [...events, ...behind];
}
