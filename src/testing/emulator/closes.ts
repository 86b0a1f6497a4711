/**
 * The closes the emulator sends, with the real service's codes and reason texts, verbatim
 * (docs/protocol.md).
 */

/** A close the emulator sends when it refuses a frame. */
export interface CloseSpec {
  readonly code: number;
  readonly reason: string;
}

/** The closes of the real service, verbatim. */
export const CLOSE_REASONS = {
  /** Realtime input while a tool call is pending. */
  toolCallPending: { code: 1008, reason: 'Operation is not implemented, or supported, or enabled.' },
  /** Malformed or out-of-order messages: second setup, `mediaChunks`, unknown call id, not JSON. */
  invalidArgument: { code: 1007, reason: 'Request contains an invalid argument.' },
  /** Setup asked to resume a handle the service does not know. */
  sessionNotFound: { code: 1008, reason: 'BidiGenerateContent session not found' },
  /** The service failed; the emulator uses it when a script throws. */
  internal: { code: 1011, reason: 'Internal error encountered.' },
  /** An ephemeral token whose uses are spent (a field report: a browser resuming on a `uses: 1` token). */
  tokenUsedUp: { code: 1011, reason: 'Token has been used too many times' },
  /** An expired ephemeral token, or one past its time for new sessions. Unverified: code and text are ours. */
  tokenExpired: { code: 1008, reason: 'Token has expired.' },
  /** A key or token the service does not know. The text was seen; the code is unverified. */
  invalidApiKey: { code: 1007, reason: 'API key not valid. Please pass a valid API key.' },
  /** The connection's age limit (a field report on 3.8: exactly 58:00, no goAway before it). */
  deadlineExpired: { code: 1011, reason: 'Deadline expired before operation could complete.' },
  /**
   * A resume while the socket that offered the handle is still open (a field report: 1011).
   * Unverified: the reason text is ours.
   */
  resumeWhileOpen: { code: 1011, reason: 'Internal error encountered.' },
} as const satisfies Record<string, CloseSpec>;

/** How the emulator ends a connection whose goAway deadline has passed. */
export const GO_AWAY_DEADLINE: CloseSpec = { code: 1001, reason: 'Session time limit reached.' };

/** A WebSocket close reason holds at most 123 bytes; the service's own texts are cut to fit too. */
export function fitReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : `${Buffer.from(reason).subarray(0, 120).toString()}...`;
}
