/**
 * How the spec is walked: which events can really happen in each state (`eventsFor`), with their
 * payloads, for each variant of the session.
 */
import { canonicalContext, REPEATED_ONCE_DELIVERED } from './spec.context.js';
import {
  INPUT_TYPES,
  PARALLEL,
  SINGLE,
  STALE_ID,
  sourceOf,
  type Conn,
  type SpecContext,
  type SpecEvent,
  type SpecSnapshot,
} from './spec.machine.js';

/** Whether a call id is in use: pending on either connection, or orphaned. */
function inUse(context: SpecContext, id: string): boolean {
  return context.pending.some((call) => call.id === id) || context.orphans.some((orphan) => orphan.id === id);
}

/** ToolCalls of ids not in use (a server never reuses the id of a call it still waits on). */
function toolCalls(context: SpecContext, on: Conn): SpecEvent[] {
  return [SINGLE, PARALLEL]
    .filter((ids) => !ids.some((id) => inUse(context, id)))
    .map((ids) => (on === 'old' ? { type: 'server.toolCall', ids: [...ids], on } : { type: 'server.toolCall', ids: [...ids] }));
}

/**
 * The model makes a call again after a reconnect, with the same arguments: one whose connection
 * was lost (its tool may still run), or one whose outcome reached the conversation.
 */
