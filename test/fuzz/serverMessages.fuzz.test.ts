/**
 * Fuzzing the decoder of server messages on its own: whatever JSON arrives, it becomes
 * well-formed machine events (or a typed ProtocolError) and never throws (I6).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toServerEvents } from '../../src/adapters/serverMessages.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

const SHARE = 0.05;
const GENERATION = 7;

/**
 * Any JSON, as `JSON.parse` gives it (server messages are parsed JSON), including an object whose
 * own `toString` and `valueOf` are not functions, which no conversion to a primitive survives.
 */
const json: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 4 }),
  fc.json({ maxDepth: 2 }).map((text): unknown => JSON.parse(text)),
  fc.constant('{"toString":1,"valueOf":1}').map((text): unknown => JSON.parse(text)),
);

/** Either a value of the right shape or any JSON in its place. */
const orJson = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, json);

const part = orJson(
  fc.oneof(
    fc.record({ text: orJson(fc.string({ maxLength: 4 })), thought: fc.boolean() }, { requiredKeys: [] }),
    fc.record({
      inlineData: orJson(
        fc.record(
          {
            data: orJson(fc.constantFrom('AAAA', 'AA==', '%%%')),
            mimeType: orJson(fc.constantFrom('audio/pcm;rate=24000', 'image/png')),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
  ),
);

const transcription = orJson(fc.record({ text: orJson(fc.string({ maxLength: 4 })), finished: fc.boolean() }, { requiredKeys: [] }));

const serverMessage = orJson(
  fc.record(
    {
      setupComplete: orJson(fc.constant({})),
      serverContent: orJson(
        fc.record(
          {
            modelTurn: orJson(fc.record({ parts: orJson(fc.array(part, { maxLength: 3 })) }, { requiredKeys: [] })),
            inputTranscription: transcription,
            outputTranscription: transcription,
            interrupted: json,
            turnComplete: json,
            generationComplete: json,
          },
          { requiredKeys: [] },
        ),
      ),
      usageMetadata: orJson(fc.record({ totalTokenCount: fc.nat() })),
      sessionResumptionUpdate: orJson(
        fc.record({ newHandle: orJson(fc.string({ maxLength: 3 })), resumable: json }, { requiredKeys: [] }),
      ),
      toolCallCancellation: orJson(fc.record({ ids: orJson(fc.array(orJson(fc.string({ maxLength: 3 })), { maxLength: 3 })) })),
      toolCall: orJson(
        fc.record({
          functionCalls: orJson(
            fc.array(
              orJson(
                fc.record(
                  { id: orJson(fc.string({ maxLength: 3 })), name: orJson(fc.constantFrom('f', '')), args: json },
                  { requiredKeys: [] },
                ),
              ),
              { maxLength: 3 },
            ),
          ),
        }),
      ),
      goAway: orJson(
        fc.record(
          {
            timeLeft: fc.oneof(
              fc.constantFrom('50s', '1.5s', 'soon'),
              fc.record({ seconds: orJson(fc.constantFrom('5', 'x')), nanos: orJson(fc.nat()) }, { requiredKeys: [] }),
              json,
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

describe('server messages, fuzzed', () => {
  it('decode into well-formed events, whatever JSON arrives', { timeout: fuzzTimeout(SHARE) }, () => {
    fc.assert(
      fc.property(serverMessage, (message) => {
        const events = toServerEvents(message, GENERATION);
        for (const event of events) {
          expect(event.generation).toBe(GENERATION);
          switch (event.type) {
            case 'server.malformed':
              expect(event.error).toBeInstanceOf(ProtocolError);
              break;
            case 'server.toolCall':
              expect(event.calls.length).toBeGreaterThan(0);
              for (const call of event.calls) {
                expect(call.name).not.toBe('');
                expect(['string', 'undefined']).toContain(typeof call.id);
              }
              break;
            case 'server.toolCallCancellation':
              for (const id of event.ids) expect(typeof id).toBe('string');
              break;
            case 'server.content':
              for (const audio of event.content.audio) expect(audio.data).toBeInstanceOf(Uint8Array);
              for (const text of event.content.text) expect(typeof text).toBe('string');
              break;
            case 'server.goAway':
              if (event.timeLeftMs !== undefined) expect(Number.isFinite(event.timeLeftMs)).toBe(true);
              break;
            case 'server.resumptionUpdate':
              expect(['string', 'undefined']).toContain(typeof event.handle);
              break;
            default:
              expect(['server.setupComplete', 'server.usage']).toContain(event.type);
          }
        }
      }),
      fuzzParameters<[unknown]>(SHARE, [
        [{ toolCall: { functionCalls: [{ id: 5, name: 'f' }, { name: 'f' }] } }],
        [{ serverContent: { modelTurn: {} } }],
        [{ serverContent: { modelTurn: { parts: [3] } } }],
        [{ serverContent: { modelTurn: { parts: [{ inlineData: { data: 'AAAA' } }] } } }],
        [{ goAway: { timeLeft: { nanos: 5 } } }],
        [{ goAway: { timeLeft: { seconds: '5' } } }],
        // Found by fuzzing: a duration that overflows to Infinity milliseconds.
        [{ goAway: { timeLeft: { seconds: 1.797693134862316e305 } } }],
        [{ goAway: { timeLeft: `${'9'.repeat(400)}s` } }],
      ]),
    );
  });
});
