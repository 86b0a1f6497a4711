/**
 * The session on each model's rules (issue 13), over the scripted transport playing the model:
 * tools declared with their effective behaviour, the gate only for blocking calls, input that
 * cancels a blocking call under `whileBlockingCall: 'interrupt'`, refusals before any socket,
 * conversation content and new tools in order with the input, and the model's own signals.
 */
import { describe, expect, it } from 'vitest';
import { createLiveSession, defineTool } from '../../src/index.js';
import { ModelRefusalError } from '../../src/protocol/errors.js';
import { createScriptedTransport, type ScriptedTransportOptions } from '../../src/testing/index.js';
import { deferred, FRAME, isToolResponse, nextEvent } from '../helpers.js';

const LIVE_38 = 'models/gemini-3.8-live';

async function session38(options: Partial<Parameters<typeof createLiveSession>[0]> & { scripted?: ScriptedTransportOptions } = {}) {
  const { scripted, ...rest } = options;
  const transport = createScriptedTransport({ inputDuringBlockingCall: 'cancelsCall', ...scripted });
  const session = createLiveSession({ transport, model: LIVE_38, ...rest } as Parameters<typeof createLiveSession>[0]);
  await session.connect();
  const server = transport.connections[0];
  if (!server) throw new Error('no connection');
  return { session, transport, server };
}

describe('gemini-3.8-live', () => {
  it('declares a tool without behaviour NON_BLOCKING, never gates on it, and answers with scheduling', async () => {
    const { session, server } = await session38({ tools: [defineTool({ name: 'lookup', execute: () => ({ ok: true }) })] });
    expect(server.request.functionDeclarations).toEqual([{ name: 'lookup', behavior: 'NON_BLOCKING' }]);
    server.toolCall([{ id: 'c1', name: 'lookup', args: {} }]);
    expect(session.state).toBe('streaming');
    session.sendAudio(FRAME);
    const answer = await server.waitForFrame(isToolResponse);
    expect(answer).toEqual({ type: 'toolResponse', responses: [{ id: 'c1', name: 'lookup', response: { output: { ok: true } }, scheduling: 'WHEN_IDLE' }] });
    expect(server.violations).toEqual([]);
    expect(server.implicitlyCancelled).toEqual([]);
  });

  it("holds input during a BLOCKING call under 'gate', so the call completes with its one answer", async () => {
    const result = deferred<string>();
    const { session, server } = await session38({ tools: [defineTool({ name: 'refund', behavior: 'BLOCKING', execute: () => result.promise })] });
    server.toolCall([{ id: 'c1', name: 'refund', args: {} }]);
    expect(session.state).toBe('awaitingToolResponse');
    session.sendAudio(FRAME);
    session.sendClientContent([{ role: 'user', parts: [{ text: 'still there?' }] }]);
    result.resolve('refunded');
    await server.waitForFrame(isToolResponse);
    expect(server.frames.map(({ frame }) => frame.type)).toEqual(['toolResponse', 'clientContent']);
    expect(server.implicitlyCancelled).toEqual([]);
  });

  for (const silentCancel of [false, true]) {
    it(`lets input through under 'interrupt': the call is aborted and never answered (${silentCancel ? 'silent' : 'with a toolCallCancellation'})`, async () => {
      let signal: AbortSignal | undefined;
      const { session, server } = await session38({
        whileBlockingCall: 'interrupt',
        scripted: { silentCancel },
        tools: [
          defineTool({
            name: 'refund',
            behavior: 'BLOCKING',
            execute: (_args, context) => {
              signal = context.signal;
              return new Promise(() => undefined);
            },
          }),
        ],
      });
      const cancelled = nextEvent(session, 'toolCancelled');
      server.toolCall([{ id: 'c1', name: 'refund', args: {} }]);
      expect(session.state).toBe('awaitingToolResponse');
      session.sendAudio(FRAME);
      expect(await cancelled).toEqual({ type: 'toolCancelled', ids: ['c1'], implicit: true });
      expect(signal?.aborted).toBe(true);
      expect(session.state).toBe('streaming');
      expect(server.frames.map(({ frame }) => (frame.type === 'realtimeInput' ? frame.input.kind : frame.type))).toEqual(['audio']);
      expect(server.implicitlyCancelled).toEqual(['c1']);
      // A cancellation that comes after changes nothing.
      server.cancel(['c1']);
      expect(session.metrics()).toMatchObject({ toolCalls: 1, toolCancellations: 1, toolCallsAnswered: 0, pendingToolCalls: 0 });
    });
  }

  it("holds content that does not end the turn under 'interrupt': the server keeps the call, so it is answered", async () => {
    const result = deferred<string>();
    const { session, server } = await session38({
      whileBlockingCall: 'interrupt',
      tools: [defineTool({ name: 'refund', behavior: 'BLOCKING', execute: () => result.promise })],
    });
    server.toolCall([{ id: 'c1', name: 'refund', args: {} }]);
    session.sendClientContent([{ role: 'user', parts: [{ text: 'order A-1' }] }], { turnComplete: false });
    expect(session.state).toBe('awaitingToolResponse');
    result.resolve('refunded');
    await server.waitForFrame(isToolResponse);
    expect(server.frames.map(({ frame }) => frame.type)).toEqual(['toolResponse', 'clientContent']);
    expect(server.implicitlyCancelled).toEqual([]);
    expect(session.metrics()).toMatchObject({ toolCancellations: 0, toolCallsAnswered: 1 });
  });

  it("refuses 'interrupt' when created for a model that closes with 1008 instead", () => {
    expect(() =>
      createLiveSession({ transport: createScriptedTransport(), model: 'gemini-2.5-flash-native-audio-preview-09-2025', whileBlockingCall: 'interrupt' }),
    ).toThrow(/1008/);
  });
});

