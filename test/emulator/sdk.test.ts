/**
 * The unmodified @google/genai SDK against the emulator: what the library's own end-to-end tests
 * rely on.
 */
import { GoogleGenAI, Modality, type LiveServerMessage, type Session } from '@google/genai';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLOSE_REASONS, type LiveEmulator } from '../../src/testing/emulator/index.js';
import { emulator, pcm16k } from './helpers.js';

const MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';

interface SdkClient {
  session: Session;
  messages: LiveServerMessage[];
  /** Resolves with the `count`-th received message matching, past or future. */
  waitFor(predicate: (message: LiveServerMessage) => boolean, count?: number): Promise<LiveServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
}

interface ConnectOptions {
  vertex?: boolean;
  sessionResumption?: { handle?: string };
  /** Answer every tool call with `{ output: 'sunny' }`. */
  answerTools?: boolean;
}

/** Starts `ai.live.connect` without awaiting it, so that callers can also watch a connect that never resolves. */
function startSdk(live: LiveEmulator, options: ConnectOptions = {}): { connecting: Promise<Session>; client: Omit<SdkClient, 'session'> } {
  const ai = options.vertex
    ? new GoogleGenAI({ vertexai: true, apiKey: 'test', httpOptions: { baseUrl: live.baseUrl } })
    : new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: live.baseUrl } });
  const messages: LiveServerMessage[] = [];
  const waiters = new Set<() => void>();
  let session: Session | undefined;
  let markClosed: (info: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    markClosed = resolve;
  });
  const connecting = ai.live.connect({
    model: MODEL,
    config: {
      responseModalities: [Modality.AUDIO],
      ...(options.sessionResumption ? { sessionResumption: options.sessionResumption } : {}),
    },
    callbacks: {
      onmessage: (message) => {
        messages.push(message);
        if (options.answerTools && session) {
          for (const { id, name } of message.toolCall?.functionCalls ?? []) {
            session.sendToolResponse({ functionResponses: [{ id, name, response: { output: 'sunny' } }] });
          }
        }
        for (const waiter of [...waiters]) waiter();
      },
      onclose: (event) => markClosed({ code: event.code, reason: event.reason }),
    },
  });
  void connecting.then((connected) => {
    session = connected;
    onTestFinished(() => connected.close());
  });
  return {
    connecting,
    client: {
      messages,
      closed,
      waitFor(predicate, count = 1) {
        return new Promise((resolve) => {
          const check = (): void => {
            const found = messages.filter(predicate)[count - 1];
            if (!found) return;
            waiters.delete(check);
            resolve(found);
          };
          waiters.add(check);
          check();
        });
      },
    },
  };
}

async function connectSdk(live: LiveEmulator, options: ConnectOptions = {}): Promise<SdkClient> {
  const { connecting, client } = startSdk(live, options);
  return { session: await connecting, ...client };
}

const sendAudio = (session: Session, ms: number): void =>
  session.sendRealtimeInput({ audio: { data: pcm16k(ms), mimeType: 'audio/pcm;rate=16000' } });

