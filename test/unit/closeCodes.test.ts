import { describe, expect, it } from 'vitest';
import { CLOSE_TABLE } from '../closeTable.js';
import { classifyClose, closeError, ConnectionClosedError } from '../../src/protocol/index.js';
import { LiveSessionError } from '../../src/index.js';

describe('classifyClose', () => {
  it.each([
    ...CLOSE_TABLE,
    [1006, '', 'abnormal', true],
    [1000, '', 'normal', true],
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
