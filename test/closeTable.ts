import type { CloseKind } from '../src/protocol/index.js';

/**
 * The closes the real service was seen to send (docs/protocol.md), plus an unknown one, with what
 * each must mean: `[code, reason, kind, retryable]`.
 */
export const CLOSE_TABLE: [number, string, CloseKind, boolean][] = [
  [1008, 'Operation is not implemented, or supported, or enabled.', 'unsupportedOperation', false],
  [1007, 'Request contains an invalid argument.', 'invalidArgument', false],
  // Field reports: activity signals while the server's activity detection is on.
  [1007, 'Explicit activity control is not supported when automatic activity detection is enabled.', 'invalidArgument', false],
  [1011, 'Internal error encountered.', 'internal', true],
  [1011, 'The service is currently unavailable.', 'unavailable', true],
  [1008, 'Requested entity was not found', 'entityNotFound', false],
  [1008, 'BidiGenerateContent session not found', 'sessionNotFound', true],
  // A field report (a browser resuming on a `uses: 1` ephemeral token).
  [1011, 'Token has been used too many times', 'tokenExhausted', true],
  // Unverified: the emulator's choices for an expired token and an unknown key or token.
  [1008, 'Token has expired.', 'tokenExpired', true],
  [1007, 'API key not valid. Please pass a valid API key.', 'invalidCredentials', false],
  [4000, 'A close nobody has seen before', 'unknown', false],
];
