import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { connectedSession, deferred, FRAME, isToolResponse, sentKinds } from '../helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('I1: the gate', () => {
  it('blocks audio, video, text and every activity signal while a call is pending', async () => {
    const result = deferred<{ tempC: number }>();
    const tool = defineTool({ name: 'get_weather', execute: () => result.promise });
    const h = await connectedSession({ tools: [tool] });

    h.session.sendAudio(FRAME);
    h.server.toolCall([{ id: 'c1', name: 'get_weather', args: {} }]);
    expect(h.session.state).toBe('awaitingToolResponse');

    h.session.sendAudio(FRAME);
    h.session.sendVideo(new Uint8Array([0xff, 0xd8]), 'image/jpeg');
    h.session.sendText('hello?');
    h.session.activityStart();
    h.session.activityEnd();
    h.session.audioStreamEnd();

    expect(sentKinds(h.server)).toEqual(['audio']);
    expect(h.server.violations).toEqual([]);
    expect(h.of('inputDropped').map((e) => [e.kind, e.reason])).toEqual([
      ['audio', 'gated'],
      ['video', 'gated'],
      ['text', 'gated'],
      ['audioStreamEnd', 'gated'],
    ]);
    // The activity signals wait for the gate, bracket kept (I5).
    expect(h.session.metrics().deferred).toBe(2);

    result.resolve({ tempC: 21 });
    await h.server.waitForFrame(isToolResponse);
    h.session.sendAudio(FRAME);
    expect(sentKinds(h.server)).toEqual(['audio', 'toolResponse', 'activityStart', 'activityEnd', 'audio']);
    expect(h.server.violations).toEqual([]);
    expect(h.server.closedWith).toBeUndefined();
  });

  it('emits gate closed and opened around the tool call', async () => {
    const tool = defineTool({ name: 'f', execute: () => 1 });
    const h = await connectedSession({ tools: [tool] });
    h.server.toolCall([{ id: 'a', name: 'f', args: {} }]);
    await h.server.waitForFrame(isToolResponse);
    expect(h.of('gate')).toEqual([
      { type: 'gate', state: 'closed', pending: ['a'] },
      { type: 'gate', state: 'opened', pending: [] },
    ]);
    expect(h.session.state).toBe('streaming');
  });

  it('keeps the gate closed across a back-to-back toolCall, merging it into the pending set', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const tools = [
      defineTool({ name: 'slow', execute: () => first.promise }),
      defineTool({ name: 'fast', execute: () => second.promise }),
    ];
    const h = await connectedSession({ tools });
    h.server.toolCall([{ id: 'a', name: 'slow', args: {} }]);
    h.server.toolCall([{ id: 'b', name: 'fast', args: {} }]);
    expect(h.session.pendingToolCalls().map((c) => c.key)).toEqual(['a', 'b']);

    second.resolve('b done');
    const response = await h.server.waitForFrame(isToolResponse);
    expect(response).toEqual({
      type: 'toolResponse',
      responses: [{ id: 'b', name: 'fast', response: { output: 'b done' } }],
    });
    // 'a' is still pending: the gate stays closed.
    expect(h.session.state).toBe('awaitingToolResponse');
    h.session.sendAudio(FRAME);
    expect(sentKinds(h.server)).toEqual(['toolResponse']);

    first.resolve('a done');
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
    h.session.sendAudio(FRAME);
    expect(sentKinds(h.server)).toEqual(['toolResponse', 'toolResponse', 'audio']);
    expect(h.server.violations).toEqual([]);
  });

  it('answers the parallel calls of one toolCall in one batched toolResponse', async () => {
    const tools = [
      defineTool({ name: 'a', execute: async () => 'A' }),
      defineTool({ name: 'b', execute: () => new Promise((resolve) => setTimeout(() => resolve('B'), 5)) }),
    ];
    const h = await connectedSession({ tools });
    h.server.toolCall([
      { id: '1', name: 'a', args: {} },
      { id: '2', name: 'b', args: {} },
    ]);
    await h.server.waitForFrame(isToolResponse);
    expect(h.server.frames.map((f) => f.frame)).toEqual([
      {
        type: 'toolResponse',
        responses: [
          { id: '1', name: 'a', response: { output: 'A' } },
          { id: '2', name: 'b', response: { output: 'B' } },
        ],
      },
    ]);
  });
});

describe('I3: the gate reopens', () => {
  it('times a hanging tool out at toolTimeoutMs, answers an error and aborts its signal', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hang = defineTool({
      name: 'hang',
      execute: (_args, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    const h = await connectedSession({ tools: [hang], toolTimeoutMs: 1_000 });
    h.server.toolCall([{ id: 'h', name: 'hang', args: {} }]);

    await vi.advanceTimersByTimeAsync(999);
    expect(h.server.frames).toEqual([]);
    expect(h.session.state).toBe('awaitingToolResponse');

    await vi.advanceTimersByTimeAsync(1);
    expect(h.server.frames.map((f) => f.frame)).toEqual([
      {
        type: 'toolResponse',
        responses: [{ id: 'h', name: 'hang', response: { error: "'hang' did not finish within 1000 ms" } }],
      },
    ]);
    expect(signal?.aborted).toBe(true);
    expect(h.session.state).toBe('streaming');
    const [result] = h.of('toolResult');
    expect(result?.outcome.status === 'error' && result.outcome.error.code).toBe('TOOL_TIMEOUT');
  });

  it("honours a tool's own timeout over the session's", async () => {
    vi.useFakeTimers();
    const hang = defineTool({ name: 'hang', timeoutMs: 50, execute: () => new Promise(() => undefined) });
    const h = await connectedSession({ tools: [hang], toolTimeoutMs: 10_000 });
    h.server.toolCall([{ id: 'h', name: 'hang', args: {} }]);
    await vi.advanceTimersByTimeAsync(50);
    expect(h.session.state).toBe('streaming');
  });

  it('reopens when the last pending call is cancelled, sending no response for it', async () => {
    let signal: AbortSignal | undefined;
    const tool = defineTool({
      name: 'search',
      execute: (_args, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      },
    });
    const h = await connectedSession({ tools: [tool] });
    h.server.toolCall([{ id: 'x', name: 'search', args: {} }]);
    await vi.waitFor(() => expect(signal).toBeDefined());
    h.server.cancel(['x']);

    expect(signal?.aborted).toBe(true);
    expect(h.session.state).toBe('streaming');
    expect(h.of('toolCancelled')).toEqual([{ type: 'toolCancelled', ids: ['x'] }]);
    h.session.sendAudio(FRAME);
    expect(sentKinds(h.server)).toEqual(['audio']);
  });

  it('measures the time spent gated', async () => {
    vi.useFakeTimers();
    const tool = defineTool({ name: 'wait', execute: () => new Promise((resolve) => setTimeout(resolve, 300)) });
    const h = await connectedSession({ tools: [tool] });
    h.server.toolCall([{ id: 'w', name: 'wait', args: {} }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(h.session.metrics().gatedMs).toBe(100);
    await vi.advanceTimersByTimeAsync(200);
    expect(h.session.state).toBe('streaming');
    expect(h.session.metrics().gatedMs).toBe(300);
  });
});
