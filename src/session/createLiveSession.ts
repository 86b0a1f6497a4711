/**
 * `createLiveSession`: the public face of the statechart. It wires the machine to its real
 * actors, checks every value at the front door, turns method calls into events, and delivers
 * emitted events to listeners that may throw without harming the session.
 */
import { createActor, type InspectionEvent } from 'xstate';
import { connectionCallback } from '../actors/connection.js';
import { inputBufferCallback } from '../actors/inputBuffer.js';
import { toolExecutorCallback } from '../actors/toolExecutor.js';
import { inputKind } from '../machines/wire.js';
import type { InputEvent, SessionEmitted } from '../machines/types.js';
import { InternalError, InvalidInputError, ListenerError, LiveSessionError, SessionClosedError, describe, type ModelRefusalError } from '../protocol/errors.js';
import { INPUT_AUDIO_MIME_TYPE, type RealtimeInputKind } from '../protocol/messages.js';
import { toFunctionDeclarations } from '../tools/declarations.js';
import { ActivityLane } from './activityLane.js';
import { FastLane } from './fastLane.js';
import { checkAudio, checkText, checkVideo, contentProblem, micSourceProblem, type Checked } from './frontDoor.js';
import { createListeners } from './listeners.js';
import type { LiveSession } from './liveSession.js';
import { OutsideCounts, sessionMetrics, type SessionState } from './metrics.js';
import { resolveOptions, type LiveSessionOptions, type ResolvedOptions } from './options.js';
import { checkTools } from './toolOptions.js';
import { refusalOf } from '../models/refusals.js';
import type { AnyTool } from '../tools/types.js';
import type { FunctionDeclaration } from '../protocol/messages.js';
import { liveSessionMachine, provideServices } from './services.js';
import { instrumentSession } from '../telemetry/instrumentSession.js';
import { bindStore } from './storeBinding.js';

export type { LiveSession } from './liveSession.js';
export type { LiveSessionOptions, SessionConnection } from './options.js';
export type { SessionMetrics, SessionState } from './metrics.js';
export type { SessionListener } from './listeners.js';