describe('@google/genai against the emulator', () => {
  it('connects: connect() resolves after setupComplete and the setup is recorded', async () => {
    const live = await emulator();
    const sdk = await connectSdk(live);
    expect(sdk.messages[0]?.setupComplete).toEqual({});
    const connection = await live.nextConnection();
    expect(connection.apiVersion).toBe('v1beta');
    expect(connection.path).toMatch(/^\/\/ws\/.*BidiGenerateContent\?key=test$/);
    expect(connection.setup).toEqual({ model: `models/${MODEL}`, generationConfig: { responseModalities: ['AUDIO'] } });
    sdk.session.close();
    expect(await connection.closed).toEqual({ code: 1005, reason: '', by: 'client' });
  });

  it('plays the echo scenario: audio, transcriptions, usage', async () => {
    const live = await emulator({ scenario: 'echo' });
    const sdk = await connectSdk(live);
    sendAudio(sdk.session, 1000);
    const done = await sdk.waitFor((message) => message.serverContent?.turnComplete === true);
    expect(done.usageMetadata?.totalTokenCount).toBe(160);
    const audioPart = sdk.messages.find((message) => message.serverContent?.modelTurn)?.serverContent?.modelTurn?.parts?.[0];
    expect(audioPart?.inlineData?.mimeType).toBe('audio/pcm;rate=24000');
    expect(sdk.messages.map((message) => message.serverContent?.outputTranscription?.text).filter(Boolean)).toEqual([
      'Yes, I can hear you.',
    ]);
    // The SDK's `data` getter joins the inline audio of a model turn.
    expect(sdk.messages.find((message) => message.data)?.data).toBe(audioPart?.inlineData?.data);
  });

  it('plays the tool-call scenario through sendToolResponse', async () => {
    const live = await emulator({ scenario: 'tool-call' });
    const sdk = await connectSdk(live, { answerTools: true });
    sendAudio(sdk.session, 300);
    await sdk.waitFor((message) => message.serverContent?.turnComplete === true);
    const connection = await live.nextConnection();
    const response = await connection.waitForToolResponse();
    expect(response.functionResponses).toEqual([{ id: 'fc-1', name: 'get_weather', response: { output: 'sunny' } }]);
    expect(sdk.messages.find((message) => message.toolCall)?.toolCall?.functionCalls).toEqual([
      { name: 'get_weather', args: { city: 'Paris' }, id: 'fc-1' },
    ]);
  });

  it('gets 1008 with the exact reason for audio sent during a pending tool call', async () => {
    const live = await emulator({ scenario: 'tool-call', graceMs: 0 });
    const sdk = await connectSdk(live);
    sendAudio(sdk.session, 300);
    await sdk.waitFor((message) => message.toolCall !== undefined);
    sendAudio(sdk.session, 20);
    expect(await sdk.closed).toEqual({ code: 1008, reason: 'Operation is not implemented, or supported, or enabled.' });
    expect(live.stats.violations1008).toBe(1);
  });

  it('gets 1006 when the emulator aborts the socket', async () => {
    const live = await emulator();
    const sdk = await connectSdk(live);
    (await live.nextConnection()).abort();
    expect((await sdk.closed).code).toBe(1006);
  });

  it('gets 1007 for sendRealtimeInput({ media }), which the SDK still sends as mediaChunks', async () => {
    const live = await emulator();
    const sdk = await connectSdk(live);
    sdk.session.sendRealtimeInput({ media: { data: pcm16k(20), mimeType: 'audio/pcm;rate=16000' } });
    expect(await sdk.closed).toEqual(CLOSE_REASONS.invalidArgument);
  });

  it('resumes by handle, and an unknown handle closes 1008 before setupComplete', async () => {
    const live = await emulator();
    const first = await connectSdk(live, { sessionResumption: {} });
    const update = await first.waitFor((message) => message.sessionResumptionUpdate !== undefined);
    const handle = update.sessionResumptionUpdate?.newHandle ?? '';
    expect(update.sessionResumptionUpdate).toEqual({ newHandle: handle, resumable: true });
    first.session.close();

    await connectSdk(live, { sessionResumption: { handle } });
    expect(live.connections[1]?.resumedFrom).toBe(handle);

    // @google/genai 2.x never settles connect() when the socket closes before setupComplete;
    // the close callback is the only signal.
    const { client } = startSdk(live, { sessionResumption: { handle: 'unknown' } });
    expect(await client.closed).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found' });
  });

  it('speaks Vertex AI style: calls without ids, answered by name', async () => {
    const live = await emulator({ scenario: 'tool-call', callIds: false });
    const sdk = await connectSdk(live, { vertex: true, answerTools: true });
    const connection = await live.nextConnection();
    expect(connection.path).toMatch(/google\.cloud\.aiplatform\.v1beta1\.LlmBidiService\/BidiGenerateContent$/);
    sendAudio(sdk.session, 300);
    await sdk.waitFor((message) => message.serverContent?.turnComplete === true);
    expect(sdk.messages.find((message) => message.toolCall)?.toolCall?.functionCalls?.[0]?.id).toBeUndefined();
    expect((await connection.waitForToolResponse()).functionResponses).toEqual([
      { name: 'get_weather', response: { output: 'sunny' } },
    ]);
  });
});
