import { describe, expect, it } from 'vitest';
import { defineTool, type LiveSession } from '../../src/index.js';
import { pacedPcm, syntheticSpeech } from '../../src/audio/index.js';
import type { EmulatorConnection, LiveEmulator } from '../../src/testing/index.js';
import { deferred, FRAME, nextEvent } from '../helpers.js';
import { emulator, fsmSession, SDK_VERSION } from './sdk.js';

/**
 * An emulator for a session whose mic streams all along. Frames the session sent just before the
 * toolCall reached it are still in flight when the server sees them: the grace window lets those
 * through (counted), and is sized for a busy CI machine. The client-side audit is exact.
 */
const withOpenMic = () => emulator({ graceMs: 250 });

type AuditedSession = ReturnType<typeof fsmSession>;

/** Connects a session, with a paced mic streaming all along as a real one would. */
async function start(emu: LiveEmulator, session: LiveSession): Promise<EmulatorConnection> {
  const connecting = emu.nextConnection();
  await session.connect();
  const conn = await connecting;
  const mic = new AbortController();
  session.attachMic(pacedPcm(syntheticSpeech(60_000), { signal: mic.signal }));
  session.on('closed', () => mic.abort());
  return conn;
}

/** Sends a toolCall and streams audio right after the gate closed, as a live mic would. */
async function toolCallWithMicOpen(session: LiveSession, conn: EmulatorConnection, calls: Parameters<EmulatorConnection['sendToolCall']>[0]) {
  const gateClosed = nextEvent(session, 'gate', (e) => e.state === 'closed');
  const ids = conn.sendToolCall(calls);
  await gateClosed;
  for (let i = 0; i < 5; i += 1) session.sendAudio(FRAME);
  return ids;
}

/** Audio after the gate reopened reaches the server, and nothing was refused. */
async function expectStreamingAgain(session: AuditedSession, conn: EmulatorConnection, emu: LiveEmulator) {
  if (session.state !== 'streaming') await nextEvent(session, 'gate', (e) => e.state === 'opened');
  const from = conn.frames.length;
  session.sendAudio(FRAME);
  await conn.waitForMessage((m) => m.realtimeInput?.audio !== undefined, { fromFrame: from });
  expect(session.gateViolations).toEqual([]);
  expect(conn.isOpen).toBe(true);
  expect(emu.stats.violations1008).toBe(0);
  expect(emu.stats.closes).toEqual({});
}

