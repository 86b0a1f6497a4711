import { describe, expect, it } from 'vitest';
import { defineTool } from '../../src/index.js';
import type { FunctionResponse } from '../../src/protocol/index.js';
import { connectedSession, deferred, isToolResponse } from '../helpers.js';

async function answerTo(tool: Parameters<typeof defineTool>[0], args: Record<string, unknown> = {}) {
  const h = await connectedSession({ tools: [defineTool(tool)] });
  h.server.toolCall([{ id: 'c', name: tool.name, args: args as never }]);
  const frame = await h.server.waitForFrame(isToolResponse);
  return { h, responses: (frame as { responses: FunctionResponse[] }).responses };
}

describe('I2: exactly one answer per call', () => {
  it('sends the result as { output }', async () => {
    const { responses } = await answerTo({ name: 'w', execute: () => ({ tempC: 21 }) });
    expect(responses).toEqual([{ id: 'c', name: 'w', response: { output: { tempC: 21 } } }]);
  });

  it('sends an error response for a tool that throws, and the gate reopens', async () => {
    const { h, responses } = await answerTo({
      name: 'boom',
      execute: () => {
        throw new Error('database down');
      },
    });
    expect(responses).toEqual([{ id: 'c', name: 'boom', response: { error: "'boom' failed: database down" } }]);
    expect(h.session.state).toBe('streaming');
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('TOOL_THREW');
  });

  it('sends an error response for a tool whose promise rejects with a non-Error', async () => {
    const { responses } = await answerTo({ name: 'r', execute: () => Promise.reject('nope') });
    expect(responses[0]?.response).toEqual({ error: "'r' failed: nope" });
  });

  it('sends an error response for an unknown function', async () => {
    const h = await connectedSession({ tools: [] });
    h.server.toolCall([{ id: 'u', name: 'launch_rockets', args: {} }]);
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({
      type: 'toolResponse',
      responses: [{ id: 'u', name: 'launch_rockets', response: { error: "no tool named 'launch_rockets'" } }],
    });
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('UNKNOWN_TOOL');
  });

  it('rejects arguments that do not fit the schema without running the tool', async () => {
    let ran = false;
    const { responses } = await answerTo(
      {
        name: 'w',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        execute: () => {
          ran = true;
        },
      },
      { city: 42 },
    );
    expect(responses[0]?.response).toEqual({ error: "invalid arguments for 'w': args.city: expected string, got number" });
    expect(ran).toBe(false);
  });

  it('rejects arguments that parseArgs refuses', async () => {
    const { responses } = await answerTo(
      {
        name: 'w',
        parseArgs: (args) => {
          if (args['n'] !== 1) throw new Error('n must be 1');
          return args;
        },
        execute: () => 'ran',
      },
      { n: 2 },
    );
    expect(responses[0]?.response).toEqual({ error: "invalid arguments for 'w': args: n must be 1" });
  });

  it.each([
    ['a BigInt', () => 10n],
    ['a circular object', () => {
      const loop: Record<string, unknown> = {};
      loop['self'] = loop;
      return loop;
    }],
    ['a function', () => () => 1],
    ['a symbol', () => Symbol('s')],
  ])('sends an error response for a tool that returns %s', async (_name, execute) => {
    const { h, responses } = await answerTo({ name: 'junk', execute });
    expect(responses[0]?.response).toHaveProperty('error');
    expect(String((responses[0]?.response as { error: string }).error)).toMatch(/not JSON-serialisable/);
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('INVALID_RESULT');
  });

  it('sends { output: null } for a tool that returns nothing', async () => {
    const { responses } = await answerTo({ name: 'v', execute: () => undefined });
    expect(responses[0]?.response).toEqual({ output: null });
  });

  it('sends no response for a cancelled call, but answers the rest of its batch', async () => {
    const slow = deferred<string>();
    const signals: Record<string, AbortSignal> = {};
    const h = await connectedSession({
      tools: [
        defineTool({
          name: 'slow',
          execute: (_a, { signal, callId }) => {
            signals[callId ?? ''] = signal;
            return slow.promise;
          },
        }),
      ],
    });
    h.server.toolCall([
      { id: 'keep', name: 'slow', args: {} },
      { id: 'drop', name: 'slow', args: {} },
    ]);
    h.server.cancel(['drop']);
    expect(signals['drop']?.aborted).toBe(true);
    expect(signals['keep']?.aborted).toBe(false);
    slow.resolve('done');
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({ type: 'toolResponse', responses: [{ id: 'keep', name: 'slow', response: { output: 'done' } }] });
    expect(h.server.frames).toHaveLength(1);
  });

  it('never answers a call twice, even when the server repeats its id', async () => {
    const gate = deferred<string>();
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => gate.promise })] });
    h.server.toolCall([{ id: 'same', name: 'f', args: {} }]);
    h.server.toolCall([{ id: 'same', name: 'f', args: {} }]);
    expect(h.of('error').map((e) => e.error.code)).toEqual(['DUPLICATE_CALL_ID']);
    gate.resolve('once');
    await h.server.waitForFrame(isToolResponse);
    // The repeat was never taken into the pending set, so no executor exists to answer it again.
    expect(h.session.metrics()).toMatchObject({ toolCalls: 1, toolResults: 1, toolResponsesSent: 1 });
    expect(h.session.actor.getSnapshot().children).not.toHaveProperty('tools-2');
  });

  it('answers Vertex AI calls that carry no id, without an id', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'getStatus', execute: () => ({ mood: 'happy' }) })] });
    h.server.send({ toolCall: { functionCalls: [{ name: 'getStatus', args: {} }] } });
    expect(h.session.state).toBe('awaitingToolResponse');
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({
      type: 'toolResponse',
      responses: [{ name: 'getStatus', response: { output: { mood: 'happy' } } }],
    });
    expect(h.session.state).toBe('streaming');
  });

  it('passes the call id and a live signal to the tool', async () => {
    let seen: { callId: string | undefined; aborted: boolean } | undefined;
    await answerTo({
      name: 'ctx',
      execute: (_args, { callId, signal }) => {
        seen = { callId, aborted: signal.aborted };
        return 1;
      },
    });
    expect(seen).toEqual({ callId: 'c', aborted: false });
  });
});
