import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_REASONS, startLiveEmulator } from '../../src/testing/emulator/index.js';
import { audio, connectRaw, emulator, MODEL, openRaw } from './helpers.js';

const INVALID = CLOSE_REASONS.invalidArgument;

describe('handshake and setup', () => {
  it('answers setup with setupComplete in a binary frame and records the setup', async () => {
    const live = await emulator();
    expect(live.baseUrl).toBe(`http://127.0.0.1:${live.port}`);
    const { client, connection } = await connectRaw(live, { generationConfig: { responseModalities: ['AUDIO'] } });
    const [first] = client.received;
    expect(first?.binary).toBe(true);
    expect(first?.message).toEqual({ setupComplete: {} });
    await connection.ready;
    expect(connection.setup).toEqual({ model: MODEL, generationConfig: { responseModalities: ['AUDIO'] } });
    expect(connection.apiVersion).toBe('v1beta');
    expect(live.connections).toEqual([connection]);
    expect(live.stats.connections).toBe(1);
  });

  it.each(['v1', 'v1alpha', 'v1beta'])('accepts the %s path, with or without the double slash', async (version) => {
    const live = await emulator();
    for (const slashes of ['//', '/']) {
      const client = await openRaw(live.baseUrl, `${slashes}ws/google.ai.generativelanguage.${version}.GenerativeService.BidiGenerateContent?key=k`);
      client.ws.close();
      await client.closed;
    }
    expect(live.connections.map((connection) => connection.apiVersion)).toEqual([version, version]);
  });

  it('refuses other paths with HTTP 404', async () => {
    const live = await emulator();
    const status = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${live.port}//ws/something.else?key=k`);
      ws.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
    const plain = await new Promise<number | undefined>((resolve) => {
      request(`${live.baseUrl}/`, (response) => {
        response.resume();
        resolve(response.statusCode);
      }).end();
    });
    expect(plain).toBe(404);
    expect(live.stats.connections).toBe(0);
  });

  it('closes 1007 when the first frame is not setup', async () => {
    const live = await emulator();
    const client = await openRaw(live.baseUrl);
    client.send(audio(20));
    expect(await client.closed).toEqual(INVALID);
    const connection = await live.nextConnection();
    expect(await connection.closed).toEqual({ ...INVALID, by: 'server' });
    expect(connection.refusal?.problem).toMatch(/first message must be setup/);
    await expect(connection.ready).rejects.toThrow(/before setup completed/);
  });

  it('closes 1007 on a second setup', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    client.send({ setup: { model: MODEL } });
    expect(await client.closed).toEqual(INVALID);
    expect(connection.refusal?.problem).toMatch(/already/);
    await connection.closed;
    expect(live.stats.closes).toEqual({ 1007: 1 });
  });

  it('closes 1007 on mediaChunks', async () => {
    const live = await emulator();
    const { client } = await connectRaw(live);
    client.send({ realtimeInput: { mediaChunks: [{ data: '', mimeType: 'audio/pcm;rate=16000' }] } });
    expect(await client.closed).toEqual(INVALID);
  });

  it('closes 1007 on a frame that is not JSON, and records it raw', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    client.ws.send('{not json');
    expect(await client.closed).toEqual(INVALID);
    expect(connection.frames.at(-1)).toMatchObject({ message: null, raw: '{not json', bytes: 9 });
  });

  it('closes 1007 on a message with an unknown or a second top-level key', async () => {
    const live = await emulator();
    const first = await connectRaw(live);
    first.client.send({ somethingElse: {} });
    expect(await first.client.closed).toEqual(INVALID);
    const second = await connectRaw(live);
    second.client.send({ clientContent: { turnComplete: true }, toolResponse: { functionResponses: [] } });
    expect(await second.client.closed).toEqual(INVALID);
  });
});

