import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { SessionClosedError } from '../../src/protocol/index.js';
import { connectedSession, deferred, FRAME } from '../helpers.js';

describe('I7: closed is final', () => {
  it('sends nothing after close(), not even the answer of a tool still running', async () => {
    const result = deferred<string>();
    let signal: AbortSignal | undefined;
    const tool = defineTool({
      name: 'f',
      execute: (_a, context) => {
        signal = context.signal;
        return result.promise;
      },
    });
    const h = await connectedSession({ tools: [tool] });
    h.session.activityStart();
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    await h.session.close();

    expect(h.session.state).toBe('closed');
    expect(h.server.closedWith).toEqual({ by: 'client', code: 1005, reason: '' });
    expect(signal?.aborted).toBe(true);
    const framesAtClose = h.server.frames.length;

    result.resolve('too late');
    await result.promise;
    h.session.sendAudio(FRAME);
    h.session.activityEnd();

    expect(h.server.frames).toHaveLength(framesAtClose);
    expect(h.server.frames.some((f) => f.afterClose)).toBe(false);
  });

  it('turns sends after close into typed error events, counted as dropped', async () => {
    const h = await connectedSession();
    await h.session.close();
    const errors: unknown[] = [];
    h.session.on('error', ({ error }) => errors.push(error));
    h.session.sendAudio(FRAME);
    h.session.sendText('late');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(SessionClosedError);
    expect(h.session.metrics().dropped.closed).toBe(2);
    await expect(h.session.connect()).rejects.toBeInstanceOf(SessionClosedError);
  });

  it('stops every child actor and clears every timer', async () => {
    vi.useFakeTimers();
    try {
      const h = await connectedSession({
        tools: [defineTool({ name: 'hang', execute: () => new Promise(() => undefined) })],
      });
      h.session.attachMic(Readable.from([FRAME]));
      h.server.toolCall([{ id: '1', name: 'hang', args: {} }]);
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      expect(Object.keys(h.session.actor.getSnapshot().children).sort()).toEqual(['buffer', 'connection-1', 'mic', 'tools-1']);

      await h.session.close();
      expect(vi.getTimerCount()).toBe(0);
      expect(h.session.actor.getSnapshot().status).toBe('done');
      for (const child of Object.values(h.session.actor.getSnapshot().children)) {
        expect(child?.getSnapshot().status).toBe('stopped');
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('emits closed once, with who closed it; close() is idempotent', async () => {
    const h = await connectedSession();
    await h.session.close();
    await h.session.close();
    expect(h.of('closed')).toEqual([{ type: 'closed', closedBy: { by: 'client' } }]);
  });

  it('ignores everything the old connection says after close', async () => {
    const h = await connectedSession();
    await h.session.close();
    h.server.toolCall([{ id: 'x', name: 'f', args: {} }]);
    h.server.serverClose(1011, 'Internal error encountered.');
    expect(h.of('toolCall')).toEqual([]);
    expect(h.of('error')).toEqual([]);
  });
});

describe('I4: nothing vanishes', () => {
  it('counts every input as forwarded, dropped by reason, or deferred', async () => {
    const result = deferred<string>();
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => result.promise })] });
    const sum = () => {
      const m = h.session.metrics();
      return [m.totalReceived, m.totalForwarded + m.totalDropped + m.deferred];
    };
    h.session.sendAudio(FRAME);
    h.session.activityStart();
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.sendAudio(FRAME);
    h.session.sendText('x');
    h.session.activityEnd();
    expect(sum()).toEqual([5, 5]);
    result.resolve('ok');
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
    h.session.sendAudio(FRAME);
    await h.session.close();
    h.session.sendAudio(FRAME);
    const m = h.session.metrics();
    expect(sum()).toEqual([7, 7]);
    expect(m.forwarded).toMatchObject({ audio: 2, activityStart: 1, activityEnd: 1 });
    expect(m.dropped).toMatchObject({ gated: 2, closed: 1 });
    expect(m).toMatchObject({ toolCalls: 1, toolResults: 1, toolErrors: 0, toolResponsesSent: 1, pendingToolCalls: 0 });
  });

  it('counts input before connecting as dropped, not streaming', async () => {
    const { createLiveSession } = await import('../../src/index.js');
    const { createScriptedTransport } = await import('../../src/testing/index.js');
    const session = createLiveSession({ transport: createScriptedTransport() });
    session.sendAudio(FRAME);
    expect(session.metrics().dropped.notStreaming).toBe(1);
    expect(session.state).toBe('idle');
  });
});
