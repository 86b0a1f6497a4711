import { classifyClose, type CloseKind } from './closeCodes.js';

/**
 * The error hierarchy. Every error the session reports is a {@link LiveSessionError} with a
 * machine-readable `code`, a human-readable `reason` and whether retrying can help.
 */

/** Every error code the library uses. */
export type LiveErrorCode =
  | 'SERVER_CLOSED'
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'TRANSPORT_ERROR'
  | 'SEND_FAILED'
  | 'MALFORMED_MESSAGE'
  | 'DUPLICATE_CALL_ID'
  | 'TOOL_THREW'
  | 'TOOL_TIMEOUT'
  | 'UNKNOWN_TOOL'
  | 'INVALID_ARGS'
  | 'INVALID_RESULT'
  | 'SESSION_CLOSED'
  | 'LISTENER_THREW'
  | 'TOKEN_REFUSED'
  | 'TOKEN_PROVIDER_FAILED'
  | 'TOKEN_INVALID'
  | 'INVALID_OPTIONS';

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

  constructor(closeCode: number, reason: string, retryable: boolean, kind: CloseKind) {
    super('SERVER_CLOSED', reason || `closed with code ${closeCode}`, retryable);
    this.closeCode = closeCode;
    this.kind = kind;
  }
}

/** Opening the connection failed, or setup did not complete in time. */
export class ConnectError extends LiveSessionError {
  constructor(code: 'CONNECT_FAILED' | 'CONNECT_TIMEOUT', reason: string, options?: { cause?: unknown }) {
    super(code, reason, true, options);
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

  constructor(code: 'MALFORMED_MESSAGE' | 'DUPLICATE_CALL_ID', reason: string, received: unknown) {
    super(code, reason, false);
    this.received = received;
  }
}

/** A tool call could not be answered with a result; the model got an error response instead. */
export class ToolError extends LiveSessionError {
  /** The function name the model called. */
  readonly toolName: string;
  /** The call id, when the server gave one. */
  readonly callId: string | undefined;

  constructor(
    code: 'TOOL_THREW' | 'TOOL_TIMEOUT' | 'UNKNOWN_TOOL' | 'INVALID_ARGS' | 'INVALID_RESULT',
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

/** Options that cannot work together, or a value no option takes. Thrown where the options are given. */
export class OptionsError extends LiveSessionError {
  constructor(reason: string) {
    super('INVALID_OPTIONS', reason, false);
  }
}

/** A short description of any thrown value. */
export function describe(value: unknown): string {
  if (value instanceof Error) return value.message || value.name;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The typed error for a close, carrying its code and reason verbatim. */
export function closeError(code: number, reason: string): ConnectionClosedError {
  const { kind, retryable } = classifyClose(code, reason);
  return new ConnectionClosedError(code, reason, retryable, kind);
}
