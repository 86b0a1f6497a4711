/**
 * Wire shapes the emulator reads and writes, and the small records it keeps about a connection.
 *
 * These describe the Live API as it is seen on the socket (see the recordings in
 * `test/fixtures/live-recordings/`), not the SDK's classes: the emulator is the server side of the wire
 * and must not depend on how a client library models it.
 */

/** Base64 media as the client sends it in `realtimeInput.audio` / `realtimeInput.video`. */
export interface MediaBlob {
  /** Base64 bytes. */
  data: string;
  /** For audio, `audio/pcm;rate=16000`; for video, an `image/*` type. */
  mimeType: string;
}

/** A function declaration inside `setup.tools[].functionDeclarations`. */
export interface FunctionDeclaration {
  name: string;
  description?: string;
  /**
   * `NON_BLOCKING` lets the model, and the user, keep talking while the call runs. Absent (or
   * `UNSPECIFIED`): the model's default, BLOCKING on 2.5 and 3.1, NON_BLOCKING on 3.8.
   */
  behavior?: string;
  [key: string]: unknown;
}

/** One entry of a tool list (`setup.tools`, `contextUpdate.tools.tools`). */
export interface ToolEntry {
  functionDeclarations?: FunctionDeclaration[];
  [key: string]: unknown;
}

