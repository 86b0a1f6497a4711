import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS } from '../../src/testing/emulator/index.js';
import { audio, connectRaw, emulator, isToolCall, openRaw, MODEL } from './helpers.js';

const isUpdate = (message: Record<string, unknown>): boolean => 'sessionResumptionUpdate' in message;

describe('session resumption', () => {
  it('sends a handle after setupComplete, after turnComplete and after a toolResponse', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { sessionResumption: {} });
    expect(await client.waitFor(isUpdate)).toEqual({ sessionResumptionUpdate: { newHandle: 'handle-1', resumable: true } });
    expect(client.received.map(({ message }) => Object.keys(message)[0])).toEqual(['setupComplete', 'sessionResumptionUpdate']);

    connection.sendTurnComplete();
    expect(await client.waitFor(isUpdate, 2)).toEqual({ sessionResumptionUpdate: { newHandle: 'handle-2', resumable: true } });

    const [a, b] = connection.sendToolCall([
      { name: 'get_weather', args: {} },
      { name: 'get_time', args: {} },
    ]);
    await client.waitFor(isToolCall);
    // A toolCall makes the session not resumable until every call is answered.
    expect(await client.waitFor(isUpdate, 3)).toEqual({ sessionResumptionUpdate: { resumable: false } });
    // Answering one of two calls leaves the session mid-tool-call: not resumable.
    client.send({ toolResponse: { functionResponses: [{ id: a, name: 'get_weather', response: {} }] } });
    expect(await client.waitFor(isUpdate, 4)).toEqual({ sessionResumptionUpdate: { resumable: false } });
    client.send({ toolResponse: { functionResponses: [{ id: b, name: 'get_time', response: {} }] } });
    expect(await client.waitFor(isUpdate, 5)).toEqual({ sessionResumptionUpdate: { newHandle: 'handle-3', resumable: true } });
    expect(connection.lastHandle).toBe('handle-3');
  });

  it('offers no resumable handle while the model generates, and one at the end of its turn', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { sessionResumption: {} });
    await client.waitFor(isUpdate);
    connection.sendOutputTranscription('Hello');
    connection.sendAudio({ ms: 200 });
    connection.sendText('there');
    expect(await client.waitFor(isUpdate, 2)).toEqual({ sessionResumptionUpdate: { resumable: false } });
    connection.sendTurnComplete();
    expect(await client.waitFor(isUpdate, 3)).toEqual({ sessionResumptionUpdate: { newHandle: 'handle-2', resumable: true } });
    // One non-resumable update per turn, sent before the turn's first output.
    const kinds = client.received.map(({ message }) => (isUpdate(message) ? `update:${String((message["sessionResumptionUpdate"] as { resumable: boolean }).resumable)}` : Object.keys(message)[0]));
    expect(kinds.filter((kind) => kind === 'update:false')).toHaveLength(1);
    expect(kinds.indexOf('update:false')).toBeLessThan(kinds.indexOf('serverContent'));
    expect(connection.lastHandle).toBe('handle-2');
  });

  it('sends no updates when setup did not ask for them', async () => {
    const live = await emulator({ scenario: 'echo' });
    const { client } = await connectRaw(live);
    client.send({ realtimeInput: { activityEnd: {} } });
    await client.waitFor((message) => 'usageMetadata' in message);
    expect(client.received.some(({ message }) => isUpdate(message))).toBe(false);
  });

  it('resumes the conversation saved under a known handle', async () => {
    const live = await emulator({ scenario: 'echo' });
    const first = await connectRaw(live, { sessionResumption: {} });
    first.client.send(audio(1000));
    await first.client.waitFor(isUpdate, 2);
    const handle = first.connection.lastHandle ?? '';
    expect(first.connection.conversation.turns).toBe(1);
    first.client.ws.close();

    const second = await connectRaw(live, { sessionResumption: { handle } });
    expect(second.connection.resumedFrom).toBe(handle);
    expect(second.connection.conversation).toEqual(first.connection.conversation);
    // Resuming issues a fresh handle, and the conversation carries on from where it was.
    expect(await second.client.waitFor(isUpdate)).toMatchObject({ sessionResumptionUpdate: { resumable: true } });
    second.client.send({ realtimeInput: { activityEnd: {} } });
    await second.client.waitFor((message) => 'usageMetadata' in message);
    expect(second.connection.conversation.turns).toBe(2);
    expect(first.connection.conversation.turns).toBe(1);
  });

  it('closes 1008 "session not found" for an unknown handle, without setupComplete', async () => {
    const live = await emulator();
    const client = await openRaw(live.baseUrl);
    client.send({ setup: { model: MODEL, sessionResumption: { handle: 'stale' } } });
    expect(await client.closed).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found' });
    expect(client.received).toEqual([]);
    const connection = await live.nextConnection();
    expect(connection.refusal).toMatchObject(CLOSE_REASONS.sessionNotFound);
    expect(live.stats.violations1008).toBe(1);
  });

  it('registers handles a script sends', async () => {
    const live = await emulator();
    const first = await connectRaw(live, { sessionResumption: {} });
    first.connection.sendResumptionUpdate('my-handle');
    await first.client.waitFor(isUpdate, 2);
    const second = await connectRaw(live, { sessionResumption: { handle: 'my-handle' } });
    expect(second.connection.resumedFrom).toBe('my-handle');
  });
});
