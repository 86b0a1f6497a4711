import { describe, expect, it, vi } from 'vitest';
import type { LiveSessionError} from '../../src/index.js';
import { createLiveSession, defineTool } from '../../src/index.js';
import { ProtocolError } from '../../src/protocol/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { connectedSession, FRAME, isToolResponse, sentKinds } from '../helpers.js';

describe('I6: no crash', () => {
  it.each([
    ['a string', 'not an object'],
    ['an array', [1, 2]],
    ['null', null],
    ['a toolCall with no calls', { toolCall: { functionCalls: [] } }],
    ['a toolCall that is not an object', { toolCall: 'call me' }],
    ['a cancellation without ids', { toolCallCancellation: {} }],
    ['audio that is not base64', { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm', data: '@@@' } }] } } }],
    ['parts that are not an array', { serverContent: { modelTurn: { parts: 'x' } } }],
    ['a transcription that is not an object', { serverContent: { inputTranscription: 'hi' } }],
    ['a resumption handle that is not a string', { sessionResumptionUpdate: { newHandle: 7, resumable: true } }],
  ])('reports a malformed server message (%s) as an error event and goes on', async (_name, message) => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => 'ok' })] });
    h.server.send(message);
    const errors = h.of('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(ProtocolError);
    expect(errors[0]?.error.code).toBe('MALFORMED_MESSAGE');
    expect(h.session.state).toBe('streaming');

    // The session still works.
    h.session.sendAudio(FRAME);
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    await h.server.waitForFrame(isToolResponse);
    expect(sentKinds(h.server)).toEqual(['audio', 'toolResponse']);
  });

  it('gates on the usable calls of a toolCall that also has a broken one', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => 'ok' })] });
    h.server.send({ toolCall: { functionCalls: [{ id: 'bad' }, { id: 'good', name: 'f', args: {} }] } });
    expect(h.session.state).toBe('awaitingToolResponse');
    expect(h.of('error')[0]?.error.code).toBe('MALFORMED_MESSAGE');
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({ type: 'toolResponse', responses: [{ id: 'good', name: 'f', response: { output: 'ok' } }] });
  });

  it('answers INVALID_ARGS when the server sends arguments that are not an object', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => 'ok' })] });
    h.server.send({ toolCall: { functionCalls: [{ id: '1', name: 'f', args: 'oops' }] } });
    const frame = await h.server.waitForFrame(isToolResponse);
    expect(frame).toEqual({
      type: 'toolResponse',
      responses: [{ id: '1', name: 'f', response: { error: "invalid arguments for 'f': args: must be an object" } }],
    });
  });

  it('ignores unknown fields and parts it does not forward (executableCode, thoughts)', async () => {
    const h = await connectedSession();
    h.server.send({
      serverContent: {
        modelTurn: { parts: [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }, { text: 'hmm', thought: true }, { text: 'Hi' }] },
      },
      somethingNew: { x: 1 },
    });
    expect(h.of('error')).toEqual([]);
    expect(h.of('text')).toEqual([{ type: 'text', text: 'Hi' }]);
  });

  it('survives a listener that throws, reporting it as an error event', async () => {
    const h = await connectedSession();
    const heard: string[] = [];
    h.session.on('text', () => {
      throw new Error('listener bug');
    });
    h.session.on('text', ({ text }) => heard.push(text));
    const errors: LiveSessionError[] = [];
    h.session.on('error', ({ error }) => errors.push(error));

    h.server.send({ serverContent: { modelTurn: { parts: [{ text: 'one' }] } } });
    h.server.send({ serverContent: { modelTurn: { parts: [{ text: 'two' }] } } });

    expect(heard).toEqual(['one', 'two']);
    expect(errors.map((e) => e.code)).toEqual(['LISTENER_THREW', 'LISTENER_THREW']);
    expect(h.session.state).toBe('streaming');
  });

  it('reports an error listener that throws on the console instead of recursing', async () => {
    const h = await connectedSession();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    h.session.on('error', () => {
      throw new Error('error listener bug');
    });
    h.server.send('garbage');
    expect(consoleError).toHaveBeenCalledTimes(1);
    consoleError.mockRestore();
    expect(h.session.state).toBe('streaming');
  });

  it('reports a send that throws as a SEND_FAILED error and goes on', async () => {
    const h = await connectedSession();
    h.server.failSends(new Error('socket is gone'));
    h.session.sendAudio(FRAME);
    expect(h.of('error').map((e) => [e.error.code, e.error.reason])).toEqual([['SEND_FAILED', 'socket is gone']]);
    expect(h.session.state).toBe('streaming');
  });

  it('rejects connect() with a typed error when the transport cannot connect', async () => {
    const transport = createScriptedTransport({ open: 'manual' });
    const session = createLiveSession({ transport, reconnect: false });
    const connecting = session.connect();
    const server = await transport.nextConnection();
    server.reject(new Error('401 API key not valid'));
    await expect(connecting).rejects.toMatchObject({ code: 'CONNECT_FAILED', reason: '401 API key not valid' });
    expect(session.state).toBe('closed');
  });

  it('rejects connect() when the server closes before setup completes', async () => {
    const transport = createScriptedTransport({ open: 'manual' });
    const session = createLiveSession({ transport });
    const connecting = session.connect();
    const server = await transport.nextConnection();
    server.serverClose(1008, 'Requested entity was not found');
    await expect(connecting).rejects.toMatchObject({ code: 'SERVER_CLOSED', closeCode: 1008, retryable: false });
  });

  it('times out a connection whose setup never completes', async () => {
    vi.useFakeTimers();
    try {
      const transport = createScriptedTransport({ open: 'manual' });
      const session = createLiveSession({ transport, connectTimeoutMs: 5_000, reconnect: false });
      const connecting = session.connect();
      const outcome = connecting.catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await outcome).toMatchObject({ code: 'CONNECT_TIMEOUT' });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('closes with a typed, classified error when the server closes the connection for good', async () => {
    const h = await connectedSession();
    h.server.serverClose(1007, 'Request contains an invalid argument.');
    expect(h.session.state).toBe('closed');
    const [closed] = h.of('closed');
    expect(closed?.closedBy).toMatchObject({ by: 'server', error: { closeCode: 1007, kind: 'invalidArgument', retryable: false } });
  });

  it('closes on a retryable close too when reconnecting is off', async () => {
    const h = await connectedSession({ reconnect: false });
    h.server.serverClose(1011, 'Internal error encountered.');
    expect(h.session.state).toBe('closed');
    const [closed] = h.of('closed');
    expect(closed?.closedBy).toMatchObject({ by: 'server', error: { closeCode: 1011, kind: 'internal', retryable: true } });
  });
});