/** The body of the first client message, `{"setup": …}`. */
export interface SetupBody {
  /** `models/…` for the Gemini API, `projects/…/models/…` for Vertex AI. */
  model: string;
  generationConfig?: Record<string, unknown>;
  tools?: ToolEntry[];
  /** Present when the client wants resumption handles; `handle` resumes an earlier session. */
  sessionResumption?: { handle?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The body of `{"realtimeInput": …}`. Exactly the fields the current API accepts. */
export interface RealtimeInputBody {
  audio?: MediaBlob;
  video?: MediaBlob;
  text?: string;
  activityStart?: Record<string, unknown>;
  activityEnd?: Record<string, unknown>;
  audioStreamEnd?: boolean;
}

/** One entry of `toolResponse.functionResponses`. */
export interface FunctionResponseBody {
  /** Required by the Gemini API; absent in Vertex AI style sessions. */
  id?: string;
  name: string;
  response?: unknown;
  scheduling?: string;
  willContinue?: boolean;
  [key: string]: unknown;
}

/** The body of `{"toolResponse": …}`. */
export interface ToolResponseBody {
  functionResponses: FunctionResponseBody[];
}

/** One part of a client turn; only `text` is looked at. */
export interface ContentPart {
  text?: string;
  [key: string]: unknown;
}

/** The body of `{"clientContent": …}`. */
export interface ClientContentBody {
  turns?: { role?: string; parts?: ContentPart[] }[];
  turnComplete?: boolean;
}

/**
 * The body of `{"contextUpdate": …}`, as `@google/genai` 3.x's `sendContextUpdate` writes it. The
 * tool list sits in a wrapper, so that "no update" (no `tools`) and "no tools any more"
 * (`tools: {}` or `tools: { tools: [] }`) differ on the wire.
 */
export interface ContextUpdateBody {
  tools?: { tools?: ToolEntry[] };
  systemInstruction?: unknown;
}

/** A client message that passed the shape checks: exactly one of these keys is present. */
export interface ClientMessage {
  setup?: SetupBody;
  realtimeInput?: RealtimeInputBody;
  toolResponse?: ToolResponseBody;
  clientContent?: ClientContentBody;
  /** Newer SDKs' `sendContextUpdate`: replaces the tools (and the system instruction) mid-session. */
  contextUpdate?: ContextUpdateBody;
}

/** One frame received from the client, as recorded on `EmulatorConnection.frames`. */
export interface ClientFrame {
  /** When it arrived, in `performance.now()` milliseconds. */
  at: number;
  /** The parsed message; `null` when the frame was not a valid client message. */
  message: ClientMessage | null;
  /** Size of the frame payload in bytes. */
  bytes: number;
  /** The frame text, kept only when `message` is `null` (so malformed input can be inspected). */
  raw?: string;
}

/** One frame the emulator sent, as recorded on `EmulatorConnection.sent`. */
export interface ServerFrame {
  /** When it was written, in `performance.now()` milliseconds. */
  at: number;
  /** The JSON message (for raw sends, the value given to `sendRaw`). */
  message: unknown;
}

/** How a connection ended. */
export interface CloseInfo {
  /** WebSocket close code; 1005 when the client closed without a code, 1006 for a dropped socket. */
  code: number;
  reason: string;
  /** Which side ended it. A server `abort()` or shutdown is `'server'` with code 1006. */
  by: 'server' | 'client';
}

/** A function call for `sendToolCall` or a scenario's `toolCall` action. */
export interface ToolCallSpec {
  /** Wire id; generated as `fc-N` when absent. */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

/**
 * `serverContent.interactionStatus`, from models that reason in the background (extended
 * thinking): `IN_PROGRESS` while more may follow, `IDLE` once everything is done.
 */
export type InteractionStatus = 'IN_PROGRESS' | 'IDLE';

/** Token counts for `usageMetadata`; missing counts get small defaults, the total is derived. */
export interface UsageInput {
  promptTokenCount?: number;
  responseTokenCount?: number;
  totalTokenCount?: number;
}

/** One line of the conversation kept per session (and per resumption handle). */
export interface TranscriptEntry {
  role: 'user' | 'model';
  text: string;
}

/** What a resumption handle restores. */
export interface ConversationState {
  /** Completed model turns (each `turnComplete` sent). */
  turns: number;
  /** Transcriptions, text parts and client text, in order. */
  transcript: TranscriptEntry[];
}

/** Running totals of one connection; scenarios trigger on their growth. */
export interface ConnectionCounters {
  /** Every client frame, valid or not. */
  framesReceived: number;
  setups: number;
  /** Milliseconds of client audio, computed from the PCM bytes and the `rate=` of the MIME type. */
  audioMs: number;
  audioFrames: number;
  videoFrames: number;
  texts: number;
  activityStarts: number;
  activityEnds: number;
  audioStreamEnds: number;
  clientContents: number;
  toolResponses: number;
  /** Tool responses after which no call was pending any more. */
  toolResponsesSettled: number;
  toolCallsSent: number;
  /** Frames let through by the grace window (see `LiveEmulatorOptions.graceMs`). */
  graceTolerated: number;
  /**
   * Calls the emulator cancelled because input arrived while they blocked (models whose input
   * cancels a BLOCKING call, such as gemini-3.8-live), with or without a `toolCallCancellation`.
   */
  callsCancelledByInput: number;
  /** Answers to cancelled calls that were let through and ignored (never a close). */
  lateAnswers: number;
  /** `contextUpdate` messages that replaced the tools. */
  toolUpdates: number;
}

/** Emulator-wide totals. The object is live: read it at any time. */
export interface EmulatorStats {
  /** Connections accepted (after the WebSocket upgrade). */
  connections: number;
  /** Close codes seen, from either side, e.g. `{ 1008: 1, 1000: 2 }`. */
  closes: Record<number, number>;
  /** Connections the emulator closed with 1008. */
  violations1008: number;
  /** Sum of every connection's `graceTolerated`. */
  graceTolerated: number;
  /** Every client frame on every connection. */
  framesReceived: number;
}

/**
 * Something a connection did by the rules of the model in its setup, rather than by the script:
 * what the CLI prints and a test can watch (`LiveEmulatorOptions.onEvent`).
 */
export type EmulatorEvent =
  /** Input during a BLOCKING call cancelled it; `silent`: no `toolCallCancellation` was sent. */
  | { kind: 'callsCancelledByInput'; ids: string[]; silent: boolean }
  /** Answers to cancelled calls (ids, or names without ids) were let through and ignored. */
  | { kind: 'lateAnswers'; ids: string[] }
  /** A `contextUpdate` replaced the tools; the functions now declared. */
  | { kind: 'toolsReplaced'; functions: string[] };
