import { describe, expect, it } from 'vitest';
import { redactedError, redactSecrets } from '../../src/protocol/redact.js';

const KEY = 'AIzaSyA1234567890abcdefghijklmnopqrstuv';

describe('redactSecrets', () => {
  it.each([
    ['wss://h//ws/x.BidiGenerateContent?key=secret-key', 'wss://h//ws/x.BidiGenerateContent?key=[redacted]'],
    ['wss://h/x?alt=1&key=k&v=2', 'wss://h/x?alt=1&key=[redacted]&v=2'],
    ['wss://h/x.BidiGenerateContentConstrained?access_token=auth_tokens/abc-DEF_1', 'wss://h/x.BidiGenerateContentConstrained?access_token=[redacted]'],
    ["failed to open 'ws://h/x?access_token=auth_tokens/abc'", "failed to open 'ws://h/x?access_token=[redacted]'"],
    ['token auth_tokens/abc.def was refused', 'token auth_tokens/[redacted] was refused'],
    [`the key ${KEY} is wrong`, 'the key [redacted] is wrong'],
    ['nothing secret here: 1008 policy', 'nothing secret here: 1008 policy'],
  ])('%s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('takes out the exact secrets it is given, wherever they stand', () => {
    expect(redactSecrets('a my-own-secret b my-own-secret', ['my-own-secret'])).toBe('a [redacted] b [redacted]');
    expect(redactSecrets('nothing', [''])).toBe('nothing');
  });

  it('is idempotent', () => {
    const once = redactSecrets(`x?key=${KEY}&access_token=auth_tokens/t auth_tokens/u`);
    expect(redactSecrets(once)).toBe(once);
  });
});

describe('redactedError', () => {
  it('keeps the redacted message and the name, and drops everything else (a socket URL in an event)', () => {
    const event = { message: 'Unexpected server response: 401', target: { url: 'ws://h/x?access_token=auth_tokens/secret' } };
    const error = redactedError(event);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Unexpected server response: 401');
    expect(JSON.stringify(Object.getOwnPropertyDescriptors(error))).not.toContain('auth_tokens/secret');
    expect(error.cause).toBeUndefined();

    const typed = redactedError(new TypeError(`bad key=${KEY}`));
    expect(typed).toMatchObject({ name: 'TypeError', message: 'bad key=[redacted]' });
  });

  it('describes events, nested errors, strings and anything else', () => {
    expect(redactedError({ error: new Error('inner auth_tokens/x') }).message).toBe('inner auth_tokens/[redacted]');
    expect(redactedError('plain').message).toBe('plain');
    expect(redactedError({}).message).toBe('WebSocket error');
    expect(redactedError({ message: '' }).message).toBe('');
    expect(redactedError(undefined).message).toBe('WebSocket error');
    expect(redactedError(new Error('')).message).toBe('Error');
  });
});
