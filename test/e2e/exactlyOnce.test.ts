/**
 * Exactly one answer, across reconnects (issue 14), through the real SDK against the emulator.
 *
 * The bugs these guard, as reported in the field: a connection lost while a tool runs, and the
 * result thrown away, so the resumed conversation never learns what happened (Pipecat #5465); a
 * resumed session that ignores a toolResponse for a call it did not issue (Pipecat PR #5497); a
 * model that calls the tool again after the resume, so a side effect happens twice; a goAway that
 * resumes mid-turn with a handle that is not resumable; a resume that dies again on every attempt
 * (a loop); the 58-minute cut without a goAway.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import type { EmulatorConnection, LiveEmulator } from '../../src/testing/index.js';
import { deferred, nextEvent } from '../helpers.js';
import { emulator, fsmSession, SDK_VERSION } from './sdk.js';

afterEach(() => {
  vi.useRealTimers();
});

const NO_WAIT = { reconnect: { baseDelayMs: 0 } } as const;

/** Every clientContent text the emulator received, over all connections, with the connection's id. */
function contextTurns(emu: LiveEmulator): { connection: number; text: string }[] {
  return emu.connections.flatMap((connection) =>
    connection.frames.flatMap(({ message }) =>
      (message?.clientContent?.turns ?? []).flatMap((turn) => (turn.parts ?? []).map((part) => ({ connection: connection.id, text: part.text ?? '' }))),
    ),
  );
}

/** The ids every toolResponse on `connection` answered. */
function answeredIds(connection: EmulatorConnection): string[] {
  return connection.frames.flatMap(({ message }) => message?.toolResponse?.functionResponses.map((response) => response.id ?? '') ?? []);
}

/** A connected session whose first connection has offered a resumable handle. */
async function connected(emu: LiveEmulator, session: ReturnType<typeof fsmSession>) {
  const first = emu.nextConnection();
  await session.connect();
  const conn = await first;
  const turnSeen = nextEvent(session, 'turnComplete');
  conn.sendTurnComplete(); // a resumption point
  await turnSeen;
  return conn;
}