describe('refusals before any socket', () => {
  it('fails connect() for a BLOCKING tool on extended thinking, naming the field and the model', async () => {
    const transport = createScriptedTransport();
    const session = createLiveSession({
      transport,
      model: 'models/gemini-3.8-live-extended-thinking',
      tools: [defineTool({ name: 'book', behavior: 'BLOCKING', execute: () => 1 })],
    });
    const failure = await session.connect().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelRefusalError);
    expect(failure).toMatchObject({ field: 'tools.book.behavior', model: 'models/gemini-3.8-live-extended-thinking', retryable: false });
    expect(transport.connections).toHaveLength(0);
  });

  it('says so, with an info event, when the model is unknown', async () => {
    const session = createLiveSession({ transport: createScriptedTransport(), model: 'gemini-9-live-experimental' });
    const info = nextEvent(session, 'info');
    await session.connect();
    expect(await info).toMatchObject({ code: 'UNKNOWN_MODEL' });
  });
});

describe('content, tools and the model in order with the input', () => {
  it('sends conversation content, and holds it between connections', async () => {
    const { session, server } = await session38();
    session.sendClientContent([{ role: 'user', parts: [{ text: 'hi' }] }], { turnComplete: false });
    expect(server.frames.at(-1)?.frame).toEqual({ type: 'clientContent', turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: false });
    const errors: string[] = [];
    session.on('error', ({ error }) => errors.push(error.code));
    session.sendClientContent([] as never);
    session.sendClientContent([{ role: 'system', parts: [{ text: 'x' }] }] as never);
    expect(errors).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
    expect(session.metrics().contentSent).toBe(1);
  });

  it('replaces the tools mid-session, and a call pending for a removed tool still gets its one answer', async () => {
    const result = deferred<string>();
    const { session, server } = await session38({ tools: [defineTool({ name: 'old', behavior: 'BLOCKING', execute: () => result.promise })] });
    server.toolCall([{ id: 'c1', name: 'old', args: {} }]);
    session.updateTools([defineTool({ name: 'fresh', execute: () => 'new' })]);
    expect(server.frames.at(-1)?.frame).toEqual({ type: 'contextUpdate', update: { tools: [{ name: 'fresh', behavior: 'NON_BLOCKING' }] } });
    result.resolve('old answer');
    expect(await server.waitForFrame(isToolResponse)).toMatchObject({ responses: [{ id: 'c1', name: 'old', response: { output: 'old answer' } }] });
    server.toolCall([{ id: 'c2', name: 'old', args: {} }]);
    const unknown = await server.waitForFrame((frame) => frame.type === 'toolResponse' && frame.responses[0]?.id === 'c2');
    expect(unknown).toMatchObject({ responses: [{ id: 'c2', response: { error: expect.stringContaining("no tool named 'old'") } }] });
  });

  it('reports the model waiting for input, its interaction status, and every message whole', async () => {
    const transport = createScriptedTransport();
    const session = createLiveSession({ transport, model: 'models/gemini-3.8-live-extended-thinking' });
    await session.connect();
    const server = transport.connections[0];
    const seen: unknown[] = [];
    session.on('waitingForInput', (event) => seen.push(event));
    session.on('interactionStatus', (event) => seen.push(event));
    const messages: unknown[] = [];
    session.on('message', ({ message }) => messages.push(message));
    server?.send({ serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS', groundingMetadata: { x: 1 } } });
    expect(session.actor.getSnapshot().context.modelIdle).toBe(false);
    server?.send({ serverContent: { turnComplete: true, interactionStatus: 'IDLE', waitingForInput: true } });
    expect(session.actor.getSnapshot().context.modelIdle).toBe(true);
    expect(seen).toEqual([
      { type: 'interactionStatus', status: 'IN_PROGRESS' },
      { type: 'waitingForInput' },
      { type: 'interactionStatus', status: 'IDLE' },
    ]);
    expect(messages[0]).toEqual({ serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS', groundingMetadata: { x: 1 } } });
    expect(messages).toHaveLength(2);
  });
});
