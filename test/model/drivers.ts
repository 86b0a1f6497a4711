/**
 * Drivers that play a spec event against a real session, on one of two transports
 * (`scriptedDriver.ts`, `emulatorDriver.ts`): this file holds what they share.
 *
 * Each event is caused the way it happens for real (the application calls the session, the
 * server sends a message, a tool settles) and the driver then waits until the session has
 * processed it: on the session's own inspection stream, or, for a mic frame (which the fast lane
 * may send without an event), until the mic actor asks for the next one. No sleeps: every wait
 * is for a precise event, bounded by a deadline that fails the test with its name.
 */
import type { InspectionEvent } from 'xstate';
import { defineTool, type LiveSession } from '../../src/index.js';
import type { SessionEvent } from '../../src/machines/types.js';
import type { ModelProfile } from '../../src/models/index.js';
import type { FunctionCall } from '../../src/protocol/index.js';
import { PushSource } from '../fuzz/pushSource.js';
import { MAX_ATTEMPTS, type SpecEvent, type SpecSettings } from './spec.machine.js';
import { contentText, FAILURE, OUTPUT, TOOL_NAME, type WireFrame } from './wire.js';

/** 20 ms of 16 kHz PCM16 silence. */
const FRAME = new Uint8Array(640);

/** Fails with `what` if `promise` has not settled within `ms`. A deadline, not a sleep. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export const DEADLINE_MS = 3_000;

/** The model profile fields a variant's session (and server) run with. */
export function profileOf(settings: SpecSettings): Partial<ModelProfile> {
  return {
    ...(settings.closeFirst ? {} : { closeBeforeResume: false }),
    ...(settings.interrupt ? { inputDuringBlockingCall: 'cancelsCall' as const } : {}),
    ...(settings.nonBlocking ? { defaultBehavior: 'NON_BLOCKING' as const } : {}),
    ...(settings.status ? { reportsInteractionStatus: true } : {}),
  };
}

/** The options of a path's session beyond its connection and tools. */
export interface PathSessionOptions {
  reconnect: { maxAttempts: number; baseDelayMs: number };
  inputWhileReconnecting: 'drop';
  modelProfile?: Partial<ModelProfile>;
  whileBlockingCall?: 'interrupt';
}

/**
 * The session options every path's session shares: a bounded number of reconnect attempts with
 * no backoff (the spec's `timer.reconnectBackoff` is the moment it fires), input between
 * connections dropped, as the spec has it, and the variant's profile.
 */
export function sessionOptionsOf(settings: SpecSettings): PathSessionOptions {
  const profile = profileOf(settings);
  return {
    reconnect: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 0 },
    inputWhileReconnecting: 'drop',
    ...(Object.keys(profile).length > 0 ? { modelProfile: profile } : {}),
    ...(settings.interrupt ? { whileBlockingCall: 'interrupt' as const } : {}),
  };
}

/** How a close reads on the wire: retryable (the 58-minute cut) or not (an invalid argument). */
export const closeOf = (retryable: boolean): [number, string] =>
  retryable ? [1011, 'Deadline expired before operation could complete.'] : [1007, 'Request contains an invalid argument.'];

/** Resolves once `ready()` holds for the session's snapshot; fails with `what` at the deadline. */
function until(session: LiveSession, ready: () => boolean, what: string): Promise<void> {
  if (ready()) return Promise.resolve();
  const reached = new Promise<void>((resolve) => {
    const subscription = session.actor.subscribe(() => {
      if (!ready()) return;
      subscription.unsubscribe();
      resolve();
    });
  });
  return within(reached, DEADLINE_MS, what);
}

/**
 * Every event the session's root actor has processed, from its inspection stream, and a way to
 * wait for the next one that matches.
 */
