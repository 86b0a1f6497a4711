/**
 * The built-in scenarios for gemini-3.8-live (`async-tool`, `blocking-cancel`,
 * `extended-thinking`), and what the scenario language gained for them: alternatives (`or`), the
 * `cancelledByInput` and `toolsUpdated` triggers, `waitingForInput` and `interactionStatus`.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/testing/emulator/index.js';
import { validateScenario } from '../../src/testing/emulator/script/scenario.js';
import { MODELS, audio, callsOf, connectRaw, declare, drained, emulator, handled, hasContent, isToolCall, type RawClient } from './helpers.js';

const answerAll = (client: RawClient, message: Record<string, unknown>): void => {
  const functionResponses = callsOf(message).map(({ id, name }) => ({ id, name, response: { output: 'done' } }));
  client.send({ toolResponse: { functionResponses } });
};

/** The serverContent of every message received after setupComplete that has one. */
const contents = (client: RawClient) =>
  client.received.map(({ message }) => message.serverContent as Record<string, unknown> | undefined).filter((content) => content !== undefined);

const isWaiting = hasContent('waitingForInput');

describe('3.8 built-in scenarios', () => {
  it('async-tool: the user talks on while get_weather runs; the answer ends with waitingForInput', async () => {
    const live = await emulator({ scenario: 'async-tool', graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'get_weather' }) });
    client.send(audio(300));
    const call = await client.waitFor(isToolCall);
    await client.waitFor(hasContent('turnComplete'));
    // NON_BLOCKING: more audio while the call runs neither closes nor cancels.
    client.send(audio(100));
    await handled(connection, 3);
    expect(connection.isOpen).toBe(true);
    expect(connection.pendingToolCallIds).toHaveLength(1);
    answerAll(client, call);
    await client.waitFor(isWaiting);
    expect(contents(client).at(-2)).toMatchObject({ turnComplete: true });
    expect(connection.conversation.transcript.at(-1)).toEqual({ role: 'model', text: 'It is sunny in Paris. Anything else?' });
  });

  it('blocking-cancel: input cancels the BLOCKING refund, and the model stops and asks again', async () => {
    const live = await emulator({ scenario: 'blocking-cancel', graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'issue_refund', behavior: 'BLOCKING' }) });
    client.send(audio(300));
    const [call] = callsOf(await client.waitFor(isToolCall));
    client.send(audio(20));
    expect(await client.waitFor((message) => 'toolCallCancellation' in message)).toEqual({ toolCallCancellation: { ids: [call?.id] } });
    await client.waitFor(isWaiting);
    expect(contents(client).some((content) => content.interrupted === true)).toBe(true);
    expect(connection.conversation.transcript.at(-1)).toEqual({ role: 'model', text: 'Okay, I stopped the refund. Which order?' });
    expect(connection.isOpen).toBe(true);
  });

  it('blocking-cancel with silentCancel: the same play, without a toolCallCancellation', async () => {
    const live = await emulator({ scenario: 'blocking-cancel', graceMs: 0, silentCancel: true });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'issue_refund', behavior: 'BLOCKING' }) });
    client.send(audio(300));
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await client.waitFor(isWaiting);
    await drained(client, connection);
    expect(client.received.some(({ message }) => 'toolCallCancellation' in message)).toBe(false);
    expect(connection.counters.callsCancelledByInput).toBe(1);
  });

  it('blocking-cancel: a refund answered before any input gets the usual answer', async () => {
    const live = await emulator({ scenario: 'blocking-cancel', graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'issue_refund', behavior: 'BLOCKING' }) });
    client.send(audio(300));
    answerAll(client, await client.waitFor(isToolCall));
    await client.waitFor(isWaiting);
    expect(connection.conversation.transcript.at(-1)).toEqual({ role: 'model', text: 'The refund is done. Anything else?' });
  });

  it('extended-thinking: turnComplete with IN_PROGRESS, an async call, then IDLE and waitingForInput', async () => {
    const live = await emulator({ scenario: 'extended-thinking', graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.thinking38 });
    client.send(audio(300));
    const call = await client.waitFor(isToolCall);
    expect(callsOf(call).map(({ name }) => name)).toEqual(['search_places']);
    expect(contents(client).at(-1)).toEqual({ turnComplete: true, interactionStatus: 'IN_PROGRESS' });
    // Async only: the user may talk while the model reasons.
    client.send(audio(100));
    answerAll(client, call);
    await client.waitFor(isWaiting);
    const statuses = contents(client).filter((content) => content.turnComplete).map((content) => content.interactionStatus);
    expect(statuses).toEqual(['IN_PROGRESS', 'IDLE']);
    expect(connection.isOpen).toBe(true);
  });
});

describe('the scenario language for 3.8', () => {
  it('an "or" alternative plays when its trigger comes first, and the scenario goes on', async () => {
    const scenario: Scenario = {
      loop: true,
      steps: [
        { after: { text: true }, do: [{ toolCall: [{ name: 'f' }] }] },
        { after: { toolResponse: true }, do: [{ text: 'answered' }], or: [{ after: { cancelledByInput: true }, do: [{ text: 'cancelled' }] }] },
      ],
    };
    const live = await emulator({ scenario, graceMs: 0 });
    const { client } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    client.send({ realtimeInput: { text: 'go' } });
    await client.waitFor(isToolCall);
    client.send({ realtimeInput: { text: 'stop' } });
    await client.waitFor(hasContent('modelTurn'));
    // The next round: this time the call is answered.
    client.send({ realtimeInput: { text: 'go again' } });
    answerAll(client, await client.waitFor(isToolCall, 2));
    await client.waitFor(hasContent('modelTurn'), 2);
    const texts = contents(client).map((content) => JSON.stringify(content.modelTurn));
    expect(texts).toEqual([JSON.stringify({ parts: [{ text: 'cancelled' }] }), JSON.stringify({ parts: [{ text: 'answered' }] })]);
  });

  it('toolsUpdated fires on a contextUpdate with tools; interactionStatus alone and waitingForInput play as actions', async () => {
    const scenario: Scenario = { steps: [{ after: { toolsUpdated: true }, do: [{ interactionStatus: 'IN_PROGRESS' }, { waitingForInput: true }] }] };
    const live = await emulator({ scenario });
    const { client } = await connectRaw(live, { model: MODELS.live38 });
    client.send({ contextUpdate: { systemInstruction: { parts: [{ text: 'x' }] } } });
    client.send({ contextUpdate: { tools: { tools: declare({ name: 'f' }) } } });
    await client.waitFor(isWaiting);
    expect(contents(client)).toEqual([{ interactionStatus: 'IN_PROGRESS' }, { waitingForInput: true }]);
  });

  it('refuses alternatives without a trigger, or on a step without one', () => {
    expect(() => validateScenario({ steps: [{ do: [], or: [{ after: { text: true }, do: [] }] }] })).toThrow(/own "after"/);
    expect(() => validateScenario({ steps: [{ after: { text: true }, do: [], or: [{ after: [], do: [] }] }] })).toThrow(/each "or"/);
    expect(() => validateScenario({ steps: [{ after: { text: true }, do: [], or: [{ after: { audioMs: 0 }, do: [] }] }] })).toThrow(/positive/);
  });
});
