/**
 * The error hierarchy. Every error the session reports is a {@link LiveSessionError} with a
 * machine-readable `code`, a human-readable `reason`, whether retrying can help, and the `cause`
 * it came from where there is one.
 */
import { classifyClose, type CloseKind } from './closeCodes.js';

/** Every error code the library uses. */
export type LiveErrorCode =
  | 'SERVER_CLOSED'
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'TRANSPORT_ERROR'
  | 'SEND_FAILED'
  | 'MALFORMED_MESSAGE'
  | 'DUPLICATE_CALL_ID'
  | 'TOOL_CALL_LOST'
  | 'TOOL_THREW'
  | 'EXECUTOR_FAILED'
  | 'TOOL_TIMEOUT'
  | 'UNKNOWN_TOOL'
  | 'INVALID_ARGS'
  | 'INVALID_RESULT'
  | 'RESULT_TOO_LARGE'
  | 'SESSION_CLOSED'
  | 'LISTENER_THREW'
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
  | 'MODEL_REFUSES'
  | 'INTERNAL'
  | 'VAD_INVALID_OPTIONS'
  | 'VAD_UNAVAILABLE'
  | 'VAD_FAILED'
  | 'TOKEN_REFUSED'
  | 'TOKEN_PROVIDER_FAILED'
  | 'TOKEN_INVALID'
  | StoreErrorCode
  | TelephonyErrorCode;

/** Why the session store refused or failed an operation (see {@link StoreError}). */
export type StoreErrorCode = 'STORE_FENCED' | 'STORE_LEASE_HELD' | 'STORE_FAILED' | 'STORE_RECORD_INVALID' | 'STORE_INVALID_ARGUMENT';

/** What went wrong on a telephony media stream (see {@link TelephonyError}). */
export type TelephonyErrorCode = 'TELEPHONY_MALFORMED_MESSAGE' | 'TELEPHONY_UNSUPPORTED_FORMAT' | 'TELEPHONY_SEND_FAILED';

/** Base class of every error this library reports. */
export class LiveSessionError extends Error {
  /** A stable machine-readable code. */
  readonly code: LiveErrorCode;
  /** The human-readable reason, verbatim from the server where there is one. */
  readonly reason: string;
  /** Whether the same operation may succeed if tried again (on a new connection). */
  readonly retryable: boolean;

  constructor(code: LiveErrorCode, reason: string, retryable: boolean, options?: { cause?: unknown }) {
    super(`${code}: ${reason}`, options);
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.retryable = retryable;
  }
}

/** The server or the network closed the connection. Build one with `closeError()`. */
export class ConnectionClosedError extends LiveSessionError {
  /** The WebSocket close code (1006 for a drop with no close frame). */
  readonly closeCode: number;
  /** What the close means, from the table in `closeCodes.ts`. */
  readonly kind: CloseKind;

  constructor(closeCode: number, reason: string, retryable: boolean, kind: CloseKind, options?: { cause?: unknown }) {
    super('SERVER_CLOSED', reason || `closed with code ${closeCode}`, retryable, options);
    this.closeCode = closeCode;
    this.kind = kind;
  }
}

/**
 * Opening the connection failed, or setup did not complete in time. Retryable, but for a refusal
 * of the credentials (`retryable: false`): trying again with the same ones cannot help.
 */
export class ConnectError extends LiveSessionError {
  constructor(code: 'CONNECT_FAILED' | 'CONNECT_TIMEOUT', reason: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(code, reason, options?.retryable ?? true, options);
  }
}

/** The transport reported an error, or a frame could not be sent. */
export class TransportError extends LiveSessionError {
  constructor(code: 'TRANSPORT_ERROR' | 'SEND_FAILED', reason: string, options?: { cause?: unknown }) {
    super(code, reason, true, options);
  }
}

/** The server sent something the session cannot use; the session ignores it and goes on. */
export class ProtocolError extends LiveSessionError {
  /** The offending message, as received. */
  readonly received: unknown;

  constructor(code: 'MALFORMED_MESSAGE' | 'DUPLICATE_CALL_ID', reason: string, received: unknown, options?: { cause?: unknown }) {
    super(code, reason, false, options);
    this.received = received;
  }
}

