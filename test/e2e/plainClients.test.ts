import { describe, expect, it } from 'vitest';
import { connectPlainClient } from '../../examples/clients/naiveClients.js';
import { GATE_VIOLATION_REASON } from '../../src/testing/index.js';
import { FRAME } from '../helpers.js';
import { clientFor, emulator, MODEL, onCleanup, SDK_VERSION } from './sdk.js';

describe(`clients without gemini-live-fsm (SDK ${SDK_VERSION})`, () => {
  it('a naive client that keeps streaming during a tool call gets 1008', async () => {
    const emu = await emulator();
    const connecting = emu.nextConnection();
    let received!: () => void;
    const toolCallReceived = new Promise<void>((resolve) => (received = resolve));
    const client = await connectPlainClient({
      ai: clientFor(emu),
      model: MODEL,
      gate: 'naive',
      tools: { get_weather: () => new Promise(() => undefined) },
      onMessage: (message) => {
        if (message.toolCall) received();
      },
    });
    onCleanup(() => client.close());
    const conn = await connecting;
    conn.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
    await toolCallReceived;
    expect(client.sendAudio(FRAME)).toBe(true);
    expect(await client.closed).toEqual({ code: 1008, reason: GATE_VIOLATION_REASON });
    expect(emu.stats.violations1008).toBe(1);
  });

  it('a boolean-flag client survives a simple tool call', async () => {
    const emu = await emulator();
    const connecting = emu.nextConnection();
    const client = await connectPlainClient({
      ai: clientFor(emu),
      model: MODEL,
      gate: 'flag',
      tools: { get_weather: () => ({ tempC: 21 }) },
    });
    onCleanup(() => client.close());
    const conn = await connecting;
    const [id] = conn.sendToolCall([{ name: 'get_weather', args: {} }]);
    const response = await conn.waitForToolResponse();
    expect(response.functionResponses).toEqual([{ id, name: 'get_weather', response: { output: { tempC: 21 } } }]);
    expect(client.sendAudio(FRAME)).toBe(true);
    await conn.waitForMessage((m) => m.realtimeInput?.audio !== undefined);
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.violations1008).toBe(0);
  });

  it('a boolean-flag client gets 1008 when its tool throws: the flag reopens with no response sent', async () => {
    const emu = await emulator();
    const connecting = emu.nextConnection();
    const toolErrors: unknown[] = [];
    let failed!: () => void;
    const toolFailed = new Promise<void>((resolve) => (failed = resolve));
    const client = await connectPlainClient({
      ai: clientFor(emu),
      model: MODEL,
      gate: 'flag',
      tools: {
        get_weather: () => {
          throw new Error('weather service down');
        },
      },
      onToolError: (error) => {
        toolErrors.push(error);
        failed();
      },
    });
    onCleanup(() => client.close());
    const conn = await connecting;
    conn.sendToolCall([{ name: 'get_weather', args: {} }]);
    await toolFailed;
    expect(client.toolPending).toBe(false);
    expect(client.responsesSent).toBe(0);
    expect(client.sendAudio(FRAME)).toBe(true);
    expect(await client.closed).toEqual({ code: 1008, reason: GATE_VIOLATION_REASON });
    expect(toolErrors).toHaveLength(1);
  });
});