describe(`gemini-live-fsm through the real SDK (${SDK_VERSION})`, () => {
  it('survives a single tool call with the mic open', async () => {
    const emu = await withOpenMic();
    const session = fsmSession(emu, [defineTool({ name: 'get_weather', execute: async ({ city }: { city: string }) => ({ city, tempC: 21 }) })]);
    const conn = await start(emu, session);
    const [id] = await toolCallWithMicOpen(session, conn, [{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([
      { id, name: 'get_weather', response: { output: { city: 'Paris', tempC: 21 } } },
    ]);
    await expectStreamingAgain(session, conn, emu);
    expect(session.metrics().dropped.gated).toBeGreaterThanOrEqual(5);
  });

  it('survives parallel calls, answered in one toolResponse', async () => {
    const emu = await withOpenMic();
    const session = fsmSession(emu, [
      defineTool({ name: 'a', execute: () => 'A' }),
      defineTool({ name: 'b', execute: () => new Promise((resolve) => setTimeout(() => resolve('B'), 20)) }),
    ]);
    const conn = await start(emu, session);
    const ids = await toolCallWithMicOpen(session, conn, [{ name: 'a' }, { name: 'b' }]);
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([
      { id: ids[0], name: 'a', response: { output: 'A' } },
      { id: ids[1], name: 'b', response: { output: 'B' } },
    ]);
    await expectStreamingAgain(session, conn, emu);
  });

  it('survives back-to-back toolCalls, keeping the gate closed until both are answered', async () => {
    const emu = await withOpenMic();
    const first = deferred<string>();
    const session = fsmSession(emu, [
      defineTool({ name: 'slow', execute: () => first.promise }),
      defineTool({ name: 'fast', execute: () => 'fast' }),
    ]);
    const conn = await start(emu, session);
    await toolCallWithMicOpen(session, conn, [{ name: 'slow' }]);
    const toolCalls = nextEvent(session, 'toolCall');
    const [fastId] = conn.sendToolCall([{ name: 'fast' }]);
    await toolCalls;
    const fastAnswer = await conn.waitForMessage((m) => m.toolResponse?.functionResponses[0]?.id === fastId);
    expect(fastAnswer.toolResponse?.functionResponses).toHaveLength(1);
    expect(session.state).toBe('awaitingToolResponse');
    for (let i = 0; i < 3; i += 1) session.sendAudio(FRAME);
    first.resolve('slow');
    await expectStreamingAgain(session, conn, emu);
  });

  it('survives a tool that throws: the model gets an error response', async () => {
    const emu = await withOpenMic();
    const session = fsmSession(emu, [
      defineTool({
        name: 'get_weather',
        execute: () => {
          throw new Error('weather service down');
        },
      }),
    ]);
    const conn = await start(emu, session);
    const [id] = await toolCallWithMicOpen(session, conn, [{ name: 'get_weather' }]);
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([
      { id, name: 'get_weather', response: { error: "'get_weather' failed: weather service down" } },
    ]);
    await expectStreamingAgain(session, conn, emu);
  });

  it('survives a tool that hangs: it times out and the model gets an error response', async () => {
    const emu = await withOpenMic();
    let aborted: Promise<void> | undefined;
    const session = fsmSession(
      emu,
      [
        defineTool({
          name: 'hang',
          execute: (_args, { signal }) => {
            aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
            return new Promise(() => undefined);
          },
        }),
      ],
      { toolTimeoutMs: 100 },
    );
    const conn = await start(emu, session);
    const [id] = await toolCallWithMicOpen(session, conn, [{ name: 'hang' }]);
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([
      { id, name: 'hang', response: { error: "'hang' did not finish within 100 ms" } },
    ]);
    await aborted;
    await expectStreamingAgain(session, conn, emu);
  });

  it('survives a cancellation midway: the tool is aborted and no response is sent for it', async () => {
    const emu = await withOpenMic();
    let aborted!: () => void;
    const toolAborted = new Promise<void>((resolve) => (aborted = resolve));
    const session = fsmSession(emu, [
      defineTool({
        name: 'search',
        execute: (_args, { signal }) => {
          signal.addEventListener('abort', () => aborted());
          return new Promise(() => undefined);
        },
      }),
    ]);
    const conn = await start(emu, session);
    const [id] = await toolCallWithMicOpen(session, conn, [{ name: 'search' }]);
    const cancelled = nextEvent(session, 'toolCancelled');
    conn.sendInterrupted();
    conn.cancelToolCalls([id as string]);
    expect(await cancelled).toEqual({ type: 'toolCancelled', ids: [id] });
    await toolAborted;
    await expectStreamingAgain(session, conn, emu);
    expect(conn.frames.some((f) => f.message?.toolResponse)).toBe(false);
  });

  it('keeps a manual activity bracket well-formed across a tool call', async () => {
    const emu = await emulator();
    const answer = deferred<string>();
    const session = fsmSession(emu, [defineTool({ name: 'f', execute: () => answer.promise })], {
      config: { realtimeInputConfig: { automaticActivityDetection: { disabled: true } } },
    });
    const connecting = emu.nextConnection();
    await session.connect();
    const conn = await connecting;
    session.activityStart();
    session.sendAudio(FRAME);
    // No mic here, so no grace is needed: wait until the bracket's start is on the server.
    await conn.waitForMessage((m) => m.realtimeInput?.audio !== undefined);
    await toolCallWithMicOpen(session, conn, [{ name: 'f' }]);
    session.activityEnd(); // arrives while gated: deferred
    answer.resolve('ok');
    await conn.waitForMessage((m) => m.realtimeInput?.activityEnd !== undefined);
    const kinds = conn.frames.map((f) =>
      f.message?.toolResponse ? 'toolResponse' : Object.keys(f.message?.realtimeInput ?? f.message ?? {})[0],
    );
    expect(kinds).toEqual(['setup', 'activityStart', 'audio', 'toolResponse', 'activityEnd']);
    expect(session.gateViolations).toEqual([]);
    expect(emu.stats.violations1008).toBe(0);
  });

  it('delivers model audio and transcripts to the listeners', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const connecting = emu.nextConnection();
    await session.connect();
    const conn = await connecting;
    let audioBytes = 0;
    const transcript: string[] = [];
    session.on('audio', ({ data }) => (audioBytes += data.length));
    session.on('inputTranscription', ({ text }) => transcript.push(`user: ${text}`));
    session.on('outputTranscription', ({ text }) => transcript.push(`model: ${text}`));
    const turnComplete = nextEvent(session, 'turnComplete');
    conn.sendInputTranscription('what is the weather');
    conn.sendAudio({ ms: 200 });
    conn.sendOutputTranscription('It is sunny.');
    conn.sendTurnComplete();
    await turnComplete;
    expect(audioBytes).toBe(200 * 48); // 24 kHz PCM16: 48 bytes per ms
    expect(transcript).toEqual(['user: what is the weather', 'model: It is sunny.']);
  });
});
