import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/machines/context.js';
import { backoffDelay } from '../../src/machines/delays.js';
import { defineTool } from '../../src/index.js';
import { connectedSession, deferred, FRAME, isToolResponse, sentKinds } from '../helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

const NOW = { reconnect: { baseDelayMs: 0 } } as const;

describe('goAway', () => {
  it('moves to a new connection with the newest handle, buffering input meanwhile and replaying it in order', async () => {
    const h = await connectedSession(NOW);
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    h.session.sendAudio(FRAME);
    h.server.goAway('30s');
    expect(h.session.state).toBe('idle');
    expect(h.of('reconnecting')).toEqual([{ type: 'reconnecting', cause: 'goAway', attempt: 1, error: undefined }]);
    // The new connection opens once the old socket has closed.
    await vi.waitFor(() => expect(h.transport.connections[1]?.request.resumptionHandle).toBe('h1'));
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));

    expect(h.of('reconnected')).toEqual([{ type: 'reconnected', generation: 2, resumed: true }]);
    expect(h.server.closedWith).toMatchObject({ by: 'client' });
    expect(sentKinds(h.server)).toEqual(['audio']);
  });

  it('replays what was said between the connections on the new one, in order', async () => {
    const h = await connectedSession({ ...NOW, transport: { open: 'manual' } });
    h.server.goAway('30s');
    const second = await h.transport.nextConnection();
    h.session.activityStart();
    h.session.sendAudio(new Uint8Array([1, 1]));
    h.session.sendAudio(new Uint8Array([2, 2]));
    h.session.activityEnd();
    expect(h.session.metrics().buffered).toBe(4);
    second.accept();
    await vi.waitFor(() => expect(sentKinds(second)).toEqual(['activityStart', 'audio', 'audio', 'activityEnd']));
    const audio = second.frames.flatMap(({ frame }) => (frame.type === 'realtimeInput' && frame.input.kind === 'audio' ? [frame.input.data[0]] : []));
    expect(audio).toEqual([1, 2]);
    const m = h.session.metrics();
    expect(m).toMatchObject({ buffered: 0, replayed: 4 });
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
  });

  it('answers pending calls on the old connection first, then resumes with a handle issued after the answer', async () => {
    const answer = deferred<string>();
    const h = await connectedSession({ ...NOW, tools: [defineTool({ name: 'f', execute: () => answer.promise })] });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'before', resumable: true } });
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    h.server.goAway('30s');
    expect(h.session.state).toBe('awaitingToolResponse');
    expect(h.transport.connections).toHaveLength(1);

    answer.resolve('done');
    await h.server.waitForFrame(isToolResponse);
    expect(h.transport.connections).toHaveLength(1); // waiting for a fresh handle
    h.server.send({ sessionResumptionUpdate: { newHandle: 'after', resumable: true } });
    await vi.waitFor(() => expect(h.transport.connections[1]?.request.resumptionHandle).toBe('after'));
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
    expect(h.of('resumptionHandleStale')).toEqual([]);
  });

  it('answers a toolCall that comes on the connection a goAway is ending, then resumes with a handle issued after it', async () => {
    const h = await connectedSession({ ...NOW, tools: [defineTool({ name: 'f', execute: () => 'late but answered' })] });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    h.server.toolCall([{ id: 'c0', name: 'f', args: {} }]);
    await h.server.waitForFrame(isToolResponse);
    h.server.goAway('30s');
    // The session streams on until a turn boundary: here, a handle issued after the last answer.
    expect(h.session.state).toBe('streaming');
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    expect(h.session.state).toBe('awaitingToolResponse');
    await vi.waitFor(() => expect(h.server.frames.filter((f) => f.frame.type === 'toolResponse')).toHaveLength(2));
    expect(h.transport.connections).toHaveLength(1);
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h2', resumable: true } });
    await vi.waitFor(() => expect(h.transport.connections[1]?.request.resumptionHandle).toBe('h2'));
  });

  it('resumes with the newest handle near the deadline when no fresh one comes, and says so', async () => {
    vi.useFakeTimers();
    const h = await connectedSession({ ...NOW, tools: [defineTool({ name: 'f', execute: () => 'done' })] });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'before', resumable: true } });
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    h.server.goAway('10s');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.server.frames.map((f) => f.frame.type)).toEqual(['toolResponse']);
    await vi.advanceTimersByTimeAsync(7_999);
    expect(h.transport.connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.of('resumptionHandleStale')).toEqual([{ type: 'resumptionHandleStale', handle: 'before' }]);
    expect(h.transport.connections[1]?.request.resumptionHandle).toBe('before');
  });
});

