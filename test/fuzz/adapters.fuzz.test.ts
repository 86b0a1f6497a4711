/**
 * Fuzzing the adapters at their edges: whatever bytes a WAV reader is handed, whatever samples
 * the resampler gets, whatever the SDK hands its callbacks, the adapters answer with a value or
 * a `TypeError`, never with anything else and never with an exception out of a callback (I6).
 */
import type { LiveConnectConfig, LiveConnectParameters, Session, Tool } from '@google/genai';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readWav, resample, toPcm16 } from '../../src/audio/sources.js';
import { connectConfig, createGenAITransport } from '../../src/adapters/genai.js';
import { redactSecrets } from '../../src/protocol/redact.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

const SHARE = 0.05;

/** A RIFF chunk: a four-letter id, a little-endian size, and a body. */
const chunk = (id: string, body: Uint8Array, size = body.length) => {
  const head = new Uint8Array(8);
  head.set([...id].map((c) => c.charCodeAt(0)));
  new DataView(head.buffer).setUint32(4, size, true);
  return [...head, ...body];
};

const fmt = (audioFormat: number, channels: number, sampleRate: number, bits: number) => {
  const body = new Uint8Array(16);
  const view = new DataView(body.buffer);
  view.setUint16(0, audioFormat, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint16(14, bits, true);
  return chunk('fmt ', body);
};

/** WAV-shaped bytes: RIFF/WAVE, then chunks in any order, any of them damaged. */
const wavLike = fc
  .record({
    chunks: fc.array(
      fc.oneof(
        fc.record({
          audioFormat: fc.constantFrom(1, 3),
          channels: fc.integer({ min: 1, max: 3 }),
          sampleRate: fc.constantFrom(8_000, 16_000, 22_050, 48_000),
          bits: fc.constantFrom(8, 16),
        }).map(({ audioFormat, channels, sampleRate, bits }) => fmt(audioFormat, channels, sampleRate, bits)),
        fc.uint8Array({ maxLength: 64 }).map((body) => chunk('data', body)),
        fc.uint8Array({ maxLength: 64 }).map((body) => chunk('data', body, body.length + 1_000)),
        fc.uint8Array({ maxLength: 9 }).map((body) => chunk('LIST', body)),
      ),
      { maxLength: 4 },
    ),
    tail: fc.uint8Array({ maxLength: 6 }),
  })
  .map(({ chunks, tail }) => {
    const body = [...[...'WAVE'].map((c) => c.charCodeAt(0)), ...chunks.flat(), ...tail];
    return Uint8Array.from(chunk('RIFF', Uint8Array.from(body)));
  });

describe('audio sources, fuzzed', () => {
  it('readWav decodes or refuses with a TypeError, whatever the bytes', { timeout: fuzzTimeout(SHARE) }, () => {
    fc.assert(
      fc.property(fc.oneof(wavLike, fc.uint8Array({ maxLength: 80 })), (bytes) => {
        let decoded: ReturnType<typeof readWav>;
        try {
          decoded = readWav(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          return;
        }
        expect(decoded.pcm.length % 2).toBe(0);
        expect(decoded.channels).toBeGreaterThan(0);
      }),
      fuzzParameters(SHARE),
    );
  });

  it('readWav refuses data that comes before its format, and skips chunks it does not know', () => {
    const riff = (...chunks: number[][]) =>
      Uint8Array.from(chunk('RIFF', Uint8Array.from([...[...'WAVE'].map((c) => c.charCodeAt(0)), ...chunks.flat()])));
    expect(() => readWav(riff(chunk('data', new Uint8Array(4)), fmt(1, 1, 16_000, 16)))).toThrow('WAV data before its format');
    const pcm = Uint8Array.of(1, 0, 2, 0);
    expect(readWav(riff(chunk('LIST', new Uint8Array(4)), fmt(1, 1, 16_000, 16), chunk('data', pcm))).pcm).toEqual(pcm);
  });

  it('resample and toPcm16 keep length and range, and read a missing sample as silence', { timeout: fuzzTimeout(SHARE) }, () => {
    // JavaScript callers may pass a plain array with holes where a Float32Array is expected.
    const samples = fc.array(fc.option(fc.float({ min: -40_000, max: 40_000, noNaN: true }), { nil: undefined }), { maxLength: 50 });
    fc.assert(
      fc.property(samples, fc.constantFrom(8_000, 16_000, 44_100, 48_000), (values, rate) => {
        const sparse: (number | undefined)[] = [...values];
        values.forEach((v, i) => {
          if (v === undefined) delete sparse[i];
        });
        const out = resample(sparse as unknown as Float32Array, rate, 16_000);
        expect(out.length).toBe(rate === 16_000 ? values.length : Math.floor((values.length * 16_000) / rate));
        const pcm = toPcm16(out);
        expect(pcm.length).toBe(out.length * 2);
        const view = new DataView(pcm.buffer);
        for (let i = 0; i < out.length; i += 1) {
          const expected = Math.max(-32_768, Math.min(32_767, Math.round(out[i] ?? 0)));
          expect(view.getInt16(i * 2, true)).toBe(expected === 0 ? 0 : expected);
        }
      }),
      fuzzParameters(SHARE),
    );
    expect([...resample(new Array(2) as unknown as Float32Array, 1, 2)]).toEqual([0, 0, 0, 0]);
    expect([...toPcm16(new Array(1) as unknown as Float32Array)]).toEqual([0, 0]);
  });
});

/** Whatever `ai.live.connect` got, and the session it returned. */
function fakeAi() {
  let params: LiveConnectParameters | undefined;
  const ai = {
    live: {
      connect: async (p: LiveConnectParameters) => {
        params = p;
        return { sendRealtimeInput: () => undefined, sendToolResponse: () => undefined, close: () => undefined } as unknown as Session;
      },
    },
  };
  return { ai: ai as never, params: () => params };
}

type Callbacks = { onmessage(m: unknown): void; onclose(e: unknown): void; onerror(e: unknown): void };

describe('the genai adapter, fuzzed', () => {
  it('hands the handlers a code, a reason and an error for whatever close and error events the SDK gives', { timeout: fuzzTimeout(SHARE) }, async () => {
    const fake = fakeAi();
    const log: unknown[][] = [];
    let throwNext = false;
    await createGenAITransport({ ai: fake.ai, model: 'm' }).connect({
      functionDeclarations: [],
      sessionResumption: true,
      resumptionHandle: undefined,
      handlers: {
        onMessage: (m) => log.push(['message', m]),
        onClose: (code, reason) => {
          log.push(['close', code, reason]);
          if (throwNext) throw new Error('a handler threw');
        },
        onError: (e) => {
          log.push(['error', e]);
          if (throwNext) throw new Error('so did the error handler');
        },
      },
    });
    const callbacks = fake.params()?.callbacks as unknown as Callbacks;
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ code: maybe(fc.integer({ min: 1000, max: 4999 })), reason: maybe(fc.string()) }),
        fc.record({ error: maybe(fc.constant(new Error('boom'))), message: maybe(fc.string()) }),
        fc.boolean(),
        async (close, error, throws) => {
          throwNext = throws;
          log.length = 0;
          expect(() => callbacks.onclose(close)).not.toThrow();
          expect(log[0]).toEqual(['close', close.code ?? 1006, redactSecrets(close.reason ?? '')]);
          // A handler that throws is reported to the error handler; if that throws too, it ends there.
          if (throws) expect(log.slice(1).map(([kind, e]) => [kind, (e as Error).message])).toEqual([['error', 'a handler threw']]);
          log.length = 0;
          expect(() => callbacks.onerror(error)).not.toThrow();
          const reported = log[0]?.[1];
          expect(log[0]?.[0]).toBe('error');
          expect(reported).toBeInstanceOf(Error);
          if (!error.error) expect((reported as Error).message).toBe(redactSecrets(error.message ?? 'WebSocket error'));
        },
      ),
      fuzzParameters<[{ code?: number; reason?: string }, { error?: Error; message?: string }, boolean]>(SHARE, [
        [{ code: undefined, reason: undefined }, { error: undefined, message: undefined }, false],
        [{ code: 1011, reason: 'x' }, { error: undefined, message: 'm' }, true],
      ]),
    );
  });

  it('adds the tools to whatever tools the config already has, one tool or a list', { timeout: fuzzTimeout(SHARE) }, () => {
    const declarations = [{ name: 'f' }];
    const search = { googleSearch: {} } as Tool;
    fc.assert(
      fc.property(fc.constantFrom<LiveConnectConfig['tools'] | Tool>(undefined, [], [search], search), fc.boolean(), (tools, withDeclarations) => {
        const config = { tools } as LiveConnectConfig;
        const merged = connectConfig(config, {
          functionDeclarations: withDeclarations ? declarations : [],
          sessionResumption: false,
          resumptionHandle: undefined,
        });
        const before = tools === undefined ? [] : Array.isArray(tools) ? tools : [tools];
        expect(merged.tools ?? []).toEqual(withDeclarations ? [...before, { functionDeclarations: declarations }] : (tools ?? []));
      }),
      fuzzParameters(SHARE),
    );
  });
});
