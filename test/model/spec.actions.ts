/**
 * The spec's guards and actions: what decides the next state, and what each transition does to
 * the context and puts on the wire (the frame log). Each mirrors the real chart's guard or action
 * of the same name (`src/machines/guards.ts`, `src/machines/actions/*`), reduced to the spec's
 * context.
 */
import { setup } from 'xstate';
import { answerSettled, deferredSent, delivered, forwarded, orphaned, sent, type SpecState } from './spec.context.js';
import { bracketOpenAfter, blocks, initialSpecContext, isGated, MAX_ATTEMPTS, sourceOf, type Signal, type SpecCall, type SpecEvent, type SpecSettings } from './spec.types.js';

type Ev<T extends SpecEvent['type']> = Extract<SpecEvent, { type: T }>;

/** The spec machine's setup before its implementations: its types. */
export const specSetup = setup({ types: { context: {} as SpecState, events: {} as SpecEvent, input: {} as SpecSettings | undefined } });
const { assign } = specSetup;
type Args = { context: SpecState; event: SpecEvent };

/** A pending call that runs a tool of its own and waits for it. */
const runs = (call: SpecCall, id: string) => call.id === id && !call.settled && !call.repeat;

/** A connection opens: what waited for it goes out first. */
function opened(context: SpecState): Pick<SpecState, 'out' | 'toolsQueued'> {
  return { out: context.toolsQueued ? sent(context, { contextUpdate: true }) : context.out, toolsQueued: false };
}

/** The spec's guards, by name. */
export const specGuards = {
  fromCurrent: ({ event }: Args) => sourceOf(event) === 'current',
  fromOpen: ({ context, event }: Args) => (sourceOf(event) === 'old' ? context.old : context.live),
  activityOpen: ({ context }: Args) => context.activityOpen,
  canDeferActivityStart: ({ context }: Args) => !bracketOpenAfter(context.activityOpen, context.deferred),
  canDeferActivityEnd: ({ context }: Args) => bracketOpenAfter(context.activityOpen, context.deferred),
  blockingCallsPending: ({ context }: Args) => blocks(context),
  noBlockingCallsPending: ({ context }: Args) => !blocks(context),
  /** Under 'interrupt', input that will go out meets a blocking call: it cancels it. */
  interrupts: ({ context, event }: Args) =>
    context.settings.interrupt &&
    blocks(context) &&
    !(event.type === 'input.activityStart' && context.activityOpen) &&
    !(event.type === 'input.activityEnd' && !context.activityOpen),
  /** After a goAway: nothing blocks, no activity open, the model idle, the newest handle fresh and resumable. */
  goAwayAtTurnBoundary: ({ context }: Args) =>
    context.goAway && !blocks(context) && !context.activityOpen && context.modelIdle && context.handleFresh && context.handleResumable,
  hasReraise: ({ context }: Args) => context.reraise !== undefined,
  hasFailedAttempts: ({ context }: Args) => context.attempts > 0,
  /** The resumed current connection closed at once with 1007, or with the same close as the last one: a loop. */
  isResumeLoop: ({ context, event }: Args) =>
    event.type === 'transport.closed' &&
    sourceOf(event) === 'current' &&
    context.resumed &&
    context.attempts < MAX_ATTEMPTS &&
    (!event.retryable || context.lastCloseRetryable),
  canReconnect: ({ context, event }: Args) =>
    event.type === 'transport.closed' && sourceOf(event) === 'current' && event.retryable && context.attempts < MAX_ATTEMPTS,
  /** A result for a pending call whose tool runs. */
  awaitedResult: ({ context, event }: Args) => event.type === 'tool.result' && context.pending.some((call) => runs(call, event.id)),
  /** A result for an orphaned call whose tool runs. */
  orphanResult: ({ context, event }: Args) =>
    event.type === 'tool.result' && context.orphans.some((orphan) => orphan.id === event.id && !orphan.settled),
};

