import type { CloseKind } from '../src/protocol/index.js';

/**
 * The closes the real service was seen to send (docs/protocol.md), plus an unknown one, with what
 * each must mean: `[code, reason, kind, retryable]`.
 */
export const CLOSE_TABLE: [number, string, CloseKind, boolean][] = [
  [1008, 'Operation is not implemented, or supported, or enabled.', 'unsupportedOperation', false],
  [1007, 'Request contains an invalid argument.', 'invalidArgument', false],
  [1011, 'Internal error encountered.', 'internal', true],
  [1011, 'The service is currently unavailable.', 'unavailable', true],
  [1008, 'Requested entity was not found', 'entityNotFound', false],
  [1008, 'BidiGenerateContent session not found', 'sessionNotFound', true],
  [4000, 'A close nobody has seen before', 'unknown', false],
];
