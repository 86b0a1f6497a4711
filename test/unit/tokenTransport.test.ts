/**
 * The token transport's edges with a stand-in for the SDK: how each SDK version reports a refusal
 * (a close frame, an upgrade answered 401 followed by 1006, or a rejection first), what reaches the
 * session from an attempt that was given up, and the options it refuses. The real SDK runs it in
 * test/e2e/tokens.test.ts.
 */
import type { LiveConnectParameters, Session } from '@google/genai';
import { describe, expect, it, vi } from 'vitest';
import { createTokenTransport, type GenAIConstructor, type TokenTransportOptions } from '../../src/adapters/tokenTransport.js';
import { InvalidOptionsError, TokenError, type TransportHandlers } from '../../src/protocol/index.js';

interface Attempt {
  token: string;
  params: LiveConnectParameters;
  open(): void;
  fail(error: unknown): void;
}

/** A stand-in SDK: each `live.connect` becomes an attempt the test settles. */
function fakeSdk() {
  const attempts: Attempt[] = [];
  const waiting: ((attempt: Attempt) => void)[] = [];
  const closed: string[] = [];
  const clientForToken = (token: string) => ({
    live: {
      connect: (params: LiveConnectParameters) =>
        new Promise<Session>((resolve, reject) => {
          const attempt: Attempt = {
            token,
            params,
            open: () => resolve({ sendRealtimeInput: () => undefined, close: () => closed.push(token) } as unknown as Session),
            fail: reject,
          };
          attempts.push(attempt);
          waiting.shift()?.(attempt);
        }),
    },
  });
  const next = (): Promise<Attempt> => new Promise((resolve) => waiting.push(resolve));
  return { attempts, closed, next, clientForToken: clientForToken as unknown as TokenTransportOptions['clientForToken'] };
}

function recorder() {
  const log: unknown[] = [];
  const handlers: TransportHandlers = {
    onMessage: (message) => log.push(['message', message]),
    onClose: (code, reason) => log.push(['close', code, reason]),
    onError: (error) => log.push(['error', (error as Error).message]),
  };
  return { log, handlers };
}

const request = (handlers: TransportHandlers) => ({ functionDeclarations: [], sessionResumption: true, resumptionHandle: undefined, handlers });

function tokens(...names: string[]) {
  let index = 0;
  return () => `auth_tokens/${names[Math.min(index++, names.length - 1)]}`;
}

