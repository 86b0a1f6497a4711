/**
 * Drivers that play a spec event against a real session, on one of two transports:
 *
 * - `scripted`: `createScriptedTransport()` (manual open), a synchronous server in-process;
 * - `emulator`: the real `@google/genai` SDK over a WebSocket to `startLiveEmulator()`.
 *
 * Each event is caused the way it happens for real (the application calls the session, the
 * server sends a message, a tool settles) and the driver then waits, on the session's own
 * inspection stream, until the machine has processed it. No sleeps: every wait is for a precise
 * event, bounded by a deadline that fails the test with its name.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import type { InspectionEvent } from 'xstate';
import { createLiveSession, defineTool, type LiveSession } from '../../src/index.js';
import { TransportError } from '../../src/protocol/index.js';
import type { SessionEvent } from '../../src/machines/types.js';
import {
  createScriptedTransport,
  startLiveEmulator,
  type EmulatorConnection,
  type LiveEmulator,
  type ScriptedConnection,
} from '../../src/testing/index.js';
import { PushSource } from '../fuzz/pushSource.js';
import { MAX_ATTEMPTS, type SpecEvent, type SpecFrame } from './spec.machine.js';

/** 20 ms of 16 kHz PCM16 silence. */
const FRAME = new Uint8Array(640);

/** The one tool of the model sessions; every call's result is settled by the path. */
export const TOOL_NAME = 'lookup';

/** What a tool call returns or throws, by outcome, and how it reads on the wire. */
export const OUTPUT = (id: string) => ({ call: id });
export const FAILURE = 'tool failed';
export const ERROR_TEXT = `'${TOOL_NAME}' failed: ${FAILURE}`;

/** A frame as it reached the server, reduced to what the spec predicts. */
export type WireFrame =
  | { realtimeInput: string }
  | { toolResponse: { id: string | undefined; response: unknown }[] }
  | { unexpected: unknown };