describe('reconnecting after a retryable close', () => {
  it('reconnects after an abnormal close mid tool call, delivers the orphaned result as context, and goes on', async () => {
    const stale = deferred<string>();
    const h = await connectedSession({
      ...NOW,
      tools: [defineTool({ name: 'slow', execute: () => stale.promise }), defineTool({ name: 'fast', execute: () => 'fast' })],
    });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    h.server.toolCall([{ id: 'old', name: 'slow', args: {} }]);
    h.server.serverClose(1006, '');
    expect(h.of('reconnecting')).toMatchObject([{ cause: 'connectionLost', attempt: 1, error: { closeCode: 1006, retryable: true } }]);
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
    const second = h.transport.connections[1];
    expect(second?.request.resumptionHandle).toBe('h1');

    stale.resolve('too late');
    // Never a toolResponse for an id the new connection did not issue: the outcome reaches the
    // conversation as content instead, once.
    await vi.waitFor(() => expect(h.of('toolResultDelivered')).toHaveLength(1));
    expect(h.of('toolResultDelivered')[0]).toMatchObject({ via: 'context', call: { id: 'old', name: 'slow' }, outcome: { status: 'ok', output: 'too late' } });
    expect(h.transport.frames.filter((f) => f.frame.type === 'toolResponse')).toEqual([]);
    const context = second?.frames.find((f) => f.frame.type === 'clientContent')?.frame;
    expect(context).toMatchObject({ type: 'clientContent', turnComplete: true, turns: [{ role: 'user', parts: [{ text: expect.stringContaining('slow({}) [call old] returned "too late"') }] }] });

    second?.toolCall([{ id: 'new', name: 'fast', args: {} }]);
    const frame = await second?.waitForFrame(isToolResponse);
    expect(frame).toEqual({ type: 'toolResponse', responses: [{ id: 'new', name: 'fast', response: { output: 'fast' } }] });
    expect(h.session.metrics()).toMatchObject({ reconnects: 1, toolResultsDiscarded: 0, toolCallsOrphaned: 1, toolCallsDeliveredAsContext: 1 });
    expect(Object.keys(h.session.actor.getSnapshot().children).sort()).toEqual(['buffer', 'connection-2']);
  });

  it('closes with the error once the attempts are exhausted', async () => {
    const h = await connectedSession({ reconnect: { maxAttempts: 2, baseDelayMs: 0 }, transport: { open: 'manual' } });
    h.server.serverClose(1011, 'The service is currently unavailable.');
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const next = await h.transport.nextConnection();
      next.serverClose(1011, 'The service is currently unavailable.');
    }
    expect(h.session.state).toBe('closed');
    expect(h.of('closed')[0]?.closedBy).toMatchObject({
      by: 'attemptsExhausted',
      attempts: 2,
      error: { closeCode: 1011, kind: 'unavailable' },
    });
    expect(h.of('reconnecting').map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('forgives failed attempts only once a connection has streamed for stableAfterMs', async () => {
    vi.useFakeTimers();
    const h = await connectedSession({ reconnect: { maxAttempts: 3, baseDelayMs: 0, stableAfterMs: 10_000 } });
    h.server.serverClose(1006, '');
    await vi.advanceTimersByTimeAsync(0);
    h.transport.connections[1]?.serverClose(1006, '');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.of('reconnecting').map((e) => e.attempt)).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(10_000);
    h.transport.connections[2]?.serverClose(1006, '');
    expect(h.of('reconnecting').map((e) => e.attempt)).toEqual([1, 2, 1]);
  });

  it('does not retry a fatal close', async () => {
    const h = await connectedSession(NOW);
    h.server.serverClose(1007, 'Request contains an invalid argument.');
    expect(h.session.state).toBe('closed');
    expect(h.transport.connections).toHaveLength(1);
  });

  it('forgets a handle the server no longer knows, and starts afresh', async () => {
    const h = await connectedSession({ ...NOW, transport: { open: 'manual' } });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'expired', resumable: true } });
    h.server.serverClose(1006, '');
    const second = await h.transport.nextConnection();
    expect(second.request.resumptionHandle).toBe('expired');
    second.serverClose(1008, 'BidiGenerateContent session not found');
    const fresh = await h.transport.nextConnection();
    expect(fresh.request.resumptionHandle).toBeUndefined();
    fresh.accept();
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
  });

  it('retries the first connect too, when the failure is retryable', async () => {
    const h = await (async () => {
      const { createLiveSession } = await import('../../src/index.js');
      const { createScriptedTransport } = await import('../../src/testing/index.js');
      const transport = createScriptedTransport({ open: 'manual' });
      const session = createLiveSession({ transport, reconnect: { baseDelayMs: 0 } });
      return { transport, session, connecting: session.connect() };
    })();
    (await h.transport.nextConnection()).serverClose(1011, 'Internal error encountered.');
    (await h.transport.nextConnection()).accept();
    await h.connecting;
    expect(h.session.state).toBe('streaming');
  });
});