/** The spec's actions, by name. */
export const specActions = {
  /** The application hears of it (an emitted event); nothing changes. */
  notify: () => undefined,
  /** Nothing to do, but handled, so that nothing is silently unhandled. */
  ignore: () => undefined,
  /** The input is dropped and counted. */
  drop: () => undefined,
  /** A toolCall from a connection already gone: reported lost (the paths never send one). */
  reportLostToolCall: () => undefined,
  /** A result nobody waits for: discarded. */
  discardResult: () => undefined,
  /** The input goes on the wire, on the current connection, as the bracket allows. */
  forward: assign(({ context, event }) => {
    if (!isGated(event.type)) return {};
    const { frame, activityOpen } = forwarded(context, event.type);
    if (!frame) return { activityOpen };
    // Conversation content, like an answer, is not in a handle issued before it.
    return { out: sent(context, frame), activityOpen, ...('clientContent' in frame ? { handleFresh: false } : {}) };
  }),
  holdContent: assign(({ context }) => ({ held: context.held + 1 })),
  /**
   * New tools: every open connection hears of them; one whose setup is on its way, as soon as it
   * is open (first thing). Between connections, the next setup declares them.
   */
  updateTools: assign(({ context }) => {
    const onOld = context.old ? { ...context, out: sent(context, { contextUpdate: true }, 'old') } : context;
    if (!context.live) return { out: onOld.out };
    return context.ready ? { out: sent(onOld, { contextUpdate: true }) } : { out: onOld.out, toolsQueued: true };
  }),
  deferActivity: assign(({ context, event }) => {
    const signal: Signal = event.type === 'input.activityStart' ? 'activityStart' : 'activityEnd';
    const { deferred } = context;
    const retaken = signal === 'activityStart' && deferred.at(-1) === 'activityEnd' && deferred.at(-2) === 'activityStart';
    return { deferred: retaken ? deferred.slice(0, -1) : [...deferred, signal] };
  }),
  sendDeferredActivity: assign(({ context }) => deferredSent(context)),
  giveUpDeferred: assign({ deferred: [] }),
  /**
   * Takes a toolCall from an open connection. A call made again after a reconnect runs nothing:
   * it gets the first run's outcome, at once if known (and the first run, if orphaned, is
   * superseded), or when its tool settles.
   */
  acceptToolCall: assign(({ context, event }) => {
    const { ids, repeat } = event as Ev<'server.toolCall'>;
    const on = sourceOf(event);
    if (repeat) {
      const id = ids[0] as string;
      const orphan = context.orphans.find((candidate) => candidate.id === id);
      const settled = orphan ? orphan.settled : context.delivered.includes(id);
      const orphans = orphan?.settled ? context.orphans.filter((candidate) => candidate !== orphan) : context.orphans;
      return { ...answerSettled(context, [...context.pending, { id, batch: id, on, settled, repeat: true }]), orphans };
    }
    const fresh = ids.filter((id) => !context.pending.some((call) => call.id === id && call.on === on));
    const batch = (id: string) => (context.settings.nonBlocking ? id : ids.join(','));
    return {
      pending: [...context.pending, ...fresh.map((id): SpecCall => ({ id, batch: batch(id), on, settled: false }))],
      // Its arguments are new: a call made again now repeats this one, not the one delivered before.
      delivered: context.delivered.filter((id) => !ids.includes(id)),
    };
  }),
  /** A tool settled: its answer goes out once its batch has settled. */
  recordAnswer: assign(({ context, event }) => {
    const { id } = event as Ev<'tool.result'>;
    return answerSettled(context, context.pending.map((call) => (runs(call, id) ? { ...call, settled: true } : call)));
  }),
  /** An orphan's tool settled: the call made again for it gets the outcome (the orphan is superseded), or it waits to be delivered. */
  settleOrphan: assign(({ context, event }) => {
    const { id } = event as Ev<'tool.result'>;
    const repeats = context.pending.some((call) => call.repeat && call.id === id && !call.settled);
    if (repeats) {
      const pending = context.pending.map((call) => (call.repeat && call.id === id ? { ...call, settled: true } : call));
      return { ...answerSettled(context, pending), orphans: context.orphans.filter((orphan) => orphan.id !== id) };
    }
    return { orphans: context.orphans.map((orphan) => (orphan.id === id ? { ...orphan, settled: true } : orphan)) };
  }),
  deliverOrphanedResults: assign(({ context }) => delivered(context)),
  cancelCalls: assign(({ context, event }) => {
    const { ids } = event as Ev<'server.toolCallCancellation'>;
    const on = sourceOf(event);
    return answerSettled(context, context.pending.filter((call) => call.on !== on || !ids.includes(call.id)));
  }),
  /** Under 'interrupt': the input cancels every blocking call (no answer ever goes out) and goes round again. */
  cancelBlockingCallsImplicitly: assign(({ context, event }) => ({
    pending: context.settings.nonBlocking ? context.pending : [],
    reraise: isGated(event.type) ? event.type : undefined,
    // The input opens a turn the model will answer: no turn boundary until it has.
    modelIdle: false,
  })),
  /** The input that went round again, through the open gate. */
  applyReraise: assign(({ context }) => {
    if (context.reraise === undefined) return {};
    const { frame, activityOpen } = forwarded(context, context.reraise);
    const stale = frame && 'clientContent' in frame ? { handleFresh: false } : {};
    return { reraise: undefined, activityOpen, ...stale, ...(frame ? { out: sent(context, frame) } : {}) };
  }),
  /** The session leaves for a new connection before the input goes round: it is dropped there. */
  dropReraise: assign({ reraise: undefined }),
  stopIdleConnections: assign(({ context }) => {
    const old = context.old && context.pending.some((call) => call.on === 'old');
    return { old, oldConn: old ? context.oldConn : undefined };
  }),
  recordGoAway: assign({ goAway: true, goAwayDue: true, goAways: 1 }),
  goAwayDueCame: assign({ goAwayDue: false }),
  storeResumptionHandle: assign(({ event }) =>
    (event as Ev<'server.resumptionUpdate'>).resumable ? { handle: true, handleFresh: true, handleResumable: true } : { handleResumable: false },
  ),
  /** Busy once the model speaks; idle when its turn completes, or, where it reports its status, only when that is IDLE. */
  trackModelActivity: assign(({ context, event }) => {
    const { model } = event as Ev<'server.content'>;
    if (model === 'speaks') return { modelIdle: false };
    if (model === (context.settings.status ? 'idle' : 'turnComplete')) return { modelIdle: true };
    return {};
  }),
  /** The current connection is gone: the calls made on it are orphaned (and what waited for it to open, with it). */
  loseCurrent: assign(({ context, event }) => ({
    ...orphaned(context, 'current'),
    live: false,
    ready: false,
    toolsQueued: false,
    lastCloseRetryable: (event as Ev<'transport.closed'>).retryable,
  })),
  /** The old connection is gone: the calls made on it are orphaned. */
  loseOld: assign(({ context, event }) => ({
    ...orphaned(context, 'old'),
    old: false,
    oldConn: undefined,
    lastCloseRetryable: (event as Ev<'transport.closed'>).retryable,
  })),
  recordConnectionLoss: assign(({ context }) => ({ attempts: context.attempts + 1, goAway: false, goAwayDue: false })),
  /** A resumed session keeps dying: its handle goes, and the next setup starts a fresh session. */
  startFreshSession: assign({ handle: false, restart: true }),
  /** Leaving the current connection for a new one: closed first where the profile says so, its calls orphaned. */
  leaveCurrentConnection: assign(({ context }) =>
    context.settings.closeFirst && context.live ? { ...orphaned(context, 'current'), live: false, ready: false } : {},
  ),
  /** A new connection, with no activity open on it; the one left, if still open, becomes the old one. */
  startConnection: assign(({ context }) => ({
    live: true,
    ready: false,
    old: context.old || context.live,
    oldConn: context.live ? context.conn : context.oldConn,
    conn: context.conn + 1,
    activityOpen: false,
    resumed: context.handle,
    pending: context.pending.map((call) => ({ ...call, on: 'old' as const })),
  })),
  recordConnected: assign(({ context }) => ({ ready: true, ...opened(context) })),
  /** Reconnected: the goAway is behind; a fresh session hears the conversation so far. */
  recordReconnected: assign(({ context }) => {
    const open = { ...context, ...opened(context) };
    return {
      ready: true,
      goAway: false,
      goAwayDue: false,
      restart: false,
      toolsQueued: false,
      out: context.restart && context.transcript ? sent(open, { seed: true }) : open.out,
      ...(context.restart && context.transcript ? { handleFresh: false } : {}),
    };
  }),
  /** Streaming: the held content goes out, in order, then the orphans' outcomes known (not while a blocking call is pending: the gate closes again at once). */
  enterStreaming: assign(({ context }) => {
    if (blocks(context)) return {};
    let out = context.out;
    for (let i = 0; i < context.held; i += 1) out = [...out, { clientContent: 'app' as const, connection: context.conn }];
    const withHeld = { ...context, held: 0, out, handleFresh: context.held > 0 ? false : context.handleFresh };
    return { held: 0, out, handleFresh: withHeld.handleFresh, ...delivered(withHeld) };
  }),
  openActivity: assign({ activityOpen: true }),
  closeActivity: assign({ activityOpen: false }),
  forgiveReconnectAttempts: assign({ attempts: 0 }),
  /** Closed is final: nothing of the session's state matters any more but what it sent. */
  forget: assign(({ context }) => ({ ...initialSpecContext(context.settings), oldConn: undefined })),
};
