import { describe, expect, it } from 'vitest';
import { classifyClose, closeError, ConnectionClosedError, LiveSessionError } from '../../src/index.js';

describe('classifyClose', () => {
  it.each([
    [1008, 'Operation is not implemented, or supported, or enabled.', 'unsupportedOperation', false],
    [1007, 'Request contains an invalid argument.', 'invalidArgument', false],
    [1011, 'Internal error encountered.', 'internal', true],
    [1011, 'The service is currently unavailable.', 'unavailable', true],
    [1008, 'Requested entity was not found', 'entityNotFound', false],
    [1008, 'BidiGenerateContent session not found', 'sessionNotFound', true],
    [1006, '', 'abnormal', true],
    [1000, '', 'normal', true],
    [4003, 'Something new', 'unknown', false],
    [1008, 'A policy we never saw', 'unknown', false],
  ] as const)('%i %s → %s, retryable %s', (code, reason, kind, retryable) => {
    expect(classifyClose(code, reason)).toEqual({ kind, retryable });
  });

  it('builds a typed error with the code and reason verbatim', () => {
    const error = closeError(4003, 'Something new');
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toBeInstanceOf(LiveSessionError);
    expect(error).toMatchObject({ code: 'SERVER_CLOSED', closeCode: 4003, reason: 'Something new', retryable: false });
    expect(closeError(1006, '').reason).toBe('closed with code 1006');
  });
});