export function createEventTap() {
  const processed: SessionEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    processed,
    inspect(event: InspectionEvent) {
      if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
      processed.push(event.event as SessionEvent);
      for (const waiter of [...waiters]) waiter();
    },
    /** Resolves once the machine has processed a matching event after this call. */
    next(match: (event: SessionEvent) => boolean, what: string): Promise<void> {
      const from = processed.length;
      const seen = new Promise<void>((resolve) => {
        const check = () => {
          if (!processed.slice(from).some(match)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
      return within(seen, DEADLINE_MS, what);
    },
  };
}

export type EventTap = ReturnType<typeof createEventTap>;

/** A call the server waits on, and the connection (0-based) it waits on it. */
export interface ServerCall {
  id: string;
  connection: number;
}

/** What a `server.content` of the spec says, for a server to send. */
export type ModelSays = Extract<SpecEvent, { type: 'server.content' }>['model'];

/** The server's side of one path's connections (by number, 0-based): what differs between the two transports. */
export interface ServerSide {
  /** Resolves once the server has connection `n` (a new connection may wait for the old socket to close). */
  reach(n: number): Promise<void>;
  /** Completes connection `n`'s setup. */
  accept(n: number): Promise<void>;
  /** Closes connection `n` before its setup completes. */
  refuse(n: number, retryable: boolean): void;
  content(n: number, model: ModelSays): void;
  usage(n: number): void;
  goAway(n: number): void;
  resumptionUpdate(n: number, resumable: boolean): void;
  malformed(n: number): void;
  setupCompleteAgain(n: number): void;
  transportError(n: number): void;
  close(n: number, retryable: boolean): void;
  toolCall(n: number, calls: FunctionCall[]): void;
  cancel(n: number, ids: readonly string[]): void;
  /** Calls the server is waiting on, on every connection still open. */
  pending(): ServerCall[];
  /** The connections still open, or undefined where the transport cannot tell (the emulator). */
  openConnections(): number[] | undefined;
  /** The frames received so far, once at least `count` have arrived. */
  frames(count: number): Promise<WireFrame[]>;
  /** Why the server refused a frame (a gate violation is a 1008), if it did. */
  refusal(): string | undefined;
  /** Closes what is left and resolves with every frame the server got, once the socket is gone. */
  finish(session: LiveSession): Promise<WireFrame[]>;
}

/** A session under test and the means to play spec events on it. */
export interface Driver {
  readonly transport: 'scripted' | 'emulator';
  readonly session: LiveSession;
  /** How each call's tool settled, by id (the latest call of that id). */
  readonly outcomes: Map<string, 'ok' | 'error'>;
  /** The AbortSignal each call's tool got, by id (the latest call of that id that ran a tool). */
  readonly signals: Map<string, AbortSignal>;
  /** Plays one spec event, `at` naming the connection numbers of the step's roles, and waits until the session has processed it. */
  play(event: SpecEvent, at: (on: 'current' | 'old') => number): Promise<void>;
  serverPending(): ServerCall[];
  /** Resolves once the server has connection `n`. */
  reach(n: number): Promise<void>;
  openConnections(): number[] | undefined;
  /** Frames the server received; waits (emulator) until at least `count` arrived. */
  wire(count: number): Promise<WireFrame[]>;
  refusal(): string | undefined;
  /** Closes the session and the connection and returns every frame the server received. */
  finish(): Promise<WireFrame[]>;
}

type ToolResults = Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;

/** A mic source that fails as it is opened: the mic actor fails, and the session recovers. */
const BROKEN_MIC: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]() {
    throw new Error('the microphone could not be opened');
  },
};

/** Shared by both drivers: the session's side of every event. */
export function createDriver(
  transport: Driver['transport'],
  makeSession: (tap: EventTap, tools: ReturnType<typeof lookupTool>) => LiveSession,
  server: (session: LiveSession, tap: EventTap) => ServerSide,
): Driver {
  const tap = createEventTap();
  const results: ToolResults = new Map();
  const outcomes = new Map<string, 'ok' | 'error'>();
  const signals = new Map<string, AbortSignal>();
  const tools = lookupTool(results, signals);
  const session = makeSession(tap, tools);
  const side = server(session, tap);
  // Each fresh call's arguments are its own; a call made again repeats the latest of its id.
  const argsOf = new Map<string, { q: string }>();
  let calls = 0;
  let contents = 0;
  let mic: PushSource | undefined;
  let connecting: Promise<void> | undefined;

  const processed = (type: SessionEvent['type'], what: string = type) => tap.next((event) => event.type === type, what);
  const matches = (state: Parameters<ReturnType<LiveSession['actor']['getSnapshot']>['matches']>[0]) =>
    session.actor.getSnapshot().matches(state);
  const callsOf = (ids: readonly string[], repeat: boolean): FunctionCall[] =>
    ids.map((id) => {
      const args = (repeat && argsOf.get(id)) || { q: `${id}${++calls}` };
      argsOf.set(id, args);
      return { id, name: TOOL_NAME, args };
    });

  const play = async (event: SpecEvent, at: (on: 'current' | 'old') => number): Promise<void> => {
    const n = at('on' in event && event.on === 'old' ? 'old' : 'current');
    switch (event.type) {
      case 'CONNECT':
        // Not awaited: the spec goes through idle.connecting first. A connect that the session
        // refuses (closed before setup) is the path's business, not an unhandled rejection.
        connecting = session.connect();
        connecting.catch(() => undefined);
        return;
      case 'server.setupComplete':
        if (matches({ idle: 'reconnecting' })) return waitFor(processed(event.type), () => side.accept(n));
        if (session.state === 'idle') {
          await side.accept(n);
          await within(connecting ?? Promise.reject(new Error('setupComplete before CONNECT')), DEADLINE_MS, 'connect()');
          return;
        }
        return waitFor(processed(event.type), () => side.setupCompleteAgain(n));
      case 'CLOSE':
        await session.close();
        return;
      case 'input.audio': {
        // A mic frame may take the fast lane (no event): wait until the mic actor is done with it.
        const source = mic;
        if (!source) {
          session.sendAudio(FRAME);
          return;
        }
        const taken = source.nextRead();
        source.push(FRAME);
        return within(taken, DEADLINE_MS, 'the mic actor to take a frame');
      }
      case 'input.video':
        session.sendVideo(new Uint8Array([0xff, 0xd8, 0xff]), 'image/jpeg');
        return;
      case 'input.text':
        session.sendText('hello');
        return;
      case 'input.activityStart':
        session.activityStart();
        return;
      case 'input.activityEnd':
        session.activityEnd();
        return;
      case 'input.audioStreamEnd':
        session.audioStreamEnd();
        return;
      case 'input.clientContent':
        session.sendClientContent([{ role: 'user', parts: [{ text: contentText((contents += 1)) }] }], { turnComplete: true });
        return;
      case 'tools.update':
        session.updateTools(tools);
        return;
      case 'mic.attach':
        mic = new PushSource();
        session.attachMic(mic);
        return;
      case 'mic.detach':
        mic = undefined;
        session.detachMic();
        return;
      case 'mic.ended': {
        // With no mic attached, attach one that ends at once: the machine sees mic.attach (a
        // self-loop that changes nothing the spec tracks) and then mic.ended.
        const source = mic ?? new PushSource();
        if (!mic) session.attachMic(source);
        mic = undefined;
        return waitFor(processed(event.type), () => source.end());
      }
      case 'xstate.error.actor.*':
        // The mic's source throws as it is opened. Attaching it stops the mic attached before, if any.
        mic = undefined;
        return waitFor(processed('xstate.error.actor.mic', 'the mic actor to fail'), () => session.attachMic(BROKEN_MIC));
      case 'server.content':
        return waitFor(processed(event.type), () => side.content(n, event.model));
      case 'server.usage':
        return waitFor(processed(event.type), () => side.usage(n));
      case 'server.goAway':
        return waitFor(processed(event.type), () => side.goAway(n));
      case 'server.resumptionUpdate':
        return waitFor(processed(event.type), () => side.resumptionUpdate(n, event.resumable));
      case 'server.malformed':
        return waitFor(processed(event.type), () => side.malformed(n));
      case 'transport.error':
        return waitFor(processed(event.type), () => side.transportError(n));
      case 'transport.closed': {
        await side.reach(n);
        const opening = event.on !== 'old' && (matches({ idle: 'connecting' }) || matches({ idle: { reconnecting: 'opening' } }));
        return waitFor(processed(event.type), () => (opening ? side.refuse(n, event.retryable) : side.close(n, event.retryable)));
      }
      case 'timer.reconnectBackoff':
        // The paths' sessions back off 0 ms: the timer fires by itself; wait until it has.
        return until(session, () => !matches({ idle: { reconnecting: 'backoff' } }), 'the reconnect backoff to end');
      case 'goAway.due':
        // The machine raises it itself, 48 s after the paths' goAway (`timeLeft` 50 s): the driver
        // plays the timer's part. (The timer still set never fires within a path: the session is
        // closed long before, which cancels it.)
        return waitFor(processed(event.type), () => session.actor.send({ type: 'goAway.due' }));
      case 'timer.connectionStable':
      case 'tool.executorIdle':
      case 'buffer.replay':
      case 'buffer.evicted':
      case 'transport.sendFailed':
        throw new Error(`${event.type} is not walked (see mirror.test.ts)`);
      case 'server.toolCall':
        return waitFor(processed(event.type), () => side.toolCall(n, callsOf(event.ids, event.repeat === true)));
      case 'server.toolCallCancellation':
        return waitFor(processed(event.type), () => side.cancel(n, event.ids));
      case 'tool.result': {
        const result = results.get(event.id);
        if (!result) throw new Error(`no running tool for call ${event.id}`);
        results.delete(event.id);
        outcomes.set(event.id, event.outcome);
        const done = tap.next((e) => e.type === 'tool.result' && e.call.id === event.id, `tool.result ${event.id}`);
        if (event.outcome === 'ok') result.resolve(OUTPUT(event.id));
        else result.reject(new Error(FAILURE));
        await done;
        return;
      }
    }
  };

  return {
    transport,
    session,
    outcomes,
    signals,
    play,
    serverPending: () => side.pending(),
    reach: (n) => side.reach(n),
    openConnections: () => side.openConnections(),
    wire: (count) => side.frames(count),
    refusal: () => side.refusal(),
    finish: () => side.finish(session),
  };
}

/** Starts waiting, then acts: the wait cannot miss an event the action causes synchronously. */
async function waitFor(processed: Promise<void>, act: () => void | Promise<void>): Promise<void> {
  await act();
  await processed;
}

/** The model's tool: each call waits for the path to settle it. */
function lookupTool(results: ToolResults, signals: Map<string, AbortSignal>) {
  return [
    defineTool({
      name: TOOL_NAME,
      description: 'Looks something up; the test decides when and how it settles.',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
      execute: (_args, { callId, signal }) =>
        new Promise((resolve, reject) => {
          const id = callId ?? '';
          results.set(id, { resolve, reject });
          signals.set(id, signal);
        }),
    }),
  ];
}