function repeats(context: SpecContext): SpecEvent[] {
  // Made again while no other call of the current connection waits (the gate is walked without it).
  if (context.pending.some((call) => call.on === 'current')) return [];
  const sources = [...context.orphans.map((orphan) => orphan.id), ...context.delivered.filter((id) => id === REPEATED_ONCE_DELIVERED)];
  return [...new Set(sources)]
    .filter((id) => !context.pending.some((call) => call.id === id))
    .map((id): SpecEvent => ({ type: 'server.toolCall', ids: [id], repeat: true }));
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
 * Each running tool settles (a pending call's, or an orphan's), and the server cancels each call
 * pending on the current connection. A tool fails as well as succeeds where nothing is behind
 * (`both`); elsewhere what its answer says was walked.
 */
function settlements(context: SpecContext, both: boolean): SpecEvent[] {
  const events: SpecEvent[] = [];
  for (const call of context.pending) {
    if (call.on === 'current') events.push({ type: 'server.toolCallCancellation', ids: [call.id] });
    if (call.settled || call.repeat) continue;
    events.push({ type: 'tool.result', id: call.id, outcome: 'ok' });
    if (both) events.push({ type: 'tool.result', id: call.id, outcome: 'error' });
  }
  for (const orphan of context.orphans) if (!orphan.settled) events.push({ type: 'tool.result', id: orphan.id, outcome: 'ok' });
  return events;
}

/** The events each variant walks beyond its own: the default one walks everything. */
type Offer = (event: SpecEvent, context: SpecContext) => boolean;

/**
 * Every variant but the default walks only what its setting bears on, so that the paths it adds
 * are about that setting: the old connection kept open (goAways, the calls on either
 * connection), input that cancels a blocking call, a NON_BLOCKING tool, the model's status.
 */
function offerOf(context: SpecContext): Offer | undefined {
  const { settings } = context;
  const core = new Set<SpecEvent['type']>(['CONNECT', 'CLOSE', 'server.setupComplete', 'server.toolCall', 'tool.result', 'server.toolCallCancellation']);
  if (!settings.closeFirst) {
    // The old connection: its calls, its close, and what the current one does meanwhile. Once it
    // is gone the session is the default variant's, walked there; no call is made again.
    const types = new Set([...core, 'input.audio', 'server.goAway', 'server.resumptionUpdate', 'goAway.due', 'transport.closed', 'timer.reconnectBackoff']);
    return (event, context) =>
      types.has(event.type) &&
      (context.goAways === 0 || context.goAway || context.old || event.type === 'CLOSE') &&
      !(event.type === 'server.toolCall' && event.repeat) &&
      !(event.type === 'transport.closed' && sourceOf(event) === 'current' && context.goAways === 0);
  }
  if (settings.interrupt) {
    const types = new Set([...core, ...INPUT_TYPES, 'input.clientContent', 'server.goAway', 'server.content', 'goAway.due']);
    return (event) => types.has(event.type) && !(event.type === 'server.content' && event.model !== 'speaks');
  }
  if (settings.nonBlocking) {
    // Calls that never gate, across a goAway and a lost connection: the turn boundary is walked
    // with none pending (the default variant walked it in every other shape), the fatal close
    // and the failing tool were walked there too.
    const types = new Set([...core, 'input.audio', 'input.activityStart', 'input.activityEnd', 'server.goAway', 'server.resumptionUpdate', 'goAway.due', 'transport.closed', 'timer.reconnectBackoff']);
    const boundary = new Set(['input.activityStart', 'input.activityEnd', 'server.resumptionUpdate']);
    return (event, context) =>
      types.has(event.type) &&
      !(boundary.has(event.type) && context.pending.length > 0) &&
      !(event.type === 'transport.closed' && !event.retryable) &&
      !(event.type === 'tool.result' && event.outcome === 'error');
  }
  if (settings.status) {
    const types = new Set([...core, 'server.content', 'server.goAway', 'goAway.due', 'input.activityStart', 'input.activityEnd']);
    return (event, { pending }) => types.has(event.type) && (event.type !== 'server.toolCall' || pending.length === 0);
  }
  return undefined;
}

/**
 * The events that can really happen in a state, with their payloads. Server messages of a
 * connection only reach the machine once its setup has completed (the connection actor holds
 * them until then), tool results only come for calls whose tool is running (pending, or
 * orphaned), and a toolCall never reuses the id of a call still in use. Timers: the backoff is
 * 0 ms in the paths' sessions (the driver waits for it to fire); `goAway.due` comes only while it
 * is still to come; the stable-connection time is seconds long and left to the fuzz suites'
 * fake clock.
 *
 * On one connection with nothing behind it, everything is offered. Once a reconnect is under way
 * or behind (a goAway announced, an attempt counted, orphans, outcomes delivered, an old
 * connection open, a resumed session), only what bears on it is: closes, an input, the calls
 * and their settling on either connection, calls made again, a goAway, resumption updates, the
 * model finishing its turn, `goAway.due`. What else can happen then was walked on the first
 * connection, and repeating it in every such context would multiply the paths past what runs in
 * seconds. A second goAway while an old connection is still open is left to the fuzz suites
 * (the spec names two connections at most).
 */
export function eventsFor(snapshot: SpecSnapshot): SpecEvent[] {
  if (snapshot.status !== 'active') return [];
  const context = canonicalContext(snapshot.context);
  const all = allEventsFor(snapshot, context);
  const offer = offerOf(context);
  return offer ? all.filter((event) => offer(event, context)) : all;
}

function allEventsFor(snapshot: SpecSnapshot, context: SpecContext): SpecEvent[] {
  const { goAway, goAwayDue, handleFresh, handleResumable, attempts, orphans, held, modelIdle } = context;
  const behind = context.goAways > 0 || attempts > 0 || orphans.length > 0 || context.old || context.resumed || context.restart;
  // The first connection's other dimensions (content held, the model busy, a handle not
  // resumable, a handle held) are entered from their usual value only, and walked with a
  // reduced set of events, so that they add states without multiplying them.
  const idleModel = held === 0 && modelIdle && handleResumable;
  const plain = !behind && idleModel && !context.handle;
  const connected = snapshot.matches('awaitingToolResponse') || snapshot.matches('streaming');
  // Between connections, every app event in the simplest context of each state; a reduced set otherwise.
  const quiet = !connected && context.pending.length === 0 && orphans.length === 0 && !context.old && held === 0 && !context.restart;
  // Content is held with at most the single call pending: the gate's other shapes were walked without it.
  const holdsContent = held === 0 && (!behind || quiet) && context.pending.every((call) => call.id === 'a');
  // Events that change nothing the spec tracks but what goes on the wire (other inputs, new
  // tools, the mic, server noise) are walked in one context per state: no call but `a` pending,
  // no signal held back, a fresh handle.
  const representative = context.pending.every((call) => call.id === 'a') && context.deferred.length === 0 && handleFresh;
  const noise = (plain && representative) || quiet;
  const app: SpecEvent[] = plain || quiet
    ? [
        { type: 'CLOSE' },
        { type: 'input.audio' },
        { type: 'input.activityStart' },
        { type: 'input.activityEnd' },
        ...(holdsContent ? [{ type: 'input.clientContent' } as const] : []),
        ...(noise
          ? ([
              { type: 'input.video' },
              { type: 'input.text' },
              { type: 'input.audioStreamEnd' },
              { type: 'tools.update' },
              { type: 'mic.attach' },
              { type: 'mic.detach' },
              { type: 'mic.ended' },
              { type: 'xstate.error.actor.*' },
            ] as const)
          : []),
      ]
    : [{ type: 'CLOSE' }, { type: 'input.audio' }, ...(holdsContent ? [{ type: 'input.clientContent' } as const] : [])];
  const due: SpecEvent[] = goAwayDue ? [{ type: 'goAway.due' }] : [];
  const closes: SpecEvent[] = [
    { type: 'transport.closed', retryable: true },
    { type: 'transport.closed', retryable: false },
  ];
  const settling = [...settlements(context, plain), ...oldConnectionEvents(context), ...due];
  if (snapshot.matches({ idle: 'disconnected' })) return [{ type: 'CONNECT' }, ...app];
  if (snapshot.matches({ idle: 'connecting' })) return [...app, { type: 'server.setupComplete' }, ...closes];
  if (snapshot.matches({ idle: { reconnecting: 'backoff' } })) return [...app, ...settling, { type: 'timer.reconnectBackoff' }];
  if (snapshot.matches({ idle: { reconnecting: 'opening' } })) return [...app, ...settling, { type: 'server.setupComplete' }, ...closes];

  // The current connection is up: streaming or gated.
  const server: SpecEvent[] = [
    { type: 'server.content', model: 'speaks' },
    { type: 'server.content', model: 'turnComplete' },
    { type: 'server.goAway' },
    { type: 'server.resumptionUpdate', resumable: true },
    { type: 'server.resumptionUpdate', resumable: false },
    ...(noise
      ? ([
          { type: 'server.setupComplete' },
          { type: 'server.content', model: 'waitingForInput' },
          { type: 'server.content', model: 'idle' },
          { type: 'server.usage' },
          { type: 'server.malformed' },
          { type: 'transport.error' },
          { type: 'server.toolCallCancellation', ids: [STALE_ID] },
        ] satisfies SpecEvent[])
      : []),
  ];
  if (context.deferred.length > 0) {
    // Signals held back by the gate: what moves the queue, and what ends the gate one way or another.
    // (After a goAway, only what ends the gate: the queue was walked before it.)
    const signals: SpecEvent[] = behind ? [] : [{ type: 'input.activityStart' }, { type: 'input.activityEnd' }];
    const goAwayNow: SpecEvent[] = plain && representative ? [{ type: 'server.goAway' }] : [];
    return [{ type: 'CLOSE' }, { type: 'input.audio' }, ...signals, ...closes, ...goAwayNow, ...settling];
  }
  if (plain) return [...app, ...server, ...closes, ...toolCalls(context, 'current'), ...settling];
  const events: SpecEvent[] = [...app, ...closes];
  // One goAway a path, on the first connection.
  if (context.goAways === 0 && attempts === 0 && held === 0) {
    events.push({ type: 'server.goAway' });
  }
  const goAwayAhead = context.goAways === 0 || goAway;
  if (goAwayAhead && (!handleFresh || !handleResumable)) events.push({ type: 'server.resumptionUpdate', resumable: true });
  if (goAway && snapshot.matches('streaming')) {
    // What the turn boundary waits for: the model done, the activity closed, a resumable handle.
    events.push({ type: 'server.content', model: modelIdle ? 'speaks' : 'turnComplete' });
    events.push({ type: context.activityOpen ? 'input.activityEnd' : 'input.activityStart' });
    if (handleResumable) events.push({ type: 'server.resumptionUpdate', resumable: false });
  }
  // After a goAway, calls come one toolCall at a time: the gate's other shapes were walked before.
  if (orphans.length === 0 && idleModel && !(goAway && context.pending.length > 0)) events.push(...toolCalls(context, 'current'));
  return [...events, ...repeats(context), ...settling];
}