/**
/**
 * A toolCall came from a connection the session had already left: nobody can answer it there.
 * The session reports it (and the `toolCallsLost` event lists the calls) instead of ignoring it.
 */
export class ToolCallLostError extends LiveSessionError {
  /** The connection (generation) the calls came on. */
  readonly generation: number;
  /** The names of the calls. */
  readonly toolNames: string[];

  constructor(generation: number, toolNames: string[]) {
    super('TOOL_CALL_LOST', `a toolCall (${toolNames.join(', ')}) arrived on connection ${generation}, which is gone`, false);
    this.generation = generation;
    this.toolNames = toolNames;
  }
}

/**
 * Why a tool call got an error response: the tool threw, timed out or is unknown; its arguments
 * did not fit its schema; its result is not JSON or does not fit its result schema; or its
 * result is over the size limit (`maxResultBytes`).
 */
export type ToolErrorCode =
  | 'TOOL_THREW'
  | 'TOOL_TIMEOUT'
  | 'UNKNOWN_TOOL'
  | 'INVALID_ARGS'
  | 'INVALID_RESULT'
  | 'RESULT_TOO_LARGE'
  | 'EXECUTOR_FAILED';

/** A tool call could not be answered with a result; the model got an error response instead. */
export class ToolError extends LiveSessionError {
  /** The function name the model called. */
  readonly toolName: string;
  /** The call id, when the server gave one. */
  readonly callId: string | undefined;

  constructor(
    code: ToolErrorCode,
    reason: string,
    call: { name: string; id?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(code, reason, false, options);
    this.toolName = call.name;
    this.callId = call.id;
  }
}

/** Something was asked of a session that is already closed. */
export class SessionClosedError extends LiveSessionError {
  constructor(what: string) {
    super('SESSION_CLOSED', `${what} after the session closed`, false);
  }
}

/** An application listener threw; the session caught it and went on. */
export class ListenerError extends LiveSessionError {
  /** The event whose listener threw. */
  readonly eventType: string;

  constructor(eventType: string, cause: unknown) {
    super('LISTENER_THREW', `a listener for '${eventType}' threw: ${describe(cause)}`, false, { cause });
    this.eventType = eventType;
  }
}

/**
 * An ephemeral token could not open a connection: the server refused a fresh one too
 * (`TOKEN_REFUSED`, not retryable), the application's `tokenProvider` failed (`TOKEN_PROVIDER_FAILED`,
 * retryable: the session tries again like any failed connection), or it returned something that
 * is not an ephemeral token (`TOKEN_INVALID`). The token itself never appears in it.
 */
export class TokenError extends LiveSessionError {
  constructor(code: 'TOKEN_REFUSED' | 'TOKEN_PROVIDER_FAILED' | 'TOKEN_INVALID', reason: string, retryable: boolean) {
    super(code, reason, retryable);
  }
}

/**
 * Voice activity detection went wrong: options out of range (`VAD_INVALID_OPTIONS`), a detector
 * that could not be loaded (`VAD_UNAVAILABLE`: its optional package is not installed, or its
 * WebAssembly or model could not be fetched), or one that failed on a frame (`VAD_FAILED`).
 */
export class VadError extends LiveSessionError {
  /** The detector's name, or the part (`segmenter`, `preRoll`, `activity`) whose options were wrong. */
  readonly source: string;

  constructor(code: 'VAD_INVALID_OPTIONS' | 'VAD_UNAVAILABLE' | 'VAD_FAILED', source: string, reason: string, options?: { cause?: unknown }) {
    super(code, `${source}: ${reason}`, false, options);
    this.source = source;
  }
}

/** The application handed over a value the session cannot use; it was dropped, never sent. */
export class InvalidInputError extends LiveSessionError {
  /** What was called: `sendAudio`, `attachMic`, … */
  readonly operation: string;

