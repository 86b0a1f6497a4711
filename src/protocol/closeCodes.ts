/**
 * The Live API's WebSocket closes, classified: which ones a new connection can mend.
 */

/** What a close code and reason mean for the session. */
export type CloseKind =
  | 'normal'
  | 'goingAway'
  | 'abnormal'
  | 'invalidArgument'
  | 'unsupportedOperation'
  | 'entityNotFound'
  | 'sessionNotFound'
  | 'internal'
  | 'unavailable'
  /** The service cut the connection at its time limit (`1011 Deadline expired…`): resumable. */
  | 'deadlineExpired'
  /** The upgrade was refused with HTTP 401 or 403: the credentials. */
  | 'unauthenticated'
  /** The ephemeral token has been used as many times as it may (a fresh token mends it). */
  | 'tokenExhausted'
  /** The ephemeral token has expired (a fresh token mends it). */
  | 'tokenExpired'
  /** The API key or token is not one the service knows. */
  | 'invalidCredentials'
  | 'unknown';

interface CloseRule {
  code: number;
  /** Matched against the reason, case-insensitively; absent matches any reason. */
  reason?: RegExp;
  kind: CloseKind;
  retryable: boolean;
}

// Reasons seen from the real service (docs/protocol.md) first, then the generic WebSocket codes.
// Token refusals (docs/browser.md): `1011 Token has been used too many times` is a field report
// (a browser client resuming on a `uses: 1` token); the expiry close and the code of the invalid
// key close are unverified choices the emulator makes, matched here by reason on any code.
const RULES: readonly CloseRule[] = [
  { code: 1011, reason: /token has been used too many times/i, kind: 'tokenExhausted', retryable: true },
  ...[1007, 1008, 1011].flatMap((code): CloseRule[] => [
    { code, reason: /token (has )?expired|expired token/i, kind: 'tokenExpired', retryable: true },
    { code, reason: /api key not valid/i, kind: 'invalidCredentials', retryable: false },
  ]),
  { code: 1008, reason: /operation is not implemented/i, kind: 'unsupportedOperation', retryable: false },
  { code: 1008, reason: /session not found/i, kind: 'sessionNotFound', retryable: true },
  { code: 1008, reason: /requested entity was not found/i, kind: 'entityNotFound', retryable: false },
  { code: 1007, kind: 'invalidArgument', retryable: false },
  { code: 1011, reason: /unavailable/i, kind: 'unavailable', retryable: true },
  // A field report (3.8): connections cut at 58:00 with this text; the session resumes.
  { code: 1011, reason: /deadline expired/i, kind: 'deadlineExpired', retryable: true },
  { code: 1011, kind: 'internal', retryable: true },
  { code: 1000, kind: 'normal', retryable: true },
  { code: 1001, kind: 'goingAway', retryable: true },
  { code: 1005, kind: 'normal', retryable: true },
  { code: 1006, kind: 'abnormal', retryable: true },
  { code: 1012, kind: 'unavailable', retryable: true },
  { code: 1013, kind: 'unavailable', retryable: true },
  { code: 1014, kind: 'unavailable', retryable: true },
];

/** A close, classified. */
export interface CloseClassification {
  kind: CloseKind;
  retryable: boolean;
}

/**
 * An upgrade the server refused for its credentials: `ws` reports `Unexpected server response:
 * 401` (or 403) as an error before the 1006 close.
 */
const AUTH_REFUSED = /\b(?:unexpected server response|status code)\D{0,4}(?:401|403)\b/i;

/** The message of a thrown value, if it has one. */
function messageOf(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'object' && cause !== null && 'message' in cause && typeof cause.message === 'string') return cause.message;
  return typeof cause === 'string' ? cause : '';
}

/** Whether a transport error says the server refused the credentials (HTTP 401 or 403). */
export function isAuthRefusal(cause: unknown): boolean {
  return AUTH_REFUSED.test(messageOf(cause));
}

/**
 * Classifies a WebSocket close, with the transport error that came before it, if any. Anything
 * not in the table is `unknown` and not retryable: a blind retry of a close we do not understand
 * could loop against a server that refuses us. So is a refusal of the credentials.
 */
export function classifyClose(code: number, reason: string, cause?: unknown): CloseClassification {
  if (code === 1006 && isAuthRefusal(cause)) return { kind: 'unauthenticated', retryable: false };
  const rule = RULES.find((r) => r.code === code && (!r.reason || r.reason.test(reason)));
  return rule ? { kind: rule.kind, retryable: rule.retryable } : { kind: 'unknown', retryable: false };
}
