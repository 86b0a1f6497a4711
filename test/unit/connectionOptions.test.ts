import { describe, expect, it } from 'vitest';
import { createLiveSession, LiveSessionError } from '../../src/index.js';
import { InvalidOptionsError, type GenAIConstructor } from '../../src/protocol/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';

const live = { connect: () => Promise.reject(new Error('not used')) };
const ai = { live } as never;
const tokenProvider = () => 'auth_tokens/t';
const GoogleGenAI = class {
  live = live;
} as unknown as GenAIConstructor;

describe('how a session reaches the Live API', () => {
  it('refuses an API key client and a token provider together, at createLiveSession', () => {
    const both = () => createLiveSession({ ai, tokenProvider, GoogleGenAI, model: 'm' } as never);
    expect(both).toThrow(InvalidOptionsError);
    expect(both).toThrow(LiveSessionError);
    expect(both).toThrow(/`ai` \(a client holding the API key\) and `tokenProvider` \(ephemeral tokens\) exclude each other/);
  });

  it('refuses a transport beside either, and no way at all', () => {
    const transport = createScriptedTransport();
    expect(() => createLiveSession({ transport, ai } as never)).toThrow('`transport` excludes `ai`');
    expect(() => createLiveSession({ transport, tokenProvider } as never)).toThrow('`transport` excludes `tokenProvider`');
    expect(() => createLiveSession({} as never)).toThrow('createLiveSession needs `ai` (with an API key), `tokenProvider` (ephemeral tokens) or `transport`');
  });

  it('takes each way on its own', () => {
    expect(createLiveSession({ transport: createScriptedTransport() }).state).toBe('idle');
    expect(createLiveSession({ ai, model: 'm' }).state).toBe('idle');
    expect(createLiveSession({ tokenProvider, GoogleGenAI, model: 'm' }).state).toBe('idle');
  });

  it('the error carries the typed fields', () => {
    try {
      createLiveSession({ ai, tokenProvider, GoogleGenAI, model: 'm' } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS', retryable: false, name: 'InvalidOptionsError' });
    }
  });
});