/** The wire form of a spec frame, given how each call's tool settled. */
export function expectedFrame(frame: SpecFrame, outcomes: ReadonlyMap<string, 'ok' | 'error'>): WireFrame {
  if ('realtimeInput' in frame) return frame;
  return {
    toolResponse: frame.toolResponse.map((id) => ({
      id,
      response: outcomes.get(id) === 'ok' ? { output: OUTPUT(id) } : { error: ERROR_TEXT },
    })),
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

const DEADLINE_MS = 3_000;

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

type EventTap = ReturnType<typeof createEventTap>;

/** The server's side of one path's connection: what differs between the two transports. */
interface ServerSide {
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
  close(retryable: boolean): void;
  toolCall(ids: readonly string[]): void;
  cancel(ids: readonly string[]): void;
  /** Call ids the server is waiting on. */
  pending(): string[];
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
  /** Call ids the server is waiting on (its own bookkeeping). */
  serverPending(): string[];
  /** Frames the server received; waits (emulator) until at least `count` arrived. */
  wire(count: number): Promise<WireFrame[]>;
  refusal(): string | undefined;
  /** Closes the session and the connection and returns every frame the server received. */
  finish(): Promise<WireFrame[]>;
}

/** Shared by both drivers: the session's side of every event. */
function createDriver(
  transport: Driver['transport'],
  makeSession: (tap: EventTap, tools: ReturnType<typeof lookupTool>) => LiveSession,
  server: (session: LiveSession, tap: EventTap) => ServerSide,
): Driver {
  const tap = createEventTap();
  const results = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const outcomes = new Map<string, 'ok' | 'error'>();
  const signals = new Map<string, AbortSignal>();
  const session = makeSession(tap, lookupTool(results, signals));
  const side = server(session, tap);
  let mic: PushSource | undefined;
  let connecting: Promise<void> | undefined;

  const processed = (type: SessionEvent['type'], what: string = type) =>
    tap.next((event) => event.type === type, what);

  const play = async (event: SpecEvent): Promise<void> => {
    switch (event.type) {
      case 'CONNECT':
        // Not awaited: the spec goes through idle.connecting first. A connect that the session
        // refuses (closed before setup) is the path's business, not an unhandled rejection.
        connecting = session.connect();
        connecting.catch(() => undefined);
        side.connecting();
        return;
      case 'server.setupComplete':
        if (session.actor.getSnapshot().matches({ idle: 'reconnecting' })) {
          return waitFor(processed(event.type), () => side.acceptReconnect());
        }
        if (session.state === 'idle') {
          await side.accept();
          await within(connecting ?? Promise.reject(new Error('setupComplete before CONNECT')), DEADLINE_MS, 'connect()');
          return;
        }
        return waitFor(processed(event.type), () => side.setupCompleteAgain());
      case 'CLOSE':
        await session.close();
        return;
      case 'input.audio':
        if (mic) return waitFor(processed(event.type, 'audio from the mic'), () => mic?.push(FRAME));
        session.sendAudio(FRAME);
        return;
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
        const opening =
          session.actor.getSnapshot().matches({ idle: 'connecting' }) ||
          session.actor.getSnapshot().matches({ idle: { reconnecting: 'opening' } });
        return waitFor(processed(event.type), () => (opening ? side.refuse(event.retryable) : side.close(event.retryable)));
      }
      case 'timer.reconnectBackoff':
        // The paths' sessions back off 0 ms: the timer fires by itself; wait until it has.
        return until(
          session,
          () => !session.actor.getSnapshot().matches({ idle: { reconnecting: 'backoff' } }),
          'the reconnect backoff to end',
        );
      case 'timer.freshHandleWait':
      case 'timer.connectionStable':
      case 'tool.executorIdle':
      case 'buffer.replay':
      case 'buffer.evicted':
        throw new Error(`${event.type} is not walked (see mirror.test.ts)`);
      case 'server.toolCall':
        return waitFor(processed(event.type), () => side.toolCall(event.ids));
      case 'server.toolCallCancellation':
        return waitFor(processed(event.type), () => side.cancel(event.ids));
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
function lookupTool(
  results: Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>,
  signals: Map<string, AbortSignal>,
) {
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

/** A path's session over a scripted transport. */
export function scriptedDriver(): Driver {
  const transport = createScriptedTransport({ open: 'manual' });
  return createDriver(
    'scripted',
    (tap, tools) => createLiveSession({ transport, tools, ...SESSION_OPTIONS, inspect: (event) => tap.inspect(event) }),
    () => {
      // The newest connection: after a reconnect, the one the session opened last.
      const connection = (): ScriptedConnection => {
        const found = transport.connections.at(-1);
        if (!found) throw new Error('no connection was opened');
        return found;
      };
      const frames = (): WireFrame[] => transport.frames.map(({ frame }) => fromScripted(frame));
      return {
        connecting: () => undefined,
        accept: async () => connection().accept(),
        acceptReconnect: () => connection().accept(),
        refuse: (retryable) => connection().serverClose(...closeOf(retryable)),
        content: () =>
          connection().send({
            serverContent: {
              modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] },
            },
          }),
        usage: () => connection().send({ usageMetadata: { totalTokenCount: 10 } }),
        goAway: () => connection().goAway('50s'),
        resumptionUpdate: () => connection().send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } }),
        malformed: () => connection().send({ sessionResumptionUpdate: { newHandle: 5 } }),
        setupCompleteAgain: () => connection().setupComplete(),
        transportError: () => connection().error(new Error('socket hiccup')),
        close: (retryable) => connection().serverClose(...closeOf(retryable)),
        toolCall: (ids) => connection().toolCall(ids.map((id) => ({ id, name: TOOL_NAME, args: {} }))),
        cancel: (ids) => connection().cancel([...ids]),
        pending: () => [...(transport.connections.at(-1)?.pending ?? [])],
        frames: (count) => {
          const got = frames();
          if (got.length < count) throw new Error(`the server got ${got.length} frames, expected ${count}`);
          return Promise.resolve(got);
        },
        refusal: () => {
          const violations = transport.connections.flatMap((c) => c.violations);
          const late = transport.frames.filter((f) => f.afterClose);
          if (violations.length > 0) return `gate violations: ${JSON.stringify(violations)}`;
          if (late.length > 0) return `frames after close: ${JSON.stringify(late)}`;
          return undefined;
        },
        finish: async (session) => {
          await session.close();
          return frames();
        },
      };
    },
  );
}

function fromScripted(frame: ScriptedConnection['frames'][number]['frame']): WireFrame {
  if (frame.type === 'realtimeInput') return { realtimeInput: frame.input.kind };
  if (frame.type !== 'toolResponse') throw new Error(`the spec has no ${frame.type}`);
  return { toolResponse: frame.responses.map(({ id, response }) => ({ id, response })) };
}

/** One emulator shared by every emulator path of a suite; paths run one after the other. */
export interface EmulatorFixture {
  emulator: LiveEmulator;
  ai: GoogleGenAI;
  /** Runs on the next connection the emulator accepts, before its setup is read. */
  onNextConnection: ((connection: EmulatorConnection) => void) | undefined;
}

/** The model name the emulator paths connect with. */
export const MODEL = 'models/gemini-live-test';

