/**
 * `createLiveSession`: the public face of the statechart. It wires the machine to its real
 * actors, turns method calls into events, and delivers emitted events to listeners that may
 * throw without harming the session.
 */
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { connectionCallback } from '../actors/connection.js';
import { DEFAULT_TOOL_TIMEOUT_MS, toolExecutorCallback } from '../actors/toolExecutor.js';
import { inputBufferCallback } from '../actors/inputBuffer.js';
import { transportFor, type SessionConnection } from './connectionOptions.js';
import { FastLane } from './fastLane.js';
import { ListenerError, LiveSessionError, SessionClosedError, TransportError, describe } from '../protocol/errors.js';
import { initialCounters, total } from '../machines/counters.js';
import { inspectedSessionMachine, meteredSessionMachine, provideServices, type SessionServices } from './liveMachine.js';
import { DEFAULT_SETTINGS, type SessionMachine } from '../machines/session.machine.js';
import type {
  AudioSource,
  EmittedOf,
  InputEvent,
  InputPolicy,
  PendingCall,
  SessionCounters,
  SessionEmitted,
  SessionSettings,
} from '../machines/types.js';
import { INPUT_AUDIO_MIME_TYPE, REALTIME_INPUT_KINDS, type RealtimeInputKind } from '../protocol/messages.js';
import type { AnyTool } from '../tools/defineTool.js';
import { toFunctionDeclarations } from '../tools/declarations.js';

export type { SessionConnection } from './connectionOptions.js';

