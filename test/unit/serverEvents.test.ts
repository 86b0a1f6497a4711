import { describe, expect, it } from 'vitest';
import { parseDuration, toServerEvents } from '../../src/adapters/serverMessages.js';

describe('toServerEvents', () => {
  it('decodes audio, text and transcriptions of a serverContent', () => {
    const [event] = toServerEvents(
      {
        serverContent: {
          modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AQID' } }, { text: 'hi' }] },
          inputTranscription: { text: 'hello' },
          outputTranscription: { text: 'hi', finished: true },
          interrupted: true,
          generationComplete: true,
          turnComplete: true,
        },
      },
      3,
    );
    expect(event).toEqual({
      type: 'server.content',
      generation: 3,
      content: {
        audio: [{ data: new Uint8Array([1, 2, 3]), mimeType: 'audio/pcm;rate=24000' }],
        text: ['hi'],
        inputTranscription: { text: 'hello', finished: false },
        outputTranscription: { text: 'hi', finished: true },
        interrupted: true,
        generationComplete: true,
        turnComplete: true,
        waitingForInput: false,
        interactionStatus: undefined,
      },
    });
  });

  it('decodes waitingForInput and the interaction status (REQUIRES_ACTION, deprecated, as IDLE)', () => {
    const decoded = (interactionStatus: unknown) =>
      toServerEvents({ serverContent: { turnComplete: true, waitingForInput: true, interactionStatus } }, 1)[0];
    expect(decoded('IN_PROGRESS')).toMatchObject({ content: { waitingForInput: true, interactionStatus: 'IN_PROGRESS' } });
    expect(decoded('REQUIRES_ACTION')).toMatchObject({ content: { interactionStatus: 'IDLE' } });
    expect(decoded('SOMETHING_NEW')).toMatchObject({ content: { interactionStatus: undefined } });
  });

  it('skips inline data that is not audio', () => {
    const [event] = toServerEvents({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } } }, 1);
    expect(event).toMatchObject({ content: { audio: [] } });
  });

  it('reads Vertex setupComplete with a sessionId, and several fields of one message in order', () => {
    const events = toServerEvents(
      { setupComplete: { sessionId: 'abc' }, usageMetadata: { totalTokenCount: 5 }, sessionResumptionUpdate: { newHandle: 'h', resumable: true } },
      1,
    );
    expect(events.map((e) => e.type)).toEqual(['server.setupComplete', 'server.usage', 'server.resumptionUpdate']);
  });

  it('keeps calls without id (Vertex) and defaults missing args to {}', () => {
    expect(toServerEvents({ toolCall: { functionCalls: [{ name: 'f' }] } }, 1)).toEqual([
      { type: 'server.toolCall', generation: 1, calls: [{ name: 'f', args: {} }] },
    ]);
  });

  it('reads goAway, cancellation and resumption updates', () => {
    expect(toServerEvents({ goAway: { timeLeft: '50s' } }, 1)).toEqual([{ type: 'server.goAway', generation: 1, timeLeftMs: 50_000 }]);
    expect(toServerEvents({ toolCallCancellation: { ids: ['a'] } }, 1)).toEqual([
      { type: 'server.toolCallCancellation', generation: 1, ids: ['a'] },
    ]);
    expect(toServerEvents({ sessionResumptionUpdate: {} }, 1)).toEqual([
      { type: 'server.resumptionUpdate', generation: 1, handle: undefined, resumable: false },
    ]);
  });

  it('reports one bad field without hiding the good one beside it', () => {
    const events = toServerEvents({ toolCallCancellation: { ids: [1] }, serverContent: { turnComplete: true } }, 1);
    expect(events.map((e) => e.type)).toEqual(['server.content', 'server.malformed']);
  });

  it('ignores a message with only fields it does not know', () => {
    expect(toServerEvents({ voiceActivity: {} }, 1)).toEqual([]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['50s', 50_000],
    ['1.5s', 1_500],
    [{ seconds: 2, nanos: 500_000_000 }, 2_500],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j → %j', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
});