/** A path's session over the real SDK to the emulator. */
export function emulatorDriver(fixture: EmulatorFixture): Driver {
  let connection: Promise<EmulatorConnection> | undefined;
  let open: EmulatorConnection | undefined;
  return createDriver(
    'emulator',
    (tap, tools) =>
      createLiveSession({
        ai: fixture.ai,
        model: MODEL,
        config: { responseModalities: [Modality.AUDIO] },
        tools,
        ...SESSION_OPTIONS,
        inspect: (event) => tap.inspect(event),
      }),
    (session) => {
      const claim = (): Promise<EmulatorConnection> => {
        connection ??= fixture.emulator.nextConnection().then((c) => (open = c));
        return connection;
      };
      const live = (): EmulatorConnection => {
        if (!open) throw new Error('the emulator connection is not known yet');
        return open;
      };
      const frames = (c: EmulatorConnection | undefined): WireFrame[] =>
        (c?.frames ?? []).flatMap((frame) => (frame.message?.setup ? [] : [fromEmulator(frame.message)]));
      return {
        // Every connect is claimed, so that the next path never gets this path's connection.
        connecting: () => void claim(),
        // The emulator completes setup by itself.
        accept: async () => {
          await within(claim(), DEADLINE_MS, 'the emulator connection');
        },
        acceptReconnect: () => {
          throw new Error('the emulator paths stay on one connection');
        },
        refuse: (retryable) => {
          // connect() was called in this same tick and the socket cannot have been accepted
          // yet: no I/O runs between two steps that only await microtasks.
          fixture.onNextConnection = (c) => c.close(...closeOf(retryable));
        },
        content: () => live().sendAudio({ ms: 20 }),
        usage: () => live().sendUsage({ totalTokenCount: 10 }),
        // The spec's goAway only announces: the emulator must not close at the deadline.
        goAway: () => live().sendGoAway('50s', { close: false }),
        resumptionUpdate: () => live().sendResumptionUpdate('h1', true),
        malformed: () => live().sendRaw({ sessionResumptionUpdate: { newHandle: 5 } }),
        setupCompleteAgain: () => live().sendRaw({ setupComplete: {} }),
        // A WebSocket error is always followed by its close, so no server can cause a lone
        // transport error: the driver plays the connection actor's part and sends the event.
        transportError: () =>
          session.actor.send({
            type: 'transport.error',
            generation: session.actor.getSnapshot().context.generation,
            error: new TransportError('TRANSPORT_ERROR', 'socket hiccup'),
          }),
        close: (retryable) => live().close(...closeOf(retryable)),
        toolCall: (ids) => {
          live().sendToolCall(ids.map((id) => ({ id, name: TOOL_NAME, args: {} })));
        },
        cancel: (ids) => {
          live().cancelToolCalls(ids);
        },
        pending: () => open?.pendingToolCallIds ?? [],
        frames: async (count) => {
          if (count === 0) return frames(open);
          const c = await within(claim(), DEADLINE_MS, 'the emulator connection');
          // frames[0] is the setup: the count-th frame after it is at index `count`.
          await c.waitForMessage(() => true, { fromFrame: count, timeoutMs: DEADLINE_MS });
          return frames(c);
        },
        refusal: () => {
          const refused = open?.refusal;
          if (refused) return `the emulator refused a frame: ${refused.code} ${refused.reason} (${refused.problem})`;
          if (fixture.emulator.stats.violations1008 > 0) return 'the emulator closed a connection with 1008';
          return undefined;
        },
        finish: async (s) => {
          await s.close();
          if (!connection) return [];
          const c = await within(connection, DEADLINE_MS, 'the emulator connection');
          await within(c.closed, DEADLINE_MS, 'the emulator connection to close');
          return frames(c);
        },
      };
    },
  );
}

function fromEmulator(message: EmulatorConnection['frames'][number]['message']): WireFrame {
  const input = message?.realtimeInput;
  if (input) {
    const kinds = (['audio', 'video', 'text', 'activityStart', 'activityEnd', 'audioStreamEnd'] as const).filter(
      (kind) => input[kind] !== undefined,
    );
    if (kinds.length === 1) return { realtimeInput: kinds[0] as string };
  }
  const responses = message?.toolResponse?.functionResponses;
  if (responses) return { toolResponse: responses.map(({ id, response }) => ({ id, response })) };
  return { unexpected: message };
}

/** Starts the emulator of a suite: strict (no grace window), so a gate violation is a sure 1008. */
export async function startFixture(): Promise<EmulatorFixture> {
  const fixture: EmulatorFixture = {
    emulator: undefined as unknown as LiveEmulator,
    ai: undefined as unknown as GoogleGenAI,
    onNextConnection: undefined,
  };
  fixture.emulator = await startLiveEmulator({
    graceMs: 0,
    onConnection: (connection) => {
      const hook = fixture.onNextConnection;
      fixture.onNextConnection = undefined;
      hook?.(connection);
    },
  });
  fixture.ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: fixture.emulator.baseUrl } });
  return fixture;
}