describe('recording', () => {
  it('records every client frame with its arrival time and size, and waits for messages past or future', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    client.send(audio(40));
    client.send({ realtimeInput: { text: 'hi' } });
    const text = await connection.waitForMessage((message) => message.realtimeInput?.text !== undefined);
    expect(text).toEqual({ realtimeInput: { text: 'hi' } });
    // A past frame matches too.
    const setup = await connection.waitForMessage((message) => message.setup !== undefined);
    expect(setup.setup?.model).toBe(MODEL);

    const frames = connection.frames;
    expect(frames.map((frame) => Object.keys(frame.message ?? {})[0])).toEqual(['setup', 'realtimeInput', 'realtimeInput']);
    const times = frames.map((frame) => frame.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((at) => at > 0 && at <= performance.now())).toBe(true);
    expect(frames[1]?.bytes).toBe(JSON.stringify(audio(40)).length);
    expect(connection.counters.audioMs).toBe(40);
    expect(connection.counters.framesReceived).toBe(3);
    expect(live.stats.framesReceived).toBe(3);
    expect(connection.sent[0]?.message).toEqual({ setupComplete: {} });
  });

  it('calls onFrame for each frame', async () => {
    const seen: string[] = [];
    const live = await emulator({ onFrame: (connection, frame) => seen.push(`${connection.id}:${frame.bytes}`) });
    const { client, connection } = await connectRaw(live);
    client.send({ realtimeInput: { activityStart: {} } });
    await connection.waitForMessage((message) => message.realtimeInput?.activityStart !== undefined);
    expect(seen).toHaveLength(2);
  });

  it('rejects a wait on timeout and when the connection closes', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    await expect(connection.waitForMessage(() => false, { timeoutMs: 10 })).rejects.toThrow(/within 10 ms/);
    const pending = connection.waitForMessage((message) => message.clientContent !== undefined);
    client.ws.close(1000, 'bye');
    await expect(pending).rejects.toThrow(/closed/);
    expect(await connection.closed).toEqual({ code: 1000, reason: 'bye', by: 'client' });
    await expect(connection.waitForMessage(() => false)).rejects.toThrow(/closed/);
  });
});

describe('closing', () => {
  it('sends the close code and reason a script asks for', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    connection.close(1011, 'Internal error encountered.');
    expect(await client.closed).toEqual({ code: 1011, reason: 'Internal error encountered.' });
    expect(await connection.closed).toEqual({ code: 1011, reason: 'Internal error encountered.', by: 'server' });
    expect(live.stats.closes).toEqual({ 1011: 1 });
    // Nothing goes out after a close.
    connection.sendTurnComplete();
    expect(connection.sent.at(-1)?.message).toEqual({ setupComplete: {} });
  });

  it('abort() drops the socket without a close frame: the client sees 1006', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    connection.abort();
    expect((await client.closed).code).toBe(1006);
    expect(await connection.closed).toEqual({ code: 1006, reason: '', by: 'server' });
  });

  it('records a client close without a code as 1005', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    client.ws.close();
    expect(await connection.closed).toEqual({ code: 1005, reason: '', by: 'client' });
    expect(live.stats.closes).toEqual({ 1005: 1 });
  });

  it('sendRaw sends malformed bytes as they are', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    connection.sendRaw('{"serverContent": ');
    connection.sendRaw({ unknownMessage: true }, { binary: false });
    await client.waitFor((message) => 'unknownMessage' in message);
    expect(client.received.slice(1).map(({ binary, text }) => ({ binary, text }))).toEqual([
      { binary: true, text: '{"serverContent": ' },
      { binary: false, text: '{"unknownMessage":true}' },
    ]);
  });

  it('closes a connection with 1011 when its script throws', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const live = await emulator({
        onConnection: async (connection) => {
          await connection.ready;
          throw new Error('script bug');
        },
      });
      const { client } = await connectRaw(live);
      expect(await client.closed).toEqual(CLOSE_REASONS.internal);
      expect(errors).toHaveLength(1);
    } finally {
      console.error = original;
    }
  });

  it('close() drops every socket, stops listening, and is idempotent', async () => {
    const live = await startLiveEmulator();
    const { client, connection } = await connectRaw(live);
    const waiting = expect(live.nextConnection()).rejects.toThrow(/closed/);
    await Promise.all([live.close(), live.close()]);
    expect((await client.closed).code).toBe(1006);
    expect((await connection.closed).by).toBe('server');
    await waiting;
    await expect(live.nextConnection()).rejects.toThrow(/closed/);
    await expect(openRaw(live.baseUrl)).rejects.toThrow();
  });

  it('nextConnection hands out connections in order, whenever it is called', async () => {
    const live = await emulator();
    const first = await openRaw(live.baseUrl);
    const second = await openRaw(live.baseUrl);
    expect((await live.nextConnection()).id).toBe(1);
    expect((await live.nextConnection()).id).toBe(2);
    await expect(live.nextConnection({ timeoutMs: 10 })).rejects.toThrow(/within 10 ms/);
    first.ws.close();
    second.ws.close();
  });

  it('refuses an unknown scenario name', async () => {
    await expect(startLiveEmulator({ scenario: 'nope' as 'echo' })).rejects.toThrow(/unknown scenario nope/);
  });
});
