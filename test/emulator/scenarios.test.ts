import { describe, expect, it } from 'vitest';
import { OUTPUT_AUDIO_MIME_TYPE, scenarios, type Scenario } from '../../src/testing/emulator/index.js';
import { validateScenario } from '../../src/testing/emulator/script/scenario.js';
import { audio, callsOf, connectRaw, emulator, hasContent, isToolCall, type RawClient } from './helpers.js';

const answerAll = (client: RawClient, message: Record<string, unknown>): void => {
  const functionResponses = callsOf(message).map(({ id, name }) => ({ id, name, response: { output: 'sunny' } }));
  client.send({ toolResponse: { functionResponses } });
};

/** The kinds of server messages received, e.g. `serverContent.turnComplete` or `toolCall`. */
function kinds(client: RawClient): string[] {
  return client.received.map(({ message }) => {
    const content = message.serverContent as Record<string, unknown> | undefined;
    if (!content) return Object.keys(message)[0] ?? '';
    const model = JSON.stringify(content.modelTurn ?? '');
    const inner = 'modelTurn' in content ? (model.includes('inlineData') ? 'audio' : 'text') : Object.keys(content)[0];
    return `${inner}${'usageMetadata' in message ? '+usage' : ''}`;
  });
}

describe('built-in scenarios', () => {
  it('echo answers each second of audio and each activityEnd', async () => {
    const live = await emulator({ scenario: 'echo' });
    const { client } = await connectRaw(live);
    client.send(audio(600));
    client.send(audio(400));
    const done = await client.waitFor(hasContent('turnComplete'));
    expect(done).toMatchObject({
      serverContent: { turnComplete: true },
      usageMetadata: { promptTokenCount: 120, responseTokenCount: 40, totalTokenCount: 160 },
    });
    expect(kinds(client)).toEqual([
      'setupComplete',
      'inputTranscription',
      'audio',
      'audio',
      'audio',
      'audio',
      'outputTranscription',
      'generationComplete',
      'turnComplete+usage',
    ]);
    const part = (client.received[2]?.message as { serverContent: { modelTurn: { parts: { inlineData: { mimeType: string; data: string } }[] } } })
      .serverContent.modelTurn.parts[0];
    expect(part?.inlineData.mimeType).toBe(OUTPUT_AUDIO_MIME_TYPE);
    // 100 ms of 24 kHz PCM16: 4800 bytes, and not silence.
    const pcm = Buffer.from(part?.inlineData.data ?? '', 'base64');
    expect(pcm.length).toBe(4800);
    expect(pcm.some((byte) => byte !== 0)).toBe(true);

    client.send({ realtimeInput: { activityEnd: {} } });
    await client.waitFor(hasContent('turnComplete'), 2);
  });

  it('tool-call speaks, calls get_weather, waits for the answer, then finishes the turn', async () => {
    const live = await emulator({ scenario: 'tool-call' });
    const { client, connection } = await connectRaw(live);
    client.send(audio(300));
    const call = await client.waitFor(isToolCall);
    expect(callsOf(call)).toEqual([{ name: 'get_weather', args: { city: 'Paris' }, id: 'fc-1' }]);
    expect(kinds(client).slice(1, 3)).toEqual(['inputTranscription', 'audio']);
    expect(kinds(client)).not.toContain('turnComplete+usage');
    answerAll(client, call);
    await client.waitFor(hasContent('turnComplete'));
    expect(connection.conversation.transcript.at(-1)).toEqual({ role: 'model', text: 'It is sunny in Paris.' });
    // It loops: the next utterance gets another call.
    client.send(audio(300));
    expect(callsOf(await client.waitFor(isToolCall, 2))[0]?.id).toBe('fc-2');
  });

  it('parallel-tools sends two calls in one toolCall and answers when both are answered', async () => {
    const live = await emulator({ scenario: 'parallel-tools' });
    const { client } = await connectRaw(live);
    client.send(audio(300));
    const call = await client.waitFor(isToolCall);
    expect(callsOf(call).map(({ name }) => name)).toEqual(['get_weather', 'get_time']);
    answerAll(client, call);
    await client.waitFor(hasContent('turnComplete'));
  });

  it('back-to-back sends a second toolCall before the first is answered', async () => {
    const live = await emulator({ scenario: 'back-to-back' });
    const { client, connection } = await connectRaw(live);
    client.send(audio(300));
    const second = await client.waitFor(isToolCall, 2);
    const first = await client.waitFor(isToolCall, 1);
    expect(connection.pendingToolCallIds).toEqual(['fc-1', 'fc-2']);
    answerAll(client, first);
    await connection.waitForToolResponse({ timeoutMs: 5000 });
    expect(connection.pendingToolCallIds).toEqual(['fc-2']);
    expect(kinds(client)).not.toContain('turnComplete+usage');
    answerAll(client, second);
    await client.waitFor(hasContent('turnComplete'));
  });

  it('cancel withdraws the call with interrupted and toolCallCancellation, then answers more audio', async () => {
    const live = await emulator({ scenario: 'cancel', graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    client.send(audio(300));
    const call = await client.waitFor(isToolCall);
    const [id] = callsOf(call).map((fc) => fc.id);
    const cancellation = await client.waitFor((message) => 'toolCallCancellation' in message);
    expect(cancellation).toEqual({ toolCallCancellation: { ids: [id] } });
    expect(kinds(client).slice(-2)).toEqual(['interrupted', 'toolCallCancellation']);
    expect(connection.pendingToolCallIds).toEqual([]);
    // The gate is open again: audio is accepted and answered.
    client.send(audio(300));
    await client.waitFor(hasContent('turnComplete'));
    expect(connection.isOpen).toBe(true);
  });
});

describe('custom scenarios', () => {
  it('runs steps in order and plays goAway, waits and a scripted close', async () => {
    const scenario: Scenario = {
      steps: [
        { do: [{ text: 'Hi.' }] },
        { after: { clientContent: true }, do: [{ goAway: '5s' }, { wait: 5 }, { close: { code: 1000, reason: 'bye' } }] },
      ],
    };
    const live = await emulator({ scenario });
    const { client } = await connectRaw(live);
    await client.waitFor(hasContent('modelTurn'));
    client.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hello' }] }], turnComplete: true } });
    expect(await client.closed).toEqual({ code: 1000, reason: 'bye' });
    expect(kinds(client)).toEqual(['setupComplete', 'text', 'goAway']);
    expect(client.received[2]?.message).toEqual({ goAway: { timeLeft: '5s' } });
  });

  it('abort gives the client 1006', async () => {
    const live = await emulator({ scenario: { steps: [{ after: { activityStart: true }, do: [{ abort: true }] }] } });
    const { client } = await connectRaw(live);
    client.send({ realtimeInput: { activityStart: {} } });
    expect((await client.closed).code).toBe(1006);
  });

  it('counts input that arrives while a step is still playing toward the next step', async () => {
    const scenario: Scenario = {
      steps: [
        { after: { text: true }, do: [{ wait: 1 }, { text: 'one' }] },
        { after: { text: true }, do: [{ text: 'two' }] },
      ],
    };
    const live = await emulator({ scenario });
    const { client } = await connectRaw(live);
    client.send({ realtimeInput: { text: 'a' } });
    client.send({ realtimeInput: { text: 'b' } });
    await client.waitFor(hasContent('modelTurn'), 2);
    const texts = client.received.slice(1).map(({ message }) => JSON.stringify(message));
    expect(texts).toEqual([
      JSON.stringify({ serverContent: { modelTurn: { parts: [{ text: 'one' }] } } }),
      JSON.stringify({ serverContent: { modelTurn: { parts: [{ text: 'two' }] } } }),
    ]);
  });

  it('refuses scenarios that could spin forever', () => {
    expect(() => validateScenario({ steps: [] })).toThrow(/at least one step/);
    expect(() => validateScenario({ loop: true, steps: [{ do: [] }] })).toThrow(/after/);
    expect(() => validateScenario({ steps: [{ after: { audioMs: 0 }, do: [] }] })).toThrow(/positive/);
    for (const scenario of Object.values(scenarios)) expect(() => validateScenario(scenario)).not.toThrow();
  });
});
