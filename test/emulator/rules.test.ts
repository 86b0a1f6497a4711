import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, type EmulatorConnection } from '../../src/testing/emulator/index.js';
import { parseClientFrame } from '../../src/testing/emulator/frames.js';
import { judge } from '../../src/testing/emulator/rules.js';
import { ToolCallLedger } from '../../src/testing/emulator/toolCalls.js';
import { audio, callsOf, connectRaw, emulator, isToolCall, type RawClient } from './helpers.js';

const PENDING = CLOSE_REASONS.toolCallPending;
const INVALID = CLOSE_REASONS.invalidArgument;
const EXACT_1008 = { code: 1008, reason: 'Operation is not implemented, or supported, or enabled.' };

const answer = (id: string | undefined, name: string) => ({
  toolResponse: { functionResponses: [{ id, name, response: { output: 'ok' } }] },
});

/** Waits until the server has received and handled `count` client frames. */
async function handled(connection: EmulatorConnection, count: number): Promise<void> {
  await connection.waitForMessage(() => connection.frames.length >= count);
}

async function callWeather(client: RawClient, connection: EmulatorConnection): Promise<string> {
  const [id] = connection.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
  await client.waitFor(isToolCall);
  return id ?? '';
}

describe('realtime input while a tool call is pending', () => {
  const inputs: [string, unknown][] = [
    ['audio', audio(20)],
    ['video', { realtimeInput: { video: { data: '', mimeType: 'image/jpeg' } } }],
    ['text', { realtimeInput: { text: 'hello' } }],
    ['activityStart', { realtimeInput: { activityStart: {} } }],
    ['activityEnd', { realtimeInput: { activityEnd: {} } }],
    ['audioStreamEnd', { realtimeInput: { audioStreamEnd: true } }],
  ];

  it.each(inputs)('%s closes 1008 with the exact reason', async (_kind, input) => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    await callWeather(client, connection);
    client.send(input);
    expect(await client.closed).toEqual(EXACT_1008);
    expect(await connection.closed).toEqual({ ...PENDING, by: 'server' });
    expect(live.stats.violations1008).toBe(1);
    expect(live.stats.closes).toEqual({ 1008: 1 });
  });

  it('tolerates and counts input that arrives within the grace window', async () => {
    // A long window makes "within" certain however slow the machine is.
    const live = await emulator({ graceMs: 60_000 });
    const { client, connection } = await connectRaw(live);
    const id = await callWeather(client, connection);
    client.send(audio(20));
    client.send({ realtimeInput: { activityEnd: {} } });
    await handled(connection, 3);
    expect(connection.counters.graceTolerated).toBe(2);
    expect(live.stats.graceTolerated).toBe(2);
    expect(connection.isOpen).toBe(true);
    client.send(answer(id, 'get_weather'));
    await connection.waitForToolResponse();
    expect(connection.pendingToolCallIds).toEqual([]);
  });

  it('accepts input again once every pending id is answered', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    const id = await callWeather(client, connection);
    expect(connection.pendingToolCallIds).toEqual([id]);
    client.send(answer(id, 'get_weather'));
    client.send(audio(20));
    await handled(connection, 3);
    expect(connection.isOpen).toBe(true);
    expect(connection.counters.audioFrames).toBe(1);
    expect(connection.counters.toolResponsesSettled).toBe(1);
  });

  it('keeps the gate closed until the last of several calls is answered', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    const ids = connection.sendToolCall([
      { name: 'get_weather', args: {} },
      { name: 'get_time', args: {} },
    ]);
    const call = await client.waitFor(isToolCall);
    expect(callsOf(call).map((fc) => fc.id)).toEqual(ids);
    client.send(answer(ids[0], 'get_weather'));
    client.send(audio(20));
    expect(await client.closed).toEqual(EXACT_1008);
    expect(connection.pendingToolCallIds).toEqual([ids[1]]);
  });

  it('allows clientContent while a tool call is pending', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    await callWeather(client, connection);
    client.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'also, hi' }] }], turnComplete: true } });
    await handled(connection, 2);
    expect(connection.isOpen).toBe(true);
    expect(connection.conversation.transcript).toEqual([{ role: 'user', text: 'also, hi' }]);
  });

  it('does not gate on NON_BLOCKING functions', async () => {
    const live = await emulator({ graceMs: 0 });
    const tools = [{ functionDeclarations: [{ name: 'remember', behavior: 'NON_BLOCKING' }] }];
    const { client, connection } = await connectRaw(live, { tools });
    connection.sendToolCall([{ name: 'remember', args: {} }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await handled(connection, 2);
    expect(connection.isOpen).toBe(true);
    expect(connection.pendingToolCallIds).toHaveLength(1);
  });
});

