/**
 * `contextUpdate.tools` replaces the tools in force, in order with the other input: later calls
 * follow the new declarations, which are checked as a setup's are, and a call still pending for
 * a removed tool can still be answered.
 */
import { describe, expect, it } from 'vitest';
import { CLOSE_REASONS, type EmulatorEvent } from '../../src/testing/emulator/index.js';
import { MODELS, answer, audio, connectRaw, declare, emulator, handled, isToolCall } from './helpers.js';

const update = (tools: unknown) => ({ contextUpdate: { tools: { tools } } });

describe('contextUpdate.tools', () => {
  it('on 3.8, a function re-declared BLOCKING then blocks: input cancels its next call', async () => {
    const events: EmulatorEvent[] = [];
    const live = await emulator({ graceMs: 0, onEvent: (_connection, event) => events.push(event) });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f' }) });
    expect(connection.behaviorOf('f')).toBe('NON_BLOCKING');
    client.send(update(declare({ name: 'f', behavior: 'BLOCKING' }, { name: 'g' })));
    await handled(connection, 2);
    expect(connection.behaviorOf('f')).toBe('BLOCKING');
    expect(connection.tools).toEqual(declare({ name: 'f', behavior: 'BLOCKING' }, { name: 'g' }));
    expect(connection.counters.toolUpdates).toBe(1);
    expect(events).toEqual([{ kind: 'toolsReplaced', functions: ['f', 'g'] }]);
    const [id] = connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    expect(await client.waitFor((message) => 'toolCallCancellation' in message)).toEqual({ toolCallCancellation: { ids: [id] } });
  });

  it('on 2.5, a function re-declared NON_BLOCKING no longer holds input', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.native25, tools: declare({ name: 'f' }) });
    client.send(update(declare({ name: 'f', behavior: 'NON_BLOCKING' })));
    await handled(connection, 2);
    connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(audio(20));
    await handled(connection, 3);
    expect(connection.isOpen).toBe(true);
  });

  it('is applied in order with the input: a call sent before it keeps its behaviour', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.native25, tools: declare({ name: 'f' }) });
    connection.sendToolCall([{ name: 'f' }]);
    await client.waitFor(isToolCall);
    client.send(update(declare({ name: 'f', behavior: 'NON_BLOCKING' })));
    client.send(audio(20));
    expect(await client.closed).toMatchObject({ code: 1008 });
  });

  it('a call pending for a removed tool can still be answered', async () => {
    const live = await emulator({ graceMs: 0 });
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'old', behavior: 'BLOCKING' }) });
    const [id] = connection.sendToolCall([{ name: 'old' }]);
    await client.waitFor(isToolCall);
    client.send(update(declare({ name: 'new' })));
    client.send(answer(id, 'old'));
    await handled(connection, 3);
    expect(connection.isOpen).toBe(true);
    expect(connection.pendingToolCallIds).toEqual([]);
    expect(connection.counters.toolResponsesSettled).toBe(1);
  });

  it('an empty wrapper clears the tools; an update without tools keeps them', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { model: MODELS.live38, tools: declare({ name: 'f', behavior: 'BLOCKING' }) });
    client.send({ contextUpdate: { systemInstruction: { parts: [{ text: 'be brief' }] } } });
    await handled(connection, 2);
    expect(connection.behaviorOf('f')).toBe('BLOCKING');
    expect(connection.counters.toolUpdates).toBe(0);
    client.send({ contextUpdate: { tools: {} } });
    await handled(connection, 3);
    expect(connection.tools).toEqual([]);
    expect(connection.behaviorOf('f')).toBe('NON_BLOCKING');
  });

  it('closes 1007 on a declaration the service refuses, as in setup', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { model: MODELS.live38 });
    client.send(update([{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT', additionalProperties: false } }] }]));
    // The reason is cut to the 123 bytes a close frame holds.
    expect(await client.closed).toEqual({
      code: 1007,
      reason: `Invalid JSON payload received. Unknown name "additionalProperties" at 'context_update.tools.tools[0].function_declaratio...`,
    });
    expect(connection.refusal?.problem).toBe('context_update.tools.tools[0].function_declarations[0].parameters has additionalProperties, which the Schema proto does not have');
    expect(connection.tools).toEqual([]);
  });

  it('closes 1007 on a behaviour the enum does not have', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { model: MODELS.live38 });
    client.send(update(declare({ name: 'f', behavior: 'SOMETIMES' })));
    expect(await client.closed).toEqual(CLOSE_REASONS.invalidArgument);
    expect(connection.refusal?.problem).toMatch(/behavior "SOMETIMES" is not a Behavior/);
  });

  it('closes 1007 on what the model refuses: a BLOCKING function on extended thinking, tools or instructions on live translate', async () => {
    const live = await emulator();
    const thinking = await connectRaw(live, { model: MODELS.thinking38 });
    thinking.client.send(update(declare({ name: 'ok' }, { name: 'search', behavior: 'BLOCKING' })));
    expect(await thinking.client.closed).toEqual({
      code: 1007,
      reason: 'Request contains an invalid argument: contextUpdate.tools.tools[0].functionDeclarations[1].behavior',
    });
    expect(thinking.connection.refusal?.field).toBe('tools.search.behavior');

    const translate = await connectRaw(live, { model: MODELS.translate });
    translate.client.send(update(declare({ name: 'f' })));
    expect(await translate.client.closed).toEqual({
      code: 1007,
      reason: 'Request contains an invalid argument: contextUpdate.tools is not supported by this model.',
    });
    const instructed = await connectRaw(live, { model: MODELS.translate });
    instructed.client.send({ contextUpdate: { systemInstruction: { parts: [{ text: 'x' }] } } });
    expect((await instructed.client.closed).reason).toBe(
      'Request contains an invalid argument: contextUpdate.systemInstruction is not supported by this model.',
    );
  });

  it('closes 1007 on a bare list instead of the wrapper', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, { model: MODELS.live38 });
    client.send({ contextUpdate: { tools: declare({ name: 'f' }) } });
    expect(await client.closed).toEqual(CLOSE_REASONS.invalidArgument);
    expect(connection.refusal?.problem).toMatch(/not a wrapper/);
  });
});
