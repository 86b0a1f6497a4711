/**
 * The emulator alone, end to end, by the model in setup: the built-in 3.8 scenarios played to the
 * SDK of this run (2.x, or 3.x with GENAI_SDK=3) over a real socket, a refused setup, and 2.5 and
 * 3.1 unchanged. No gemini-live-fsm session: this is the stand-in the session's own 3.8 tests
 * run against, shown to hold on each SDK and its Node.
 */
import { Behavior, FunctionResponseScheduling, type LiveServerMessage, type Session } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { LiveEmulator } from '../../src/testing/index.js';
import { FRAME } from '../helpers.js';
import { Modality, SDK_VERSION, clientFor, emulator, onCleanup } from './sdk.js';

/** The enum's values are the same strings in both SDK majors. */
type Declaration = { name: string; behavior?: Behavior };

interface Client {
  /** Undefined when setup was refused (2.x never settles connect() then; 3.x rejects). */
  session: Promise<Session | undefined>;
  messages: LiveServerMessage[];
  next(predicate: (message: LiveServerMessage) => boolean, count?: number): Promise<LiveServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
}

/** `ai.live.connect` of this run's SDK to the emulator, with the messages kept for waiting on. */
function connect(target: LiveEmulator, model: string, functions: Declaration[] = []): Client {
  const messages: LiveServerMessage[] = [];
  const waiters = new Set<() => void>();
  let markClosed: (info: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (markClosed = resolve));
  const tools = functions.length > 0 ? [{ functionDeclarations: functions.map((fn) => ({ ...fn })) }] : undefined;
  const session = clientFor(target)
    .live.connect({
      model,
      config: { responseModalities: [Modality.AUDIO], ...(tools ? { tools } : {}) },
      callbacks: {
        onmessage: (message) => {
          messages.push(message);
          for (const waiter of [...waiters]) waiter();
        },
        onclose: (event) => markClosed({ code: event.code, reason: event.reason }),
      },
    })
    .then(
      (connected) => {
        onCleanup(() => connected.close());
        return connected;
      },
      () => undefined,
    );
  return {
    session,
    messages,
    closed,
    next: (predicate, count = 1) =>
      new Promise((resolve) => {
        const check = () => {
          const found = messages.filter(predicate)[count - 1];
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
  };
}

async function connected(client: Client): Promise<Session> {
  const session = await client.session;
  if (!session) throw new Error('setup was refused');
  return session;
}

const speak = (session: Session, ms: number) => {
  for (let sent = 0; sent < ms; sent += 20) session.sendRealtimeInput({ audio: { data: Buffer.from(FRAME).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
};
const isToolCall = (message: LiveServerMessage) => message.toolCall !== undefined;
const isWaiting = (message: LiveServerMessage) => message.serverContent?.waitingForInput === true;

describe(`the emulator by the model in setup (SDK ${SDK_VERSION})`, () => {
  it('gemini-3.8-live, async-tool: the user speaks on while the call runs, and the answer may carry scheduling', async () => {
    const emu = await emulator({ scenario: 'async-tool' });
    const client = connect(emu, 'gemini-3.8-live', [{ name: 'get_weather' }]);
    const session = await connected(client);
    const conn = await emu.nextConnection();
    speak(session, 300);
    const call = (await client.next(isToolCall)).toolCall?.functionCalls?.[0];
    speak(session, 200);
    // All 500 ms arrived while the call ran, and nothing was held, cancelled or closed.
    await conn.waitForMessage(() => conn.counters.audioMs >= 500);
    expect(conn.pendingToolCallIds).toEqual([call?.id]);
    session.sendToolResponse({ functionResponses: [{ id: call?.id, name: 'get_weather', response: { output: 'sunny' }, scheduling: FunctionResponseScheduling.WHEN_IDLE }] });
    await client.next(isWaiting);
    expect((await conn.waitForToolResponse()).functionResponses[0]).toMatchObject({ id: call?.id, scheduling: 'WHEN_IDLE' });
    expect(conn.counters.callsCancelledByInput).toBe(0);
    expect(emu.stats.closes).toEqual({});
  });

  it.each([false, true])('gemini-3.8-live, blocking-cancel (silentCancel %s): speech cancels the BLOCKING call, the late answer is ignored', async (silentCancel) => {
    const emu = await emulator({ scenario: 'blocking-cancel', silentCancel });
    const client = connect(emu, 'models/gemini-3.8-live', [{ name: 'issue_refund', behavior: Behavior.BLOCKING }]);
    const session = await connected(client);
    const conn = await emu.nextConnection();
    speak(session, 300);
    const call = (await client.next(isToolCall)).toolCall?.functionCalls?.[0];
    speak(session, 20);
    await client.next(isWaiting);
    expect(client.messages.filter((message) => message.toolCallCancellation).map((message) => message.toolCallCancellation?.ids)).toEqual(
      silentCancel ? [] : [[call?.id]],
    );
    session.sendToolResponse({ functionResponses: [{ id: call?.id, name: 'issue_refund', response: { output: 'refunded' } }] });
    await conn.waitForToolResponse();
    expect(conn.counters.lateAnswers).toBe(1);
    expect(conn.isOpen).toBe(true);
  });

  it('gemini-3.8-live-extended-thinking: IN_PROGRESS ends the spoken turn, the async call runs, IDLE when done', async () => {
    const emu = await emulator({ scenario: 'extended-thinking' });
    const client = connect(emu, 'gemini-3.8-live-extended-thinking');
    const session = await connected(client);
    speak(session, 300);
    const call = (await client.next(isToolCall)).toolCall?.functionCalls?.[0];
    speak(session, 100);
    session.sendToolResponse({ functionResponses: [{ id: call?.id, name: 'search_places', response: { output: ['Fushimi Inari'] } }] });
    await client.next(isWaiting);
    const statuses = client.messages.filter((message) => message.serverContent?.turnComplete).map((message) => message.serverContent?.interactionStatus);
    expect(statuses).toEqual(['IN_PROGRESS', 'IDLE']);
  });

  it('gemini-3.8-live-extended-thinking refuses a BLOCKING function: 1007 naming it, before setupComplete', async () => {
    const emu = await emulator();
    const client = connect(emu, 'gemini-3.8-live-extended-thinking', [{ name: 'search', behavior: Behavior.BLOCKING }]);
    expect(await client.closed).toEqual({
      code: 1007,
      reason: 'Request contains an invalid argument: tools[0].functionDeclarations[0].behavior is not supported by this model.',
    });
    expect(client.messages.some((message) => message.setupComplete)).toBe(false);
  });

  it.each(['gemini-2.5-flash-native-audio-preview-09-2025', 'gemini-3.1-flash-live-preview'])('%s is unchanged: speech during the call closes 1008', async (model) => {
    const emu = await emulator({ scenario: 'tool-call' });
    const client = connect(emu, model, [{ name: 'get_weather' }]);
    const session = await connected(client);
    speak(session, 300);
    await client.next(isToolCall);
    speak(session, 20);
    expect(await client.closed).toEqual({ code: 1008, reason: 'Operation is not implemented, or supported, or enabled.' });
  });
});
