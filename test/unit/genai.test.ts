import type { LiveConnectParameters, Session } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { connectConfig, createGenAITransport, toSdkInput } from '../../src/adapters/genai.js';
import type { TransportHandlers } from '../../src/protocol/index.js';

/** A stand-in for `ai.live` that records what the adapter asks of the SDK. */
function fakeAi(options: { socket?: boolean } = {}) {
  const sent: unknown[] = [];
  let params: LiveConnectParameters | undefined;
  const ai = {
    live: {
      connect: async (p: LiveConnectParameters) => {
        params = p;
        return {
          sendRealtimeInput: (x: unknown) => sent.push(['realtimeInput', x]),
          sendToolResponse: (x: unknown) => sent.push(['toolResponse', x]),
          close: () => sent.push(['close']),
          ...(options.socket ? { conn: { send: (text: string) => sent.push(['socket', text]) } } : {}),
        } as unknown as Session;
      },
    },
  };
  return { ai: ai as never, sent, params: () => params };
}

const handlers = (log: unknown[]): TransportHandlers => ({
  onMessage: (m) => log.push(['message', m]),
  onClose: (code, reason) => log.push(['close', code, reason]),
  onError: (e) => log.push(['error', e instanceof Error ? e.message : e]),
});

describe('createGenAITransport', () => {
  it('connects with the model, the config plus tool declarations, and maps sends', async () => {
    const fake = fakeAi();
    const transport = createGenAITransport({ ai: fake.ai, model: 'm', config: { responseModalities: ['AUDIO' as never] } });
    const log: unknown[] = [];
    const connection = await transport.connect({
      functionDeclarations: [{ name: 'f' }],
      sessionResumption: true,
      resumptionHandle: 'h1',
      handlers: handlers(log),
    });
    expect(fake.params()?.model).toBe('m');
    expect(fake.params()?.config).toEqual({
      responseModalities: ['AUDIO'],
      tools: [{ functionDeclarations: [{ name: 'f' }] }],
      sessionResumption: { handle: 'h1' },
    });

    connection.sendRealtimeInput({ kind: 'audio', data: new Uint8Array([0, 1]), mimeType: 'audio/pcm;rate=16000' });
    connection.sendToolResponse([{ id: '1', name: 'f', response: { output: 1 } }]);
    connection.close();
    expect(fake.sent).toEqual([
      ['realtimeInput', { audio: { data: 'AAE=', mimeType: 'audio/pcm;rate=16000' } }],
      ['toolResponse', { functionResponses: [{ id: '1', name: 'f', response: { output: 1 } }] }],
      ['close'],
    ]);
  });

  it('sends a 16 kHz PCM frame as prepared text on the SDK socket, or through the SDK without one', async () => {
    const request = { functionDeclarations: [], sessionResumption: false, resumptionHandle: undefined, handlers: handlers([]) };
    const pcm = new Uint8Array([0, 1]);
    const withSocket = fakeAi({ socket: true });
    const viaSocket = await createGenAITransport({ ai: withSocket.ai, model: 'm' }).connect(request);
    viaSocket.sendAudioFrame?.(pcm);
    viaSocket.sendRealtimeInput({ kind: 'audio', data: pcm, mimeType: 'audio/pcm;rate=16000' });
    const text = JSON.stringify({ realtimeInput: { audio: { data: 'AAE=', mimeType: 'audio/pcm;rate=16000' } } });
    expect(withSocket.sent).toEqual([
      ['socket', text],
      ['socket', text],
    ]);

    const without = fakeAi();
    const viaSdk = await createGenAITransport({ ai: without.ai, model: 'm' }).connect(request);
    viaSdk.sendAudioFrame?.(pcm);
    expect(without.sent).toEqual([['realtimeInput', { audio: { data: 'AAE=', mimeType: 'audio/pcm;rate=16000' } }]]);
  });

  it('wraps the SDK callbacks so that nothing thrown escapes them', async () => {
    const fake = fakeAi();
    const log: unknown[] = [];
    await createGenAITransport({ ai: fake.ai, model: 'm' }).connect({
      functionDeclarations: [],
      sessionResumption: false,
      resumptionHandle: undefined,
      handlers: {
        ...handlers(log),
        onMessage: () => {
          throw new Error('handler bug');
        },
      },
    });
    const callbacks = fake.params()?.callbacks;
    expect(() => callbacks?.onmessage({} as never)).not.toThrow();
    callbacks?.onclose?.({ code: 1011, reason: 'Internal error encountered.' } as CloseEvent);
    callbacks?.onerror?.({ message: 'boom' } as ErrorEvent);
    expect(log).toEqual([
      ['error', 'handler bug'],
      ['close', 1011, 'Internal error encountered.'],
      ['error', 'boom'],
    ]);
  });
});

describe('connectConfig', () => {
  it('keeps the user tools and adds the declarations after them', () => {
    const config = connectConfig(
      { tools: [{ googleSearch: {} }] },
      { functionDeclarations: [{ name: 'f' }], sessionResumption: false, resumptionHandle: undefined },
    );
    expect(config.tools).toEqual([{ googleSearch: {} }, { functionDeclarations: [{ name: 'f' }] }]);
    expect(config).not.toHaveProperty('sessionResumption');
  });

  it('gives the SDK its own copy of the declarations, since it rewrites them in place', () => {
    // The session sends the same declarations on every connection; @google/genai's tTool replaces
    // `parameters` with its own form, on the object it was given.
    const functionDeclarations = [{ name: 'f', parameters: { type: 'OBJECT', properties: { a: { type: 'STRING' } } } }];
    const config = connectConfig(undefined, { functionDeclarations, sessionResumption: false, resumptionHandle: undefined });
    const given = (config.tools as { functionDeclarations: { parameters: unknown }[] }[])[0]?.functionDeclarations[0];
    expect(given).toEqual(functionDeclarations[0]);
    if (given) given.parameters = { rewritten: true };
    expect(functionDeclarations[0]?.parameters).toEqual({ type: 'OBJECT', properties: { a: { type: 'STRING' } } });
  });

  it('leaves the tools alone when the session has none', () => {
    expect(connectConfig({ temperature: 0 }, { functionDeclarations: [], sessionResumption: false, resumptionHandle: undefined })).toEqual({
      temperature: 0,
    });
  });

  it('asks for resumption handles, with the handle to resume when there is one', () => {
    const request = { functionDeclarations: [], sessionResumption: true, resumptionHandle: undefined };
    expect(connectConfig({ sessionResumption: { transparent: true } }, request)).toEqual({ sessionResumption: { transparent: true } });
    expect(connectConfig(undefined, { ...request, resumptionHandle: 'h' })).toEqual({ sessionResumption: { handle: 'h' } });
  });
});

describe('toSdkInput', () => {
  it.each([
    [{ kind: 'video', data: new Uint8Array([255]), mimeType: 'image/jpeg' }, { video: { data: '/w==', mimeType: 'image/jpeg' } }],
    [{ kind: 'text', text: 'hi' }, { text: 'hi' }],
    [{ kind: 'activityStart' }, { activityStart: {} }],
    [{ kind: 'activityEnd' }, { activityEnd: {} }],
    [{ kind: 'audioStreamEnd' }, { audioStreamEnd: true }],
  ] as const)('%j', (input, expected) => {
    expect(toSdkInput(input)).toEqual(expected);
  });
});