describe(`exactly one answer, across reconnects (SDK ${SDK_VERSION})`, () => {
  it('an abnormal close mid tool call: the outcome reaches the resumed conversation as context, once, and never as a toolResponse for the old id', async () => {
    const emu = await emulator();
    const result = deferred<string>();
    const session = fsmSession(emu, [defineTool({ name: 'book_table', execute: () => result.promise })], NO_WAIT);
    const conn = await connected(emu, session);
    const handle = conn.lastHandle;
    const [oldId] = conn.sendToolCall([{ name: 'book_table', args: { seats: 2 } }]);
    await nextEvent(session, 'gate', (event) => event.state === 'closed');

    const orphaned = nextEvent(session, 'toolCallsOrphaned');
    const next = emu.nextConnection();
    conn.abort();
    const second = await next;
    expect((await orphaned).calls).toMatchObject([{ id: oldId, name: 'book_table' }]);
    await second.ready;
    expect(second.resumedFrom).toBe(handle);

    const delivered = nextEvent(session, 'toolResultDelivered');
    result.resolve('table 12 booked');
    expect(await delivered).toMatchObject({ via: 'context', call: { id: oldId } });
    await second.waitForMessage((message) => message.clientContent !== undefined);
    // Once more: a later turn, a later toolCall, and still one context turn naming the call.
    second.sendTurnComplete();
    const [newId] = second.sendToolCall([{ name: 'book_table', args: { seats: 4 } }]);
    await vi.waitFor(() => expect(answeredIds(second)).toEqual([newId]));

    const naming = contextTurns(emu).filter(({ text }) => text.includes('table 12 booked'));
    expect(naming).toEqual([{ connection: second.id, text: expect.stringContaining(`book_table({"seats":2}) [call ${oldId}]`) }]);
    expect(answeredIds(conn)).toEqual([]);
    expect(second.refusal).toBeUndefined();
    const { calls, toolCalls } = session.metrics();
    expect(calls).toMatchObject({ deliveredAsContext: 1, answered: 1, running: 0, orphaned: 0 });
    expect(Object.values(calls).reduce((sum, n) => sum + n, 0)).toBe(toolCalls);
    expect(session.gateViolations).toEqual([]);
  });

  it('the model makes the same call again after the resume: the tool runs once, and the new call gets its outcome', async () => {
    const emu = await emulator();
    const result = deferred<string>();
    const runs: string[] = [];
    const refund = defineTool({
      name: 'refund',
      execute: (_args, { idempotencyKey }) => {
        runs.push(idempotencyKey);
        return result.promise;
      },
    });
    const session = fsmSession(emu, [refund], NO_WAIT);
    const conn = await connected(emu, session);
    conn.sendToolCall([{ name: 'refund', args: { order: 'A-17', amount: 30 } }]);
    await nextEvent(session, 'gate', (event) => event.state === 'closed');
    const next = emu.nextConnection();
    conn.abort();
    const second = await next;
    await second.ready;

    // Key order differs: the same call all the same.
    const [repeatId] = second.sendToolCall([{ name: 'refund', args: { amount: 30, order: 'A-17' } }]);
    await nextEvent(session, 'gate', (event) => event.state === 'closed');
    result.resolve('refunded');
    expect((await second.waitForToolResponse()).functionResponses).toEqual([{ id: repeatId, name: 'refund', response: { output: 'refunded' } }]);

    expect(runs).toHaveLength(1);
    expect(contextTurns(emu).filter(({ text }) => text.includes('refunded'))).toEqual([]);
    expect(session.metrics().calls).toMatchObject({ superseded: 1, answered: 1, running: 0, orphaned: 0 });
  });

  it('a goAway while the model speaks: the session resumes after the turn, with a handle issued after it, before the deadline', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, [], NO_WAIT);
    const conn = await connected(emu, session);
    conn.sendOutputTranscription('Let me tell you about ');
    conn.sendAudio({ ms: 300 });
    // Frames arrive in order: the session has heard the non-resumable update before the goAway.
    const goAwaySeen = nextEvent(session, 'goAway');
    conn.sendGoAway('20s');
    await goAwaySeen;
    // Mid-turn, and the newest handle says resuming now would lose data: the session stays.
    conn.sendOutputTranscription('the weather.');
    expect(session.state).toBe('streaming');
    expect(emu.connections).toHaveLength(1);

    const next = emu.nextConnection();
    conn.sendTurnComplete();
    const second = await next;
    await second.ready;
    expect(second.resumedFrom).toBe(conn.lastHandle);
    expect(second.conversation.transcript.map(({ text }) => text).join('')).toContain('the weather.');
    // The client left: the server never had to cut it at the deadline.
    expect(await conn.closed).toMatchObject({ by: 'client' });
    expect(emu.stats.closes[1001]).toBeUndefined();
  });

  it('a resume that dies again (1007) starts a fresh session, seeded with the conversation so far', async () => {
    const emu = await emulator({
      // Every resumed connection dies at once with 1007, as a session did whose tool the server refused.
      onConnection: (c) => void c.ready.then(() => c.resumedFrom !== undefined && c.close(1007, 'Request contains an invalid argument.')),
    });
    const session = fsmSession(emu, [defineTool({ name: 'lookup', execute: () => 'order shipped' })], NO_WAIT);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    conn.sendInputTranscription('Where is my order?', { finished: true });
    conn.sendToolCall([{ name: 'lookup', args: {} }]);
    await conn.waitForToolResponse();
    conn.sendOutputTranscription('It has shipped.');
    const turnSeen = nextEvent(session, 'turnComplete');
    conn.sendTurnComplete();
    await turnSeen;

    const restarted = nextEvent(session, 'sessionRestarted');
    conn.close(1011, 'Internal error encountered.');
    expect((await restarted).reason).toContain('1007');
    const fresh = emu.connections[2] as EmulatorConnection;
    expect(emu.connections[1]?.resumedFrom).toBe(conn.lastHandle);
    expect(fresh.resumedFrom).toBeUndefined();
    const seed = await fresh.waitForMessage((message) => message.clientContent !== undefined);
    const text = seed.clientContent?.turns?.flatMap((turn) => turn.parts?.map((part) => part.text) ?? []).join('\n') ?? '';
    expect(text).toContain('Where is my order?');
    expect(text).toContain('lookup({}) [call fc-1] returned "order shipped"');
    expect(text).toContain('It has shipped.');
    expect(session.state).toBe('streaming');
    expect(emu.connections).toHaveLength(3);
  });

  it('a resume the service refuses with 1007 (failResume) starts a fresh session too', async () => {
    const emu = await emulator({ failResume: true });
    const session = fsmSession(emu, [], NO_WAIT);
    const conn = await connected(emu, session);
    const restarted = nextEvent(session, 'sessionRestarted');
    conn.abort();
    await restarted;
    expect(emu.connections.map((c) => c.refusal?.code)).toEqual([undefined, 1007, undefined]);
    expect(emu.connections[2]?.resumedFrom).toBeUndefined();
    await vi.waitFor(() => expect(session.state).toBe('streaming'));
  });

  it('the 58-minute cut (1011 Deadline expired, no goAway) mid tool call: resumed, and the answer reaches the conversation', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const emu = await emulator({ connectionAgeLimitMs: 58 * 60_000 });
    const result = deferred<string>();
    const session = fsmSession(emu, [defineTool({ name: 'transfer', execute: () => result.promise })], NO_WAIT);
    const conn = await connected(emu, session);
    await vi.advanceTimersByTimeAsync(58 * 60_000 - 1_000);
    expect(conn.isOpen).toBe(true);
    conn.sendToolCall([{ name: 'transfer', args: { to: 'billing' } }]);
    await nextEvent(session, 'gate', (event) => event.state === 'closed');

    const reconnecting = nextEvent(session, 'reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await conn.closed).toMatchObject({ code: 1011, reason: 'Deadline expired before operation could complete.' });
    expect((await reconnecting).error).toMatchObject({ closeCode: 1011, kind: 'deadlineExpired', retryable: true });
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(10);
      expect(session.state).toBe('streaming');
    });
    const second = emu.connections[1] as EmulatorConnection;
    expect(second.resumedFrom).toBe(conn.lastHandle);

    result.resolve('transferred');
    await vi.waitFor(() => expect(contextTurns(emu).filter(({ text }) => text.includes('transferred'))).toHaveLength(1));
    expect(answeredIds(conn)).toEqual([]);
    expect(answeredIds(second)).toEqual([]);
    expect(session.metrics().calls).toMatchObject({ deliveredAsContext: 1, lost: 0 });
  });
});