describe('createTokenTransport', () => {
  it('builds one client per token with the SDK class, on v1alpha by default', async () => {
    const made: unknown[] = [];
    class Fake {
      live = { connect: async () => ({ close: () => undefined }) as unknown as Session };
      constructor(options: unknown) {
        made.push(options);
      }
    }
    const FakeGenAI = Fake as unknown as GenAIConstructor;
    const transport = createTokenTransport({ tokenProvider: tokens('a', 'b'), GoogleGenAI: FakeGenAI, httpOptions: { baseUrl: 'http://x' }, model: 'm' });
    await transport.connect(request(recorder().handlers));
    await transport.connect(request(recorder().handlers));
    expect(made).toEqual([
      { apiKey: 'auth_tokens/a', httpOptions: { apiVersion: 'v1alpha', baseUrl: 'http://x' } },
      { apiKey: 'auth_tokens/b', httpOptions: { apiVersion: 'v1alpha', baseUrl: 'http://x' } },
    ]);
    const pinned = createTokenTransport({ tokenProvider: tokens('c'), GoogleGenAI: FakeGenAI, httpOptions: { apiVersion: 'v2' }, model: 'm' });
    await pinned.connect(request(recorder().handlers));
    expect(made[2]).toEqual({ apiKey: 'auth_tokens/c', httpOptions: { apiVersion: 'v2' } });
  });

  it('takes a token object ({ name }) as the server handler answers it', async () => {
    const sdk = fakeSdk();
    const transport = createTokenTransport({ tokenProvider: async () => ({ name: 'auth_tokens/obj', uses: 4 }) as never, clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(recorder().handlers));
    (await sdk.next()).open();
    await connecting;
    expect(sdk.attempts.map((a) => a.token)).toEqual(['auth_tokens/obj']);
  });

  it.each([
    [undefined, 'no token'],
    [{}, 'no token'],
    [{ name: 'auth_tokens/' }, 'a string'],
    ['sk-not-a-token', 'a string'],
  ])('refuses %j from the provider without echoing it', async (value, what) => {
    const sdk = fakeSdk();
    const transport = createTokenTransport({ tokenProvider: () => value as never, clientForToken: sdk.clientForToken, model: 'm' });
    const error = await transport.connect(request(recorder().handlers)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'TOKEN_INVALID', retryable: false });
    expect((error as TokenError).reason).toBe(`the token provider returned ${what} that is not an ephemeral token (auth_tokens/…)`);
    expect(sdk.attempts).toHaveLength(0);
  });

  it('a provider failure is retryable and its message is redacted', async () => {
    const transport = createTokenTransport({
      tokenProvider: () => Promise.reject(new Error('GET /token?key=AIzaSyA1234567890abcdefghijklmnopqrstuv gave auth_tokens/old')),
      clientForToken: fakeSdk().clientForToken,
      model: 'm',
    });
    const error = await transport.connect(request(recorder().handlers)).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TOKEN_PROVIDER_FAILED',
      retryable: true,
      reason: 'the token provider failed: GET /token?key=[redacted] gave auth_tokens/[redacted]',
    });
  });

  it('a close frame refusing the token before setup: a fresh token, and the session never hears of it', async () => {
    const sdk = fakeSdk();
    const { log, handlers } = recorder();
    const transport = createTokenTransport({ tokenProvider: tokens('spent', 'fresh'), clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(handlers));
    const first = await sdk.next();
    first.params.callbacks.onclose?.({ code: 1011, reason: 'Token has been used too many times' } as CloseEvent);
    // @google/genai 3.x rejects after the close; 2.x never settles. Either way it is ignored.
    first.fail(new Error('Live connection closed before setup completed (code 1011): Token has been used too many times'));
    const second = await sdk.next();
    second.params.callbacks.onmessage({ setupComplete: {} } as never);
    second.open();
    await connecting;
    expect(sdk.attempts.map((a) => a.token)).toEqual(['auth_tokens/spent', 'auth_tokens/fresh']);
    expect(log).toEqual([['message', { setupComplete: {} }]]);
  });

  it('an upgrade answered 401: detected from the error, whether the close (2.x) or the rejection (3.x) comes next', async () => {
    for (const sdkVersion of ['2.x', '3.x']) {
      const sdk = fakeSdk();
      const { log, handlers } = recorder();
      const transport = createTokenTransport({ tokenProvider: tokens('spent', 'fresh'), clientForToken: sdk.clientForToken, model: 'm' });
      const connecting = transport.connect(request(handlers));
      const first = await sdk.next();
      first.params.callbacks.onerror?.({ message: 'Unexpected server response: 401', target: { url: 'ws://h?access_token=auth_tokens/spent' } } as never);
      if (sdkVersion === '3.x') first.fail(new Error('Live connection failed before setup completed: Unexpected server response: 401'));
      first.params.callbacks.onclose?.({ code: 1006, reason: '' } as CloseEvent);
      const second = await sdk.next();
      second.open();
      await connecting;
      // Nothing of the refused attempt reaches the session: not its error, not its close.
      expect(log, sdkVersion).toEqual([]);
    }
  });

  it('two refusals in a row fail with TOKEN_REFUSED, not retryable', async () => {
    const sdk = fakeSdk();
    const transport = createTokenTransport({ tokenProvider: tokens('a', 'b', 'c'), clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(recorder().handlers)).catch((e: unknown) => e);
    for (let i = 0; i < 2; i += 1) (await sdk.next()).params.callbacks.onclose?.({ code: 1008, reason: 'Token has expired.' } as CloseEvent);
    const error = await connecting;
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'TOKEN_REFUSED', retryable: false, reason: 'the service refused a fresh token too (1008 Token has expired.)' });
    expect(sdk.attempts).toHaveLength(2);
  });

  it('any other close before setup reaches the session, after the errors held back, redacted', async () => {
    const sdk = fakeSdk();
    const { log, handlers } = recorder();
    const transport = createTokenTransport({ tokenProvider: tokens('t'), clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(handlers)).catch((e: unknown) => e);
    const attempt = await sdk.next();
    attempt.params.callbacks.onerror?.({ message: 'socket hiccup at ws://h?access_token=auth_tokens/t' } as never);
    expect(log).toEqual([]);
    attempt.params.callbacks.onclose?.({ code: 1011, reason: 'Internal error encountered.' } as CloseEvent);
    expect(log).toEqual([
      ['error', 'socket hiccup at ws://h?access_token=[redacted]'],
      ['close', 1011, 'Internal error encountered.'],
    ]);
    attempt.fail(new Error('closed before setup completed (code 1011)'));
    expect(await connecting).toMatchObject({ message: 'closed before setup completed (code 1011)' });
    expect(sdk.attempts).toHaveLength(1);
  });

  it('errors held back while opening are released once open, and later ones pass at once', async () => {
    const sdk = fakeSdk();
    const { log, handlers } = recorder();
    const transport = createTokenTransport({ tokenProvider: tokens('t'), clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(handlers));
    const attempt = await sdk.next();
    attempt.params.callbacks.onerror?.({ message: 'early' } as never);
    attempt.open();
    await connecting;
    attempt.params.callbacks.onerror?.({ message: 'late' } as never);
    attempt.params.callbacks.onclose?.({ code: 1008, reason: 'Token has expired.' } as CloseEvent);
    // After setup an expiry close is the session's to handle (it reconnects with a fresh token).
    expect(log).toEqual([['error', 'early'], ['error', 'late'], ['close', 1008, 'Token has expired.']]);
  });

  it('a connection that opens after its attempt was given up is closed', async () => {
    const sdk = fakeSdk();
    const transport = createTokenTransport({ tokenProvider: tokens('slow', 'fresh'), clientForToken: sdk.clientForToken, model: 'm' });
    const connecting = transport.connect(request(recorder().handlers));
    const slow = await sdk.next();
    slow.params.callbacks.onclose?.({ code: 1011, reason: 'Token has been used too many times' } as CloseEvent);
    const fresh = await sdk.next();
    slow.open();
    fresh.open();
    await connecting;
    await vi.waitFor(() => expect(sdk.closed).toEqual(['auth_tokens/slow']));
  });

  it.each([
    [{ tokenProvider: tokens('a'), model: 'm' }, '`tokenProvider` needs `GoogleGenAI` (the SDK class) or `clientForToken` to connect with'],
    [{ tokenProvider: tokens('a'), model: 'm', GoogleGenAI: class {}, clientForToken: () => ({}) }, 'pass `GoogleGenAI` or `clientForToken`, not both'],
    [{ tokenProvider: 'auth_tokens/a', model: 'm', clientForToken: () => ({}) }, '`tokenProvider` must be a function that returns a token'],
    [{ tokenProvider: tokens('a'), clientForToken: () => ({}) }, '`tokenProvider` needs `model`'],
  ])('refuses options that cannot work: %#', (options, reason) => {
    expect(() => createTokenTransport(options as never)).toThrow(InvalidOptionsError);
    expect(() => createTokenTransport(options as never)).toThrow(reason);
  });
});