/** Options of {@link createLiveSession}. */
export type LiveSessionOptions = SessionConnection & {
  /** The tools the model may call; their declarations go into `setup.tools`. */
  tools?: readonly AnyTool[];
  /** Bound on one tool call (default 30 s); a tool's own `timeoutMs` wins. */
  toolTimeoutMs?: number;
  /** Bound on opening a connection until setup completes (default 15 s). */
  connectTimeoutMs?: number;
  /** Ask for resumption handles, so that a new connection resumes the conversation (default true). */
  resumption?: boolean;
  /**
   * Reconnect after a retryable close (1011, a network drop, an abnormal close), with full-jitter
   * backoff; `false` closes the session instead. Default `{ maxAttempts: 3 }` in a row: the count
   * resets once a connection has streamed for `stableAfterMs` (10 s).
   */
  reconnect?: false | { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number };
  /** Realtime input while a tool call is pending: `'drop'` (default) or a bounded buffer. */
  inputWhileGated?: InputPolicy;
  /** Realtime input between connections: default `{ buffer: { maxMs: 2000 } }`. */
  inputWhileReconnecting?: InputPolicy;
  /** Most inputs a buffer holds whatever their duration (default 1000). */
  maxBufferedInputs?: number;
  /** Close the gate for NON_BLOCKING tools too (default false: the mic keeps streaming). */
  gateNonBlockingTools?: boolean;
  /** Any XState inspection observer, passed to `createActor`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
};

/** The session's top-level state. */
export type SessionState = 'idle' | 'streaming' | 'awaitingToolResponse' | 'closed';

/** The session's counters, with the figures derived from them. */
export interface SessionMetrics extends SessionCounters {
  state: SessionState;
  /** Calls the server is waiting on right now. */
  pendingToolCalls: number;
  /** Inputs handed to the session in all. */
  totalReceived: number;
  totalForwarded: number;
  totalDropped: number;
}

/** A listener for one emitted event type. */
export type SessionListener<T extends SessionEmitted['type']> = (event: EmittedOf<T>) => void;

/** A Gemini Live session owned by a statechart. Create one with {@link createLiveSession}. */
export interface LiveSession {
  /** The XState actor itself, for inspection and advanced use. */
  readonly actor: Actor<SessionMachine>;
  /** The top-level state right now. */
  readonly state: SessionState;
  /** Connects; resolves once setup is complete, rejects with the error if the session closes first. */
  connect(): Promise<void>;
  /** Closes the session for good: pending tools are aborted, nothing more is sent. Idempotent. */
  close(): Promise<void>;
  /** Subscribes to an emitted event; returns the unsubscribe function. */
  on<T extends SessionEmitted['type']>(type: T, listener: SessionListener<T>): () => void;
  /** Streams one chunk of 16 kHz PCM16 audio. */
  sendAudio(pcm: Uint8Array): void;
  /** Streams one video frame (a JPEG or PNG image). */
  sendVideo(frame: Uint8Array, mimeType: string): void;
  /** Sends realtime text. */
  sendText(text: string): void;
  /** Marks the start of user activity (with automatic activity detection off). */
  activityStart(): void;
  /** Marks the end of user activity. */
  activityEnd(): void;
  /** Says the audio stream has ended (with automatic activity detection on). */
  audioStreamEnd(): void;
  /** Streams a source of 16 kHz PCM16 audio (an async iterable; a Node `Readable` is one). */
  attachMic(source: AudioSource, options?: { maxChunkBytes?: number }): void;
  /** Stops reading the attached source. */
  detachMic(): void;
  /** The calls the server is waiting on. */
  pendingToolCalls(): PendingCall[];
  /** The counters: forwarded, dropped by reason, tools, errors, time gated. */
  metrics(): SessionMetrics;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BUFFERED_INPUTS = 1_000;

/**
 * Creates a session. Nothing is sent until `connect()`.
 *
 * @example
 * ```ts
 * const session = createLiveSession({
 *   ai: new GoogleGenAI({ apiKey }),
 *   model: 'gemini-2.5-flash-native-audio-preview-09-2025',
 *   config: { responseModalities: [Modality.AUDIO] },
 *   tools: [getWeather],
 * });
 * session.on('audio', ({ data }) => speaker.write(data));
 * session.on('interrupted', () => speaker.clear());
 * await session.connect();
 * session.attachMic(micStream);
 * ```
 */
export function createLiveSession(options: LiveSessionOptions): LiveSession {
  const tools = options.tools ?? [];
  assertUniqueNames(tools);
  const transport = transportFor(options);
  const settings = sessionSettings(options, tools);
  const services: SessionServices = {
    connection: connectionCallback({
      transport,
      functionDeclarations: toFunctionDeclarations(tools),
      sessionResumption: settings.resumption,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      onWire: (generation, wire) => services.lane?.announce(generation, wire),
    }),
    toolExecutor: toolExecutorCallback({ tools, timeoutMs: options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS }),
    inputBuffer: inputBufferCallback({ maxItems: options.maxBufferedInputs ?? DEFAULT_MAX_BUFFERED_INPUTS }),
    forwarded: initialCounters().forwarded,
  };
  // An inspector reads every count off every snapshot; without one, forwarded input is metered.
  const machine = options.inspect ? inspectedSessionMachine : meteredSessionMachine;

  const listeners = new Map<string, Set<(event: SessionEmitted) => void>>();
  // Inputs handed over after the actor stopped: the machine cannot count them, so we do.
  const afterClose: Record<RealtimeInputKind, number> = initialCounters().received;

  const dispatch = (event: SessionEmitted) => {
    for (const listener of [...(listeners.get(event.type) ?? [])]) {
      try {
        listener(event);
      } catch (cause) {
        if (event.type === 'error') {
          // An error listener that throws has nobody left to tell but the console.
          console.error(new ListenerError('error', cause));
        } else {
          dispatch({ type: 'error', error: new ListenerError(event.type, cause) });
        }
      }
    }
  };

  const actor = createActor(machine, options.inspect ? { input: settings, inspect: options.inspect } : { input: settings });
  provideServices(actor.system, services);
  actor.on('*', (event) => dispatch(event as SessionEmitted));
  // A defect inside the machine must reach the application as an error, not crash the process.
  actor.subscribe({
    error: (cause) =>
      dispatch({
        type: 'error',
        error: cause instanceof LiveSessionError ? cause : new TransportError('TRANSPORT_ERROR', describe(cause), { cause }),
      }),
  });
  actor.start();

  // close() called from inside a listener or a tool (while the machine is busy) queues its CLOSE,
  // and XState discards whatever is queued behind it once the session is done: from the call
  // on, the session is closed for the application, so later inputs are counted, not lost (I4).
  let closeRequested = false;
  const isClosed = () => closeRequested || actor.getSnapshot().status !== 'active';

  // An inspector sees every frame as an event; without one, frames the machine would only
  // forward take the fast path.
  const lane = options.inspect ? undefined : new FastLane(actor, services.forwarded);
  services.lane = lane;

  /** Hands an input to the machine, or counts it as dropped once the session is closed. */
  const sendToMachine = (event: InputEvent) => {
    if (!isClosed()) {
      actor.send(event);
      return;
    }
    const kind = event.type.slice('input.'.length) as RealtimeInputKind;
    afterClose[kind] += 1;
    dispatch({ type: 'inputDropped', kind, reason: 'closed' });
    dispatch({ type: 'error', error: new SessionClosedError(`send ${kind}`) });
  };

  const send = (event: InputEvent) => {
    if (!closeRequested && lane?.forward(event)) return;
    sendToMachine(event);
  };

  const topState = (): SessionState => {
    const { value } = actor.getSnapshot();
    return (typeof value === 'string' ? value : Object.keys(value)[0]) as SessionState;
  };

  const session: LiveSession = {
    actor,
    get state() {
      return topState();
    },

    connect() {
      if (isClosed()) return Promise.reject(new SessionClosedError('connect'));
      return new Promise<void>((resolve, reject) => {
        const settle = () => {
          const snapshot = actor.getSnapshot();
          if (snapshot.matches('streaming') || snapshot.matches('awaitingToolResponse')) {
            resolve();
            return true;
          }
          if (snapshot.status !== 'active') {
            const closedBy = snapshot.context.closedBy;
            reject(closedBy && closedBy.by !== 'client' ? closedBy.error : new SessionClosedError('connect'));
            return true;
          }
          return false;
        };
        actor.send({ type: 'CONNECT' });
        if (settle()) return;
        const subscription = actor.subscribe({
          next: () => {
            if (settle()) subscription.unsubscribe();
          },
          // Reported through the error event already; the promise must still settle.
          error: () => reject(new SessionClosedError('connect')),
        });
      });
    },

    close() {
      if (!isClosed()) {
        closeRequested = true;
        actor.send({ type: 'CLOSE' });
      }
      return Promise.resolve();
    },

    on(type, listener) {
      const set = listeners.get(type) ?? new Set();
      listeners.set(type, set);
      const entry = listener as (event: SessionEmitted) => void;
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },

    sendAudio: (pcm) => {
      // The hot path of every streaming session: no event object unless the machine needs one.
      if (!closeRequested && lane?.forwardAudio(pcm)) return;
      sendToMachine({ type: 'input.audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE });
    },
    sendVideo: (frame, mimeType) => send({ type: 'input.video', data: frame, mimeType }),
    sendText: (text) => send({ type: 'input.text', text }),
    activityStart: () => send({ type: 'input.activityStart' }),
    activityEnd: () => send({ type: 'input.activityEnd' }),
    audioStreamEnd: () => send({ type: 'input.audioStreamEnd' }),

    attachMic(source, micOptions) {
      if (isClosed()) {
        dispatch({ type: 'error', error: new SessionClosedError('attachMic') });
        return;
      }
      actor.send({ type: 'mic.attach', source, maxChunkBytes: micOptions?.maxChunkBytes });
    },

    detachMic() {
      if (!isClosed()) actor.send({ type: 'mic.detach' });
    },

    pendingToolCalls: () => Object.values(actor.getSnapshot().context.pending),

    metrics() {
      const { context } = actor.getSnapshot();
      const counters = context.counters;
      const late = total(afterClose);
      const received = { ...counters.received };
      const forwarded = { ...counters.forwarded };
      for (const kind of REALTIME_INPUT_KINDS) {
        received[kind] += afterClose[kind] + services.forwarded[kind];
        forwarded[kind] += services.forwarded[kind];
      }
      const dropped = { ...counters.dropped, closed: counters.dropped.closed + late };
      const gatedNow = context.gatedSince === undefined ? 0 : Date.now() - context.gatedSince;
      return {
        ...counters,
        received,
        forwarded,
        dropped,
        gatedMs: counters.gatedMs + gatedNow,
        state: topState(),
        pendingToolCalls: Object.keys(context.pending).length,
        totalReceived: total(received),
        totalForwarded: total(forwarded),
        totalDropped: total(dropped),
      };
    },
  };

  return session;
}

/** The machine's settings from the session's options. */
function sessionSettings(options: LiveSessionOptions, tools: readonly AnyTool[]): SessionSettings {
  const reconnect: Exclude<LiveSessionOptions['reconnect'], false | undefined> =
    options.reconnect === false ? { maxAttempts: 0 } : (options.reconnect ?? {});
  return {
    resumption: options.resumption ?? DEFAULT_SETTINGS.resumption,
    maxReconnectAttempts: reconnect.maxAttempts ?? DEFAULT_SETTINGS.maxReconnectAttempts,
    baseDelayMs: reconnect.baseDelayMs ?? DEFAULT_SETTINGS.baseDelayMs,
    maxDelayMs: reconnect.maxDelayMs ?? DEFAULT_SETTINGS.maxDelayMs,
    stableAfterMs: reconnect.stableAfterMs ?? DEFAULT_SETTINGS.stableAfterMs,
    inputWhileGated: options.inputWhileGated ?? DEFAULT_SETTINGS.inputWhileGated,
    inputWhileReconnecting: options.inputWhileReconnecting ?? DEFAULT_SETTINGS.inputWhileReconnecting,
    nonBlockingTools: tools.filter((tool) => tool.behavior === 'NON_BLOCKING').map((tool) => tool.name),
    gateNonBlocking: options.gateNonBlockingTools ?? DEFAULT_SETTINGS.gateNonBlocking,
  };
}

function assertUniqueNames(tools: readonly AnyTool[]) {
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.name)) throw new TypeError(`two tools are named '${tool.name}'`);
    seen.add(tool.name);
  }
}
