/**
 * What a session is to the application: the `LiveSession` interface `createLiveSession` returns.
 */
import type { Actor } from 'xstate';
import type { SessionMachine } from '../machines/session.machine.js';
import type { AudioSource, PendingCall, SessionEmitted } from '../machines/types.js';
import type { ContentTurn } from '../protocol/messages.js';
import type { AnyTool } from '../tools/types.js';
import type { SessionListener } from './listeners.js';
import type { SessionMetrics, SessionState } from './metrics.js';

/** A Gemini Live session owned by a statechart. Create one with `createLiveSession`. */
export interface LiveSession {
  /** The XState actor itself, for inspection and advanced use. */
  readonly actor: Actor<SessionMachine>;
  /** The top-level state right now. */
  readonly state: SessionState;
  /** Connects; resolves once setup is complete, rejects with the error if the session closes first. */
  connect(): Promise<void>;
  /**
   * Closes the session for good: pending tools are aborted, nothing more is sent. Resolves once
   * every socket is closed and every child actor stopped (and, with a `store`, once what was
   * waiting is written and the lease given back). Idempotent.
   *
   * With a `store`, the record is kept (another process may carry the conversation on, until it
   * expires) unless `deleteRecord`: the conversation is over.
   */
  close(options?: { deleteRecord?: boolean }): Promise<void>;
  /** Subscribes to an emitted event; returns the unsubscribe function. */
  on<T extends SessionEmitted['type']>(type: T, listener: SessionListener<T>): () => void;
  /**
   * Streams one chunk of 16 kHz PCM16 audio. With `activity: 'vad'` it is sent only while the
   * user speaks (inside the detector's bracket; the rest is counted dropped `outsideActivity`).
   */
  sendAudio(pcm: Uint8Array): void;
  /** Streams one video frame (a JPEG or PNG image). */
  sendVideo(frame: Uint8Array, mimeType: string): void;
  /** Sends realtime text. */
  sendText(text: string): void;
  /**
   * Marks the start of user activity (with automatic activity detection off). With
   * `activity: 'manual'` it also emits `speechStarted`; with `'vad'` or `'server'` it is refused
   * (an `InvalidInputError`, counted dropped `invalid`): the detector, or the server, brackets speech.
   */
  activityStart(): void;
  /** Marks the end of user activity; with the `activity` option, as `activityStart` says. */
  activityEnd(): void;
  /** Says the audio stream has ended (with automatic activity detection on). */
  audioStreamEnd(): void;
  /**
   * Sends conversation content (`clientContent`), in order with the input: turns with explicit
   * roles. While a blocking call is pending it is held (under `whileBlockingCall: 'gate'`, and
   * under `'interrupt'` unless it ends the turn), or, ending the turn under `'interrupt'`, cancels
   * the call; between connections it waits for the next one.
   */
  sendClientContent(turns: ContentTurn[], options?: { turnComplete?: boolean }): void;
  /**
   * Replaces the tools mid-session (`contextUpdate.tools`, in order with the input); a new
   * connection declares the new ones. A call still pending for a tool removed still gets its one
   * answer. Tools that the model would refuse, or that are malformed, are refused with an `error`
   * event and the old tools stay.
   */
  updateTools(tools: readonly AnyTool[]): void;
  /** Streams a source of 16 kHz PCM16 audio (an async iterable; a Node `Readable` is one). */
  attachMic(source: AudioSource, options?: { maxChunkBytes?: number }): void;
  /** Stops reading the attached source. */
  detachMic(): void;
  /** The calls the server is waiting on. */
  pendingToolCalls(): PendingCall[];
  /** The counters: forwarded, dropped by reason, tools, errors, time gated. */
  metrics(): SessionMetrics;
  /**
   * Has every frame processed as a machine event until the returned function is called, so that
   * an inspector attached later sees each one (see the `inspectFrames` option).
   */
  observeEveryFrame(): () => void;
}
