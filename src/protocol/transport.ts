/**
 * The seam between the session and whatever carries the Live API protocol. The session only ever
 * talks to a {@link LiveTransport}; `createGenAITransport` implements it over `@google/genai`, and
 * `createScriptedTransport` (from `gemini-live-fsm/testing`) over a script.
 */
import type { ContentTurn, ContextUpdate, FunctionResponse, RealtimeInput } from './messages.js';
import type { FunctionDeclaration } from './messages.js';

/** Callbacks a transport calls. They never throw. */
export interface TransportHandlers {
  /** A server message, as a parsed JSON object (the SDK's `LiveServerMessage`). */
  onMessage(message: unknown): void;
  /** The connection closed: `code` is the WebSocket close code (1006 for a drop). */
  onClose(code: number, reason: string): void;
  /** The transport reported an error; a close usually follows. */
  onError(error: unknown): void;
}

/** What the session asks for when it opens a connection. */
export interface TransportConnectRequest {
  /** The declarations of the session's tools, to add to `setup.tools`. */
  functionDeclarations: FunctionDeclaration[];
  /** Ask the server for resumption handles (`setup.sessionResumption`). */
  sessionResumption: boolean;
  /** Resume the session with this handle, when there is one. */
  resumptionHandle: string | undefined;
  /**
   * `false`: the session brackets the user's speech itself (its `activity` option is `'vad'` or
   * `'manual'`), and setup must declare `realtimeInputConfig.automaticActivityDetection.disabled:
   * true`. Absent: setup declares what the application's config says.
   */
  automaticActivityDetection?: boolean;
  handlers: TransportHandlers;
  /**
   * Aborted when the session no longer wants this connection (setup took too long, or the session
   * left or closed). The transport then closes whatever socket it opened, and the promise
   * `connect` returned settles (rejects, unless it had already resolved).
   */
  signal?: AbortSignal;
}

/** One open connection. Sends may throw when the socket is gone; the session catches that. */
export interface LiveConnection {
  sendRealtimeInput(input: RealtimeInput): void;
  /**
   * Optional: sends one frame of 16 kHz PCM16 audio (`audio/pcm;rate=16000`), exactly as
   * `sendRealtimeInput` would, by the quickest way the transport has. Streaming sessions use it for
   * every microphone frame.
   */
  sendAudioFrame?(pcm: Uint8Array): void;
  sendToolResponse(responses: FunctionResponse[]): void;
  /** Optional: sends conversation content (`clientContent`); without it the session cannot. */
  sendClientContent?(turns: ContentTurn[], turnComplete: boolean): void;
  /** Optional: replaces the tools mid-session (`contextUpdate.tools`); without it the session cannot. */
  sendContextUpdate?(update: ContextUpdate): void;
  /**
   * Closes the connection; the transport need not call `onClose` afterwards. May return a promise
   * that settles once the socket is closed (`session.close()` waits for it).
   */
  close(): void | Promise<void>;
}

/**
 * Opens connections. `connect` resolves once setup is complete (the server's `setupComplete` may
 * reach `onMessage` before or after it resolves) and rejects if the connection cannot be made.
 */
export interface LiveTransport {
  connect(request: TransportConnectRequest): Promise<LiveConnection>;
}
