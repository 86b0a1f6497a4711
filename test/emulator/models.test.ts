/**
 * The emulator follows the profile of the model in setup: tool behaviour by default, what input
 * does during a BLOCKING call (1008 or a cancellation), late answers, and the 3.8 signals. Raw
 * sockets, so every frame is exactly what the test says.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, type EmulatorEvent } from '../../src/testing/emulator/index.js';
import {
  MODELS,
  answer,
  audio,
  connectRaw,
  declare,
  drained,
  emulator,
  handled,
  hasContent,
  isToolCall,
  type RawClient,
} from './helpers.js';

const EXACT_1008 = { code: 1008, reason: 'Operation is not implemented, or supported, or enabled.' };
const isCancellation = (message: Record<string, unknown>) => 'toolCallCancellation' in message;

const inputs: [string, unknown][] = [
  ['audio', audio(20)],
  ['video', { realtimeInput: { video: { data: '', mimeType: 'image/jpeg' } } }],
  ['text', { realtimeInput: { text: 'wait' } }],
  ['activityStart', { realtimeInput: { activityStart: {} } }],
  ['activityEnd', { realtimeInput: { activityEnd: {} } }],
  ['audioStreamEnd', { realtimeInput: { audioStreamEnd: true } }],
  ['clientContent with turnComplete', { clientContent: { turns: [{ role: 'user', parts: [{ text: 'stop' }] }], turnComplete: true } }],
];

describe('2.5, 3.1 and unknown models: the rules of today', () => {
  it.each([MODELS.native25, MODELS.flash31, MODELS.unknown])('%s: a call declared without behavior blocks, and input closes 1008', async (model) => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model, tools: declare({ name: 'get_weather' }) });
    expect(connection.behaviorOf('get_weather')).toBe('BLOCKING');
    connection.sendToolCall([{ name: 'get_weather' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    expect(await client.closed).toEqual(EXACT_1008);
  });

  it('an unknown model gets the conservative profile', async () => {
    const live = await emulator();
    const { connection } = await connectRaw(live, { model: MODELS.unknown });
    expect(connection.profile).toMatchObject({ defaultBehavior: 'BLOCKING', inputDuringBlockingCall: 'closes1008' });
  });

  it('2.5: clientContent with turnComplete during a call neither closes nor cancels', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.native25 });
    const [id] = connection.sendToolCall([{ name: 'get_weather' }]);
    await client.waitFor(isToolCall);
    client.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: true } });
    await handled(connection, 2);
    expect(connection.pendingToolCallIds).toEqual([id]);
    expect(connection.counters.callsCancelledByInput).toBe(0);
  });
});

describe('3.8 live: NON_BLOCKING by default', () => {
  it('a function declared without behavior, or not at all, runs async: input flows and the call stays pending', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'get_weather' }) });
    expect(connection.behaviorOf('get_weather')).toBe('NON_BLOCKING');
    expect(connection.behaviorOf('not_declared')).toBe('NON_BLOCKING');
    const ids = connection.sendToolCall([{ name: 'get_weather' }, { name: 'not_declared' }]);
    await client.waitFor(isToolCall);
    for (const [, input] of inputs) client.send(input);
    await handled(connection, 1 + inputs.length);
    expect(connection.isOpen).toBe(true);
    expect(connection.pendingToolCallIds).toEqual(ids);
    expect(connection.counters.callsCancelledByInput).toBe(0);
    client.send(answer(ids[0], 'get_weather'));
    client.send(answer(ids[1], 'not_declared'));
    await handled(connection, 3 + inputs.length);
    expect(connection.pendingToolCallIds).toEqual([]);
  });
});

describe('3.8 live: input during a BLOCKING call cancels it', () => {
  it.each(inputs)('%s cancels it with a toolCallCancellation, and the connection stays open', async (_kind, input) => {
    const events: EmulatorEvent[] = [];
    const live = await emulator({ graceMs: 0, onEvent: (_connection, event) => events.push(event) });
    const tools = declare({ name: 'issue_refund', behavior: 'BLOCKING' }, { name: 'log' });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools });
    const [refund, log] = connection.sendToolCall([{ name: 'issue_refund' }, { name: 'log' }]);
    await client.waitFor(isToolCall);
    client.send(input);
    expect(await client.waitFor(isCancellation)).toEqual({ toolCallCancellation: { ids: [refund] } });
    expect(connection.isOpen).toBe(true);
    // The NON_BLOCKING call goes on, and input is no longer held.
    expect(connection.pendingToolCallIds).toEqual([log]);
    expect(connection.counters.callsCancelledByInput).toBe(1);
    expect(events).toEqual([{ kind: 'callsCancelledByInput', ids: [refund], silent: false }]);
    client.send(audio(20));
    await handled(connection, 3);
    expect(connection.counters.callsCancelledByInput).toBe(1);
  });

  it('clientContent without turnComplete does not cancel', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    const [id] = connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'context' }] }], turnComplete: false } });
    await handled(connection, 2);
    expect(connection.pendingToolCallIds).toEqual([id]);
  });

  it('cancels silently with silentCancel, per emulator or per connection', async () => {
    const everywhere = await emulator({ graceMs: 0, silentCancel: true });
    const perConnection = await emulator({ graceMs: 0, silentCancel: (connection) => connection.id === 2 });
    const cases: [typeof everywhere, boolean][] = [[everywhere, true], [perConnection, false], [perConnection, true]];
    for (const [live, silent] of cases) {
      const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
      expect(connection.silentCancel).toBe(silent);
      connection.sendToolCall([{ name: 'f' }]);
      await client.waitFor(isToolCall);
      client.send(audio(20));
      await handled(connection, 2);
      await drained(client, connection);
      expect(connection.pendingToolCallIds).toEqual([]);
      expect(client.received.some(({ message }) => isCancellation(message))).toBe(!silent);
    }
  });

  it('connection.silentCancel can be changed mid-connection', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    connection.silentCancel = true;
    connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await handled(connection, 2);
    await drained(client, connection);
    expect(client.received.filter(({ message }) => isCancellation(message))).toEqual([]);
    expect(connection.counters.callsCancelledByInput).toBe(1);
  });

  it('input within the grace window neither cancels nor closes (frames in flight)', async () => {
    const live = await emulator({ graceMs: 60_000 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    const [id] = connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await handled(connection, 2);
    expect(connection.pendingToolCallIds).toEqual([id]);
    expect(connection.counters.graceTolerated).toBe(1);
  });
});

describe('3.8 live: answers to cancelled calls are ignored, never a close', () => {
  async function cancelledCall(live: Awaited<ReturnType<typeof emulator>>, how: 'input' | 'silent input' | 'script'): Promise<{ client: RawClient; id: string; connection: Awaited<ReturnType<typeof connectRaw>>['connection'] }> {
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    connection.silentCancel = how === 'silent input';
    const [id = ''] = connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    if (how === 'script') connection.cancelToolCalls([id]);
    else client.send(audio(20));
    await handled(connection, how === 'script' ? 1 : 2);
    return { client, id, connection };
  }

  it.each(['input', 'silent input', 'script'] as const)('after a cancellation by %s', async (how) => {
    const events: EmulatorEvent[] = [];
    const live = await emulator({ graceMs: 0, onEvent: (_connection, event) => events.push(event) });
    const { client, id, connection } = await cancelledCall(live, how);
    const before = connection.frames.length;
    client.send(answer(id, 'f'));
    client.send(answer(id, 'f'));
    await handled(connection, before + 2);
    expect(connection.isOpen).toBe(true);
    expect(connection.counters.lateAnswers).toBe(2);
    expect(connection.counters.graceTolerated).toBe(0);
    expect(events.filter((event) => event.kind === 'lateAnswers')).toEqual([
      { kind: 'lateAnswers', ids: [id] },
      { kind: 'lateAnswers', ids: [id] },
    ]);
  });

  it('an answer to an id never sent still closes 1007', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client } = await cancelledCall(live, 'input');
    client.send(answer('fc-999', 'f'));
    expect(await client.closed).toEqual(CLOSE_REASONS.invalidArgument);
  });

  it('2.5 is unchanged: a late answer after the grace window closes 1007', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.native25 });
    const [id] = connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    connection.cancelToolCalls([id ?? '']);
    client.send(answer(id, 'f'));
    expect(await client.closed).toEqual(CLOSE_REASONS.invalidArgument);
    expect(connection.counters.lateAnswers).toBe(0);
  });
});

describe('3.8 signals: interactionStatus and waitingForInput', () => {
  it('extended thinking: turnComplete carries IDLE by default, IN_PROGRESS when asked; calls run async', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.thinking38, tools: declare({ name: 'search' }) });
    expect(connection.behaviorOf('search')).toBe('NON_BLOCKING');
    connection.sendTurnComplete(undefined, { interactionStatus: 'IN_PROGRESS' });
    connection.sendTurnComplete({ promptTokenCount: 5 });
    connection.sendInteractionStatus('IN_PROGRESS');
    connection.sendWaitingForInput();
    await client.waitFor(hasContent('waitingForInput'));
    expect(client.received.slice(1).map(({ message }) => message)).toEqual([
      { serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS' } },
      {
        serverContent: { turnComplete: true, interactionStatus: 'IDLE' },
        usageMetadata: { promptTokenCount: 5, responseTokenCount: 40, totalTokenCount: 45 },
      },
      { serverContent: { interactionStatus: 'IN_PROGRESS' } },
      { serverContent: { waitingForInput: true } },
    ]);
  });

  it('3.8 live (no interaction status): turnComplete carries none unless asked', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { model: MODELS.live38 });
    connection.sendTurnComplete();
    connection.sendTurnComplete(undefined, { interactionStatus: 'IDLE' });
    await client.waitFor(hasContent('turnComplete'), 2);
    expect(client.received.slice(1).map(({ message }) => message)).toEqual([
      { serverContent: { turnComplete: true } },
      { serverContent: { turnComplete: true, interactionStatus: 'IDLE' } },
    ]);
  });

  it('a Vertex AI model path gets the same profile', async () => {
    const live = await emulator();
    const { connection } = await connectRaw(live, { model: 'projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live' });
    expect(connection.profile?.name).toBe('gemini-3.8-live');
  });

  it('modelProfile overrides the table, as the session option does', async () => {
    const live = await emulator({ graceMs: 0, modelProfile: { defaultBehavior: 'NON_BLOCKING', inputDuringBlockingCall: 'cancelsCall' } });
    const { client, connection } = await connectRaw(live, { model: MODELS.unknown, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    expect(connection.behaviorOf('g')).toBe('NON_BLOCKING');
    connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await client.waitFor(isCancellation);
    expect(connection.isOpen).toBe(true);
  });
});