describe('backoff', () => {
  it('is full jitter under min(maxDelayMs, baseDelayMs * 2^attempt)', () => {
    expect(backoffDelay(DEFAULT_SETTINGS, 0, () => 1)).toBe(250);
    expect(backoffDelay(DEFAULT_SETTINGS, 3, () => 1)).toBe(2_000);
    expect(backoffDelay(DEFAULT_SETTINGS, 10, () => 1)).toBe(5_000);
    expect(backoffDelay(DEFAULT_SETTINGS, 10, () => 0.5)).toBe(2_500);
    expect(backoffDelay(DEFAULT_SETTINGS, 2, () => 0)).toBe(0);
  });
});

describe('input while gated: a bounded buffer', () => {
  it('buffers input during a tool call and replays it in order after the toolResponse', async () => {
    const answer = deferred<string>();
    const h = await connectedSession({
      inputWhileGated: { buffer: { maxMs: 1_000 } },
      tools: [defineTool({ name: 'f', execute: () => answer.promise })],
    });
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.sendAudio(new Uint8Array([1, 0]));
    h.session.sendText('hello');
    h.session.sendAudio(new Uint8Array([2, 0]));
    expect(h.server.frames).toEqual([]);
    answer.resolve('ok');
    await vi.waitFor(() => expect(sentKinds(h.server)).toEqual(['toolResponse', 'audio', 'text', 'audio']));
    expect(h.server.violations).toEqual([]);
  });

  it('evicts the oldest input beyond maxMs, and counts every eviction', async () => {
    const answer = deferred<string>();
    const h = await connectedSession({
      inputWhileGated: { buffer: { maxMs: 40 } },
      tools: [defineTool({ name: 'f', execute: () => answer.promise })],
    });
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    for (let i = 1; i <= 5; i += 1) h.session.sendAudio(new Uint8Array(640).fill(i)); // 20 ms each
    expect(h.session.metrics()).toMatchObject({ buffered: 2, dropped: { evicted: 3 } });
    expect(h.of('inputDropped').map((e) => e.reason)).toEqual(['evicted', 'evicted', 'evicted']);
    answer.resolve('ok');
    await vi.waitFor(() => expect(sentKinds(h.server)).toEqual(['toolResponse', 'audio', 'audio']));
    const firstBytes = h.server.frames.flatMap(({ frame }) => (frame.type === 'realtimeInput' && frame.input.kind === 'audio' ? [frame.input.data[0]] : []));
    expect(firstBytes).toEqual([4, 5]);
    const m = h.session.metrics();
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
  });

  it('counts what is still buffered when the session closes as dropped', async () => {
    const h = await connectedSession({
      inputWhileGated: { buffer: { maxMs: 1_000 } },
      tools: [defineTool({ name: 'f', execute: () => new Promise(() => undefined) })],
    });
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.sendAudio(FRAME);
    await h.session.close();
    expect(h.session.metrics()).toMatchObject({ buffered: 0, dropped: { closed: 1 } });
  });
});