/**
 * Creates a session. Nothing is sent until `connect()`. Options that cannot work throw an
 * `InvalidOptionsError` here.
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
  const resolved = resolveOptions(options);
  const lane = new FastLane();
  const closing = new Set<Promise<void>>();
  const { dispatch, on } = createListeners(lane);
  const outside = new OutsideCounts();
  // close() called from inside a listener or a tool (while the machine is busy) queues its CLOSE,
  // and XState discards whatever is queued behind it once the session is done: from the call
  // on, the session is closed for the application, so later inputs are counted, not lost (I4).
  let closeRequested = false;
  // With the `activity` option, every audio frame passes the activity actor's lane.
  const activityLane = resolved.activity
    ? new ActivityLane(resolved.activity.mode, {
        forwardAudio: (pcm) => !closeRequested && lane.forwardAudio(pcm),
        dropOutside: () => outside.drop('audio', 'outsideActivity'),
        countPreRoll: (frames) => (outside.preRoll += frames),
      })
    : undefined;

  const actor = createActor(liveSessionMachine, {
    input: resolved.settings,
    ...(options.inspect ? { inspect: guardedInspector(options.inspect, dispatch) } : {}),
  });
  // The tools as they are now: `updateTools` replaces them; the next connection and toolCall read them.
  const toolbox = toolboxOf(resolved, resolved.tools);
  // A session kept in a store: its record is put back on connect, and every change is written.
  const store = bindStore(resolved, { actor, step: (event) => step(event), dispatch, isClosed: () => isClosed() });
  const runTools = toolExecutorCallback({
    tools: () => toolbox.tools,
    timeoutMs: resolved.toolTimeoutMs,
    maxResultBytes: resolved.maxToolResultBytes,
    nonBlockingTools: () => toolbox.nonBlockingTools,
  });
  provideServices(actor.system, {
    connection: connectionCallback({
      transport: resolved.transport,
      functionDeclarations: () => toolbox.declarations,
      onServerMessage: (message, generation) => dispatch({ type: 'message', message, generation }),
      sessionResumption: resolved.settings.resumption,
      // 'vad' and 'manual' bracket speech on the client: setup turns the server's detection off.
      automaticActivityDetection: resolved.activity?.automaticActivityDetection === false ? false : undefined,
      connectTimeoutMs: resolved.connectTimeoutMs,
      onWire: (generation, wire) => lane.announce(generation, wire),
      onClosing: (closed) => {
        closing.add(closed);
        void closed.then(() => closing.delete(closed));
      },
      previousClosed: () => (closing.size === 0 ? undefined : allClosedWithin([...closing], PREVIOUS_CLOSE_WAIT_MS)),
    }),
    // With a store, calls and outcomes are stored before they take effect (write-ahead).
    toolExecutor: store ? store.tools(runTools) : runTools,
    inputBuffer: inputBufferCallback({ maxItems: resolved.maxBufferedInputs }),
    lane,
    activity: resolved.activity && activityLane ? { input: resolved.activity.input, lane: activityLane } : undefined,
  });
  actor.on('*', (event) => dispatch(event));
  // A defect inside the machine stops it: say so, and say the session is closed.
  actor.subscribe({
    error: (cause) => {
      const error = cause instanceof LiveSessionError ? cause : new InternalError(`the session failed: ${describe(cause)}`, { cause });
      dispatch({ type: 'error', error });
      dispatch({ type: 'closed', closedBy: { by: 'failure', error } });
    },
  });
  store?.watch();
  if (options.inspectFrames) lane.observeEveryFrame();
  actor.start();

  let toldUnknownModel = false;
  let whenClosed: Promise<void> | undefined;
  const isClosed = () => closeRequested || actor.getSnapshot().status !== 'active';

  /** Hands an event to the machine, as a step the fast lane knows about. */
  const step = (event: Parameters<typeof actor.send>[0]) => {
    lane.enter();
    try {
      actor.send(event);
    } finally {
      lane.leave();
    }
  };

  /** Counts an input handed over after the session closed as dropped, and says so. */
  const dropAfterClose = (kind: RealtimeInputKind) => {
    outside.drop(kind, 'closed');
    dispatch({ type: 'inputDropped', kind, reason: 'closed' });
    dispatch({ type: 'error', error: new SessionClosedError(`send ${kind}`) });
  };

  /** Hands an input to the machine, or counts it as dropped once the session is closed. */
  const sendToMachine = (event: InputEvent) => {
    if (isClosed()) dropAfterClose(inputKind(event));
    else step(event);
  };

  const send = (event: InputEvent) => {
    if (!closeRequested && lane.forward(event)) return;
    sendToMachine(event);
  };

  /** Sends a checked value, or drops it as invalid with the reason (once closed, nothing is sent anyway). */
  const sendChecked = (operation: string, kind: RealtimeInputKind, checked: Checked) => {
    if (isClosed()) {
      dropAfterClose(kind);
      return;
    }
    if ('event' in checked) {
      send(checked.event);
      return;
    }
    outside.drop(kind, 'invalid');
    dispatch({ type: 'inputDropped', kind, reason: 'invalid' });
    dispatch({ type: 'error', error: new InvalidInputError(operation, checked.problem) });
  };

  /**
   * The application's activity signal: like all input, or, with the `activity` option, through its
   * lane ('manual': the actor's; 'vad' and 'server' refuse it, the bracket is not the app's).
   */
  const sendActivitySignal = (signal: 'start' | 'end') => {
    const event: InputEvent = { type: signal === 'start' ? 'input.activityStart' : 'input.activityEnd' };
    if (!activityLane || isClosed()) {
      send(event);
      return;
    }
    activityLane.signal(signal, () => send(event), () => {
      const kind = inputKind(event);
      outside.drop(kind, 'invalid');
      dispatch({ type: 'inputDropped', kind, reason: 'invalid' });
      dispatch({ type: 'error', error: new InvalidInputError(kind, `the session's activity mode is '${activityLane.mode}': the ${activityLane.mode === 'vad' ? 'detector' : 'server'} brackets speech`) });
    });
  };

  const topState = (): SessionState => {
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active') return 'closed';
    const { value } = snapshot;
    return typeof value === 'string' ? value : 'idle';
  };

  /** Opens the first connection; settles once it streams, or the session closes first. */
  const connectNow = () =>
    new Promise<void>((resolve, reject) => {
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
      step({ type: 'CONNECT' });
      if (settle()) return;
      const subscription = actor.subscribe({
        next: () => {
          if (settle()) subscription.unsubscribe();
        },
        // Reported through the error event already; the promise must still settle.
        error: (cause) => reject(cause instanceof LiveSessionError ? cause : new SessionClosedError('connect')),
      });
    });

  const session: LiveSession = {
    actor,
    get state() {
      return topState();
    },

    connect() {
      if (isClosed()) return Promise.reject(new SessionClosedError('connect'));
      if (resolved.refusal) {
        // What the model would refuse fails here, before any socket, not as a mysterious close.
        dispatch({ type: 'error', error: resolved.refusal });
        return Promise.reject(resolved.refusal);
      }
      if (resolved.profileSource === 'conservative' && !toldUnknownModel) {
        toldUnknownModel = true;
        dispatch({
          type: 'info',
          code: 'UNKNOWN_MODEL',
          message: `no profile is known for ${options.model ?? 'this transport'}: tools are declared BLOCKING unless they say otherwise, and input is held while a blocking call runs`,
        });
      }
      // With a store, the record goes back into the machine before the first connection.
      if (store) return store.restore().then(() => (isClosed() ? Promise.reject(new SessionClosedError('connect')) : connectNow()));
      return connectNow();
    },

    close(closeOptions) {
      if (!isClosed()) {
        if (closeOptions?.deleteRecord === true) store?.deleteOnFinish();
        closeRequested = true;
        step({ type: 'CLOSE' });
      }
      whenClosed ??= new Promise<void>((resolve) => {
        const settled = () => void Promise.all([...closing, store?.finish()]).then(() => resolve());
        if (actor.getSnapshot().status !== 'active') settled();
        else actor.subscribe({ complete: settled, error: settled });
      });
      return whenClosed;
    },

    on,

    sendAudio: activityLane
      ? (pcm) => {
          // Every frame passes the activity lane (and its detector) once checked.
          if (isClosed() || !isPcmFrame(pcm)) sendChecked('sendAudio', 'audio', checkAudio(pcm));
          else activityLane.audio(pcm, () => step({ type: 'input.audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE }));
        }
      : (pcm) => {
          // The hot path of every streaming session: no event object unless the machine needs one.
          if (!closeRequested && isPcmFrame(pcm) && lane.forwardAudio(pcm)) return;
          sendChecked('sendAudio', 'audio', checkAudio(pcm));
        },
    sendVideo: (frame, mimeType) => sendChecked('sendVideo', 'video', checkVideo(frame, mimeType)),
    sendText: (text) => sendChecked('sendText', 'text', checkText(text)),
    activityStart: () => sendActivitySignal('start'),
    activityEnd: () => sendActivitySignal('end'),
    audioStreamEnd: () => send({ type: 'input.audioStreamEnd' }),

    sendClientContent(turns, contentOptions) {
      if (isClosed()) {
        dispatch({ type: 'error', error: new SessionClosedError('sendClientContent') });
        return;
      }
      const problem = contentProblem(turns);
      if (problem) {
        dispatch({ type: 'error', error: new InvalidInputError('sendClientContent', problem) });
        return;
      }
      step({ type: 'input.clientContent', turns, turnComplete: contentOptions?.turnComplete ?? true });
    },

    updateTools(tools) {
      if (isClosed()) {
        dispatch({ type: 'error', error: new SessionClosedError('updateTools') });
        return;
      }
      let next: Toolbox;
      try {
        next = toolboxOf(resolved, checkTools(tools));
      } catch (error) {
        dispatch({ type: 'error', error: error instanceof LiveSessionError ? new InvalidInputError('updateTools', error.reason) : new InvalidInputError('updateTools', describe(error)) });
        return;
      }
      if (next.refusal) {
        dispatch({ type: 'error', error: next.refusal });
        return;
      }
      Object.assign(toolbox, next);
      step({ type: 'tools.update', declarations: toolbox.declarations, nonBlockingTools: toolbox.nonBlockingTools });
    },

    attachMic(source, micOptions) {
      if (isClosed()) {
        dispatch({ type: 'error', error: new SessionClosedError('attachMic') });
        return;
      }
      const problem = micSourceProblem(source, micOptions?.maxChunkBytes);
      if (problem) {
        dispatch({ type: 'error', error: new InvalidInputError('attachMic', problem) });
        return;
      }
      step({ type: 'mic.attach', source, maxChunkBytes: micOptions?.maxChunkBytes });
    },

    detachMic() {
      if (!isClosed()) step({ type: 'mic.detach' });
    },

    pendingToolCalls: () => Object.values(actor.getSnapshot().context.pending),

    metrics: () => {
      const metrics = sessionMetrics(actor.getSnapshot().context, topState(), lane.meter, outside);
      return store ? { ...metrics, store: store.metrics() } : metrics;
    },

    observeEveryFrame: () => lane.observeEveryFrame(),
  };
  if (options.telemetry !== false) instrumentSession(session, options.telemetry, { model: options.model });
  return session;
}

/** A frame `checkAudio` would take as it is: bytes, whole 16-bit samples, not empty (checked inline on the hot path). */
function isPcmFrame(pcm: unknown): pcm is Uint8Array {
  return pcm instanceof Uint8Array && pcm.byteLength > 0 && (pcm.byteLength & 1) === 0;
}

/** How long a new connection waits for the sockets the session let go to close. */
const PREVIOUS_CLOSE_WAIT_MS = 2_000;

/** Settles when every socket is closed, or after `ms` (a socket that takes longer is not waited on any longer). */
function allClosedWithin(closed: readonly Promise<void>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([Promise.all(closed).then(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** A session's tools, with what is derived from them. */
interface Toolbox {
  tools: readonly AnyTool[];
  declarations: FunctionDeclaration[];
  nonBlockingTools: string[];
  /** What the model would refuse in them. */
  refusal: ModelRefusalError | undefined;
}

/** The toolbox of `tools`, declared and checked against the session's model profile. */
function toolboxOf(resolved: ResolvedOptions, tools: readonly AnyTool[]): Toolbox {
  return {
    tools,
    declarations: toFunctionDeclarations(tools, { schemaField: resolved.toolSchemaField, behaviorOf: resolved.behaviorOf }),
    nonBlockingTools: tools.filter((tool) => resolved.behaviorOf(tool) === 'NON_BLOCKING').map((tool) => tool.name),
    refusal: refusalOf(resolved.profile, {
      model: resolved.profile.name,
      config: undefined,
      tools: tools.map((tool) => ({ name: tool.name, behavior: resolved.behaviorOf(tool) })),
    }),
  };
}

/** The application's inspector, which may throw: its failures are reported, never fatal. */
function guardedInspector(
  inspect: NonNullable<LiveSessionOptions['inspect']>,
  dispatch: (event: SessionEmitted) => void,
): (event: InspectionEvent) => void {
  const observe = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event);
  return (event) => {
    try {
      observe(event);
    } catch (cause) {
      dispatch({ type: 'error', error: new ListenerError('inspect', cause) });
    }
  };
}
