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
import { PushSource } from '../fuzz/pushSource.js';
import { MAX_ATTEMPTS, type Conn, type SpecEvent, type SpecFrame } from './spec.machine.js';

/** 20 ms of 16 kHz PCM16 silence. */
const FRAME = new Uint8Array(640);

/** The one tool of the model sessions; every call's result is settled by the path. */
export const TOOL_NAME = 'lookup';

/** What a tool call returns or throws, by outcome, and how it reads on the wire. */
export const OUTPUT = (id: string) => ({ call: id });
export const FAILURE = 'tool failed';
export const ERROR_TEXT = `'${TOOL_NAME}' failed: ${FAILURE}`;

/** A frame as it reached the server (on which connection, 0-based), reduced to what the spec predicts. */
export type WireFrame =
  | { realtimeInput: string; connection: number }
  | { toolResponse: { id: string | undefined; response: unknown }[]; connection: number }
  | { unexpected: unknown };

/** The wire form of a spec frame on connection `connection`, given how each call's tool settled. */
export function expectedFrame(frame: SpecFrame, outcomes: ReadonlyMap<string, 'ok' | 'error'>, connection: number): WireFrame {
  if ('realtimeInput' in frame) return { realtimeInput: frame.realtimeInput, connection };
  return {
    toolResponse: frame.toolResponse.map((id) => ({
      id,
      response: outcomes.get(id) === 'ok' ? { output: OUTPUT(id) } : { error: ERROR_TEXT },
    })),
    connection,
  };
}

/** Fails with `what` if `promise` has not settled within `ms`. A deadline, not a sleep. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export const DEADLINE_MS = 3_000;

/**
 * The session options every path's session shares: a bounded number of reconnect attempts with
 * no backoff (the spec's `timer.reconnectBackoff` is the moment it fires), and input between
 * connections dropped, as the spec has it.
 */
export const SESSION_OPTIONS = {
  reconnect: { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 0 },
  inputWhileReconnecting: 'drop',
} as const;

/** How a close reads on the wire: retryable (an internal error) or not (an invalid argument). */
export const closeOf = (retryable: boolean): [number, string] =>
  retryable ? [1011, 'Internal error encountered.'] : [1007, 'Request contains an invalid argument.'];

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

/** The server's side of one path's connections: what differs between the two transports. */
export interface ServerSide {
  /** The session has started connecting. */
  connecting(): void;
  /** Completes setup so that connect() resolves; resolves once the server side is known. */
  accept(): Promise<void>;
  /** Completes the setup of the connection a reconnect opened (scripted transport only). */
  acceptReconnect(): void;
  /** Closes the connection before setup completes. */
  refuse(retryable: boolean): void;
  content(): void;
  usage(): void;
  goAway(): void;
  resumptionUpdate(): void;
  malformed(): void;
  setupCompleteAgain(): void;
  transportError(): void;
  close(retryable: boolean, on: Conn): void;
  toolCall(ids: readonly string[], on: Conn): void;
  cancel(ids: readonly string[], on: Conn): void;
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
  /** The AbortSignal each call's tool got, by id (the latest call of that id). */
  readonly signals: Map<string, AbortSignal>;
  /** Plays one spec event and waits until the session has processed it. */
  play(event: SpecEvent): Promise<void>;
  /** Calls the server is waiting on (its own bookkeeping). */
  serverPending(): ServerCall[];
  /** The connections still open, where the transport can tell. */
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
  const session = makeSession(tap, lookupTool(results, signals));
  const side = server(session, tap);
  let mic: PushSource | undefined;
  let connecting: Promise<void> | undefined;

  const processed = (type: SessionEvent['type'], what: string = type) => tap.next((event) => event.type === type, what);
  const matches = (state: Parameters<ReturnType<LiveSession['actor']['getSnapshot']>['matches']>[0]) =>
    session.actor.getSnapshot().matches(state);

  const play = async (event: SpecEvent): Promise<void> => {
    const on: Conn = 'on' in event && event.on === 'old' ? 'old' : 'current';
    switch (event.type) {
      case 'CONNECT':
        // Not awaited: the spec goes through idle.connecting first. A connect that the session
        // refuses (closed before setup) is the path's business, not an unhandled rejection.
        connecting = session.connect();
        connecting.catch(() => undefined);
        side.connecting();
        return;
      case 'server.setupComplete':
        if (matches({ idle: 'reconnecting' })) return waitFor(processed(event.type), () => side.acceptReconnect());
        if (session.state === 'idle') {
          await side.accept();
          await within(connecting ?? Promise.reject(new Error('setupComplete before CONNECT')), DEADLINE_MS, 'connect()');
          return;
        }
        return waitFor(processed(event.type), () => side.setupCompleteAgain());
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
        return waitFor(processed(event.type), () => side.content());
      case 'server.usage':
        return waitFor(processed(event.type), () => side.usage());
      case 'server.goAway':
        return waitFor(processed(event.type), () => side.goAway());
      case 'server.resumptionUpdate':
        return waitFor(processed(event.type), () => side.resumptionUpdate());
      case 'server.malformed':
        return waitFor(processed(event.type), () => side.malformed());
      case 'transport.error':
        return waitFor(processed(event.type), () => side.transportError());
      case 'transport.closed': {
        const opening = on === 'current' && (matches({ idle: 'connecting' }) || matches({ idle: { reconnecting: 'opening' } }));
        return waitFor(processed(event.type), () => (opening ? side.refuse(event.retryable) : side.close(event.retryable, on)));
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
        return waitFor(processed(event.type), () => side.toolCall(event.ids, on));
      case 'server.toolCallCancellation':
        return waitFor(processed(event.type), () => side.cancel(event.ids, on));
      case 'tool.result': {
        const result = results.get(event.id);
        if (!result) throw new Error(`no running tool for call ${event.id}`);
        outcomes.set(event.id, event.outcome);
        const done = tap.next((e) => e.type === 'tool.result' && e.key === event.id, `tool.result ${event.id}`);
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
    openConnections: () => side.openConnections(),
    wire: (count) => side.frames(count),
    refusal: () => side.refusal(),
    finish: () => side.finish(session),
  };
}

/** Starts waiting, then acts: the wait cannot miss an event the action causes synchronously. */
async function waitFor(processed: Promise<void>, act: () => void): Promise<void> {
  act();
  await processed;
}

/** The model's tool: each call waits for the path to settle it. */
function lookupTool(results: ToolResults, signals: Map<string, AbortSignal>) {
  return [
    defineTool({
      name: TOOL_NAME,
      description: 'Looks something up; the test decides when and how it settles.',
      execute: (_args, { callId, signal }) =>
        new Promise((resolve, reject) => {
          const id = callId ?? '';
          results.set(id, { resolve, reject });
          signals.set(id, signal);
        }),
    }),
  ];
}