describe('NON_BLOCKING tools', () => {
  const background = (scheduling?: 'SILENT' | 'INTERRUPT') =>
    defineTool({
      name: 'remember',
      behavior: 'NON_BLOCKING',
      ...(scheduling ? { scheduling } : {}),
      execute: () => 'noted',
    });

  it('keeps the mic streaming while the tool runs, and answers WHEN_IDLE by default', async () => {
    const answer = deferred<string>();
    const h = await connectedSession({
      tools: [defineTool({ name: 'remember', behavior: 'NON_BLOCKING', execute: () => answer.promise })],
    });
    h.server.send({ toolCall: { functionCalls: [{ id: 'bg', name: 'remember', args: {} }] } });
    expect(h.session.state).toBe('streaming');
    h.session.sendAudio(FRAME);
    answer.resolve('noted');
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({
      type: 'toolResponse',
      responses: [{ id: 'bg', name: 'remember', response: { output: 'noted' }, scheduling: 'WHEN_IDLE' }],
    });
    expect(sentKinds(h.server)).toEqual(['audio', 'toolResponse']);
    expect(h.of('gate')).toEqual([]);
  });

  it("uses the tool's own scheduling", async () => {
    const h = await connectedSession({ tools: [background('INTERRUPT')] });
    h.server.send({ toolCall: { functionCalls: [{ id: 'bg', name: 'remember', args: {} }] } });
    expect(await h.server.waitForFrame(isToolResponse)).toMatchObject({ responses: [{ scheduling: 'INTERRUPT' }] });
  });

  it('closes the gate for NON_BLOCKING tools too when configured to', async () => {
    const h = await connectedSession({ tools: [background()], gateNonBlockingTools: true });
    h.server.send({ toolCall: { functionCalls: [{ id: 'bg', name: 'remember', args: {} }] } });
    expect(h.session.state).toBe('awaitingToolResponse');
    await h.server.waitForFrame(isToolResponse);
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
  });

  it('gates on the blocking call of a mixed toolCall, and answers the background one on its own', async () => {
    const blocking = deferred<string>();
    const h = await connectedSession({ tools: [background(), defineTool({ name: 'f', execute: () => blocking.promise })] });
    h.server.send({
      toolCall: {
        functionCalls: [
          { id: 'bg', name: 'remember', args: {} },
          { id: 'b', name: 'f', args: {} },
        ],
      },
    });
    expect(h.session.state).toBe('awaitingToolResponse');
    expect(await h.server.waitForFrame(isToolResponse)).toMatchObject({ responses: [{ id: 'bg' }] });
    expect(h.session.state).toBe('awaitingToolResponse');
    blocking.resolve('done');
    await vi.waitFor(() => expect(h.session.state).toBe('streaming'));
    expect(h.server.frames.map((f) => (f.frame.type === 'toolResponse' ? f.frame.responses.map((r) => r.id) : []))).toEqual([['bg'], ['b']]);
  });
});