describe('tool responses', () => {
  it('closes 1007 on an unknown id', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    await callWeather(client, connection);
    client.send(answer('fc-999', 'get_weather'));
    expect(await client.closed).toEqual(INVALID);
    expect(connection.refusal?.problem).toMatch(/fc-999/);
  });

  it('closes 1007 on the wrong name for an id', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    const id = await callWeather(client, connection);
    client.send(answer(id, 'get_time'));
    expect(await client.closed).toEqual(INVALID);
    expect(connection.refusal?.problem).toMatch(/is get_weather, not get_time/);
  });

  it('closes 1007 on a second answer to the same id', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    const id = await callWeather(client, connection);
    client.send(answer(id, 'get_weather'));
    client.send(answer(id, 'get_weather'));
    expect(await client.closed).toEqual(INVALID);
  });

  it('cancellation removes the pending id and reopens the gate', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    const id = await callWeather(client, connection);
    expect(connection.cancelToolCalls([id])).toEqual([id]);
    expect(connection.pendingToolCallIds).toEqual([]);
    expect(await client.waitFor((message) => 'toolCallCancellation' in message)).toEqual({
      toolCallCancellation: { ids: [id] },
    });
    client.send(audio(20));
    await handled(connection, 2);
    expect(connection.isOpen).toBe(true);
  });

  it('tolerates an answer that crossed the cancellation within the grace window, refuses it after', async () => {
    const tolerant = await emulator({ graceMs: 60_000 });
    const first = await connectRaw(tolerant);
    const id = await callWeather(first.client, first.connection);
    first.connection.cancelToolCalls([id]);
    first.client.send(answer(id, 'get_weather'));
    await first.connection.waitForToolResponse();
    expect(first.connection.isOpen).toBe(true);
    expect(first.connection.counters.graceTolerated).toBe(1);

    const strict = await emulator({ graceMs: 0 });
    const second = await connectRaw(strict);
    const late = await callWeather(second.client, second.connection);
    second.connection.cancelToolCalls([late]);
    second.client.send(answer(late, 'get_weather'));
    expect(await second.client.closed).toEqual(INVALID);
  });

  it('without call ids (Vertex AI style) sends calls without id and matches answers by name', async () => {
    const live = await emulator({ callIds: false, graceMs: 0 });
    const { client, connection } = await connectRaw(live);
    connection.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
    const call = await client.waitFor(isToolCall);
    expect(call).toEqual({ toolCall: { functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] } });
    client.send({ toolResponse: { functionResponses: [{ name: 'get_weather', response: { output: 'sunny' } }] } });
    await connection.waitForToolResponse();
    expect(connection.pendingToolCallIds).toEqual([]);

    connection.sendToolCall([{ name: 'get_weather', args: {} }]);
    await client.waitFor(isToolCall, 2);
    client.send({ toolResponse: { functionResponses: [{ name: 'get_time', response: {} }] } });
    expect(await client.closed).toEqual(INVALID);
  });
});

describe('rules with a controlled clock', () => {
  const input = parseClientFrame(JSON.stringify(audio(20)));
  const context = (ledger: ToolCallLedger, now: number) => ({
    setupDone: true,
    ledger,
    now,
    graceMs: 20,
    isKnownHandle: () => false,
  });

  it('tolerates input less than graceMs after the gate closed, and refuses it from then on', () => {
    const ledger = new ToolCallLedger(true);
    ledger.add([{ key: 'a', name: 'f', blocking: true }], 1000);
    expect(judge(input, context(ledger, 1000))).toEqual({ kind: 'realtimeInput', tolerated: true, cancels: [] });
    expect(judge(input, context(ledger, 1019.9))).toEqual({ kind: 'realtimeInput', tolerated: true, cancels: [] });
    expect(judge(input, context(ledger, 1020))).toMatchObject({ kind: 'reject', close: PENDING });
  });

  it('measures the window from the call that closed the gate, not from later calls', () => {
    const ledger = new ToolCallLedger(true);
    ledger.add([{ key: 'a', name: 'f', blocking: true }], 1000);
    ledger.add([{ key: 'b', name: 'g', blocking: true }], 1100);
    expect(judge(input, context(ledger, 1105))).toMatchObject({ kind: 'reject' });
    ledger.settle(['a', 'b']);
    ledger.add([{ key: 'c', name: 'f', blocking: true }], 2000);
    expect(judge(input, context(ledger, 2005))).toEqual({ kind: 'realtimeInput', tolerated: true, cancels: [] });
  });

  it('refuses mediaChunks and a second setup before looking at anything else', () => {
    const ledger = new ToolCallLedger(true);
    const chunks = parseClientFrame('{"realtimeInput":{"mediaChunks":[]}}');
    expect(judge(chunks, context(ledger, 0))).toMatchObject({ kind: 'reject', close: INVALID });
    const setup = parseClientFrame('{"setup":{"model":"models/x"}}');
    expect(judge(setup, context(ledger, 0))).toMatchObject({ kind: 'reject', close: INVALID });
  });
});
