/**
 * Tool schemas inside a session (scripted transport): what the model gets back for arguments that
 * do not fit, for a result that does not fit or is too large, and that the timeout still bounds a
 * call whose schema validates asynchronously (a hanging validator must not hold the gate).
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { defineTool, type AnyTool } from '../../src/index.js';
import type { FunctionResponse, JsonObject } from '../../src/protocol/index.js';
import { connectedSession, isToolResponse } from '../helpers.js';

async function answer(tools: AnyTool[], args: JsonObject, options: { maxToolResultBytes?: number; toolTimeoutMs?: number } = {}) {
  const h = await connectedSession({ tools, ...options });
  h.server.toolCall([{ id: 'c', name: tools[0]?.name ?? '', args }]);
  const frame = (await h.server.waitForFrame(isToolResponse)) as { responses: FunctionResponse[] };
  return { h, response: frame.responses[0]?.response };
}

const weather = defineTool({
  name: 'get_weather',
  parameters: z.object({ city: z.string(), days: z.number().int().min(1).nullable() }),
  execute: ({ city, days }) => ({ city, days: days ?? 1 }),
});

describe('a zod tool in a session', () => {
  it('runs with the parsed arguments, null for the nullable field', async () => {
    const { response } = await answer([weather], { city: 'Paris', days: null });
    expect(response).toEqual({ output: { city: 'Paris', days: 1 } });
  });

  it('answers arguments that do not fit with every issue and its path, and does not run', async () => {
    const { h, response } = await answer([weather], { days: 0 });
    expect(response).toEqual({
      error: "invalid arguments for 'get_weather': args.city: Invalid input: expected string, received undefined; args.days: Too small: expected number to be >=1",
    });
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('INVALID_ARGS');
    expect(h.session.state).toBe('streaming');
  });

  it('starts the tool in the tick its call came when the schema is synchronous', async () => {
    let started = false;
    const h = await connectedSession({
      tools: [defineTool({ name: 'now', parameters: z.object({}), execute: () => { started = true; return 1; } })],
    });
    h.server.toolCall([{ id: 'c', name: 'now', args: {} }]);
    expect(started).toBe(true);
  });
});

describe('results', () => {
  it('answers a result over maxToolResultBytes with RESULT_TOO_LARGE, and the gate reopens', async () => {
    const tool = defineTool({ name: 'dump', execute: () => ({ rows: 'x'.repeat(2_000) }) });
    const { h, response } = await answer([tool], {}, { maxToolResultBytes: 1_000 });
    expect(response).toEqual({ error: "'dump' returned 2.0 KiB of JSON, over its limit of 1000 bytes; ask for less" });
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('RESULT_TOO_LARGE');
    expect(h.session.state).toBe('streaming');
    expect(h.server.violations).toEqual([]);
  });

  it('answers a result its schema refuses with INVALID_RESULT', async () => {
    const tool = defineTool({ name: 'temp', result: z.object({ tempC: z.number() }), execute: () => ({ tempC: 'warm' }) });
    const { response } = await answer([tool], {});
    expect(response).toEqual({
      error: "'temp' returned a result that does not fit its result schema: result.tempC: Invalid input: expected number, received string",
    });
  });
});

describe('an asynchronous schema', () => {
  it('is bounded by the tool timeout: a validator that never settles gets TOOL_TIMEOUT', async () => {
    const never = z.object({ city: z.string().refine(() => new Promise<boolean>(() => {})) });
    let ran = false;
    const tool = defineTool({ name: 'stuck', parameters: never, timeoutMs: 20, execute: () => { ran = true; } });
    const { h, response } = await answer([tool], { city: 'Paris' });
    expect(response).toEqual({ error: "'stuck' did not finish within 20 ms" });
    expect(ran).toBe(false);
    expect(h.session.state).toBe('streaming');
  });

  it('is waited for when it settles', async () => {
    const known = z.object({ city: z.string().refine(async (city) => city !== 'Atlantis', 'no such city') });
    const tool = defineTool({ name: 'visit', parameters: known, execute: ({ city }) => city });
    expect((await answer([tool], { city: 'Rome' })).response).toEqual({ output: 'Rome' });
    expect((await answer([tool], { city: 'Atlantis' })).response).toEqual({ error: "invalid arguments for 'visit': args.city: no such city" });
  });
});