  constructor(operation: string, reason: string) {
    super('INVALID_INPUT', `${operation}: ${reason}`, false);
    this.operation = operation;
  }
}

/** `createLiveSession` was given options it cannot run with; thrown when the session is created. */
export class InvalidOptionsError extends LiveSessionError {
  constructor(reason: string) {
    super('INVALID_OPTIONS', reason, false);
  }
}

/**
 * The model would refuse this setup: a field it does not take, a tool behaviour it does not run,
 * tools or instructions it has none of. Raised by `connect()` before any socket opens, instead of
 * the close the service would answer with.
 */
export class ModelRefusalError extends LiveSessionError {
  /** The model, as the session was given it. */
  readonly model: string;
  /** What it refuses: a config path (`proactivity.proactiveAudio`), or `tools`, or `tools.<name>.behavior`. */
  readonly field: string;

  constructor(model: string, field: string, why: string) {
    super('MODEL_REFUSES', `${model} refuses ${field}: ${why}`, false);
    this.model = model;
    this.field = field;
  }
}

/**
 * A defect inside the session (a child actor or the machine failed). Reported, never silent: the
 * session goes on where it can, or closes with this as the reason.
 */
export class InternalError extends LiveSessionError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('INTERNAL', reason, false, options);
  }
}

/** Who holds a session's lease, as a store reports it in a {@link StoreError}. */
export interface LeaseHolder {
  ownerId: string;
  fence: number;
  /** When the holder's lease runs out, in ms since the epoch (the store's clock). */
  expiresAt: number;
}

/**
 * A session store refused or failed an operation:
 * - `STORE_FENCED`: the lease is no longer the session's current one (another process took the
 *   session over, or the lease was released, or the record expired). Nothing was written. Not
 *   retryable: the holder of this lease must stop driving the session.
 * - `STORE_LEASE_HELD`: another owner holds a live lease; `holder` says who and until when.
 *   Retryable (after it runs out), or acquire with `takeOver`.
 * - `STORE_FAILED`: the backend failed (a lost connection, a timeout). Retryable.
 * - `STORE_RECORD_INVALID`: the stored record cannot be read (a newer format, or corrupt data).
 * - `STORE_INVALID_ARGUMENT`: the caller handed over something the store cannot keep.
 */
export class StoreError extends LiveSessionError {
  /** The session the operation was about, when there is one. */
  readonly sessionId: string | undefined;
  /** The current holder, for `STORE_LEASE_HELD` and, when known, `STORE_FENCED`. */
  readonly holder: LeaseHolder | undefined;

  constructor(code: StoreErrorCode, reason: string, options: { sessionId?: string; holder?: LeaseHolder; cause?: unknown } = {}) {
    super(code, reason, code === 'STORE_FAILED' || code === 'STORE_LEASE_HELD', options.cause === undefined ? undefined : { cause: options.cause });
    this.sessionId = options.sessionId;
    this.holder = options.holder;
  }
}

/**
 * A telephony media stream went wrong: the provider sent a message that cannot be read
 * (`TELEPHONY_MALFORMED_MESSAGE`, ignored, the call goes on), a media format other than μ-law
 * 8 kHz mono (`TELEPHONY_UNSUPPORTED_FORMAT`, the call's audio is not forwarded), or a message
 * could not be sent on the socket (`TELEPHONY_SEND_FAILED`).
 */
export class TelephonyError extends LiveSessionError {
  /** The offending message, as received, when there is one. */
  readonly received: unknown;

  constructor(code: TelephonyErrorCode, reason: string, options: { received?: unknown; cause?: unknown } = {}) {
    super(code, reason, false, options.cause === undefined ? undefined : { cause: options.cause });
    this.received = options.received;
  }
}

/** A short description of any thrown value. Never throws, whatever the value. */
export function describe(value: unknown): string {
  try {
    if (value instanceof Error) return value.message || value.name;
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      // An object whose toString and Symbol.toPrimitive throw, or a revoked proxy.
      return `an unprintable ${typeof value}`;
    }
  }
}

/**
 * The typed error for a close, carrying its code and reason verbatim, and what caused it (the
 * transport's own error, when it reported one before the close).
 */
export function closeError(code: number, reason: string, cause?: unknown): ConnectionClosedError {
  const { kind, retryable } = classifyClose(code, reason, cause);
  return new ConnectionClosedError(code, reason, retryable, kind, cause === undefined ? undefined : { cause });
}
