/**
 * What the emulator shows of the service's limits around resumption (issue 14): the connection
 * age cut, resumes that fail, resumes that overlap the old socket, and a resumed session that
 * refuses an answer to a call it never issued.
 */
import { describe, expect, it, vi } from 'vitest';
import { CLOSE_REASONS } from '../../src/testing/emulator/rules.js';
import { answer, callsOf, connectRaw, emulator, isToolCall, MODEL, openRaw } from './helpers.js';

const isUpdate = (message: Record<string, unknown>): boolean => 'sessionResumptionUpdate' in message;

describe('the connection age limit', () => {
  it('cuts the connection with 1011 Deadline expired at its age, without a goAway', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const live = await emulator({ connectionAgeLimitMs: 58 * 60_000 });
      const { client, connection } = await connectRaw(live);
      await vi.advanceTimersByTimeAsync(58 * 60_000 - 1);
      expect(connection.isOpen).toBe(true);
      await vi.advanceTimersByTimeAsync(1);
      expect(await client.closed).toEqual(CLOSE_REASONS.deadlineExpired);
      expect(client.received.some(({ message }) => 'goAway' in message)).toBe(false);
      expect(await connection.closed).toMatchObject({ code: 1011, by: 'server' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('resumes the service refuses', () => {
  it('refuses a resume with 1007 under failResume, and takes a fresh setup', async () => {
    const live = await emulator({ failResume: true });
    const first = await connectRaw(live, { sessionResumption: {} });
    await first.client.waitFor(isUpdate);
    const handle = first.connection.lastHandle ?? '';
    first.client.ws.close();
    const resumed = await openRaw(live.baseUrl);
    resumed.send({ setup: { model: MODEL, sessionResumption: { handle } } });
    expect(await resumed.closed).toEqual(CLOSE_REASONS.invalidArgument);
    expect(resumed.received).toEqual([]);
    expect((await live.nextConnection()).refusal?.problem).toContain('failResume');
    const fresh = await connectRaw(live, { sessionResumption: {} });
    expect(fresh.connection.resumedFrom).toBeUndefined();
  });

  it('refuses with 1011 a resume while the socket that offered the handle is open, and takes it once that socket is gone', async () => {
    const live = await emulator({ refuseResumeWhileOpen: true });
    const first = await connectRaw(live, { sessionResumption: {} });
    await first.client.waitFor(isUpdate);
    const handle = first.connection.lastHandle ?? '';
    const early = await openRaw(live.baseUrl);
    early.send({ setup: { model: MODEL, sessionResumption: { handle } } });
    expect(await early.closed).toEqual(CLOSE_REASONS.resumeWhileOpen);
    expect((await live.nextConnection()).refusal?.problem).toContain('while connection 1 is open');
    first.client.ws.close();
    await first.connection.closed;
    const later = await connectRaw(live, { sessionResumption: { handle } });
    expect(later.connection.resumedFrom).toBe(handle);
  });

  it('lets a resume overlap the old socket by default', async () => {
    const live = await emulator();
    const first = await connectRaw(live, { sessionResumption: {} });
    await first.client.waitFor(isUpdate);
    const second = await connectRaw(live, { sessionResumption: { handle: first.connection.lastHandle ?? '' } });
    expect(first.connection.isOpen).toBe(true);
    expect(second.connection.resumedFrom).toBe(first.connection.lastHandle);
  });
});

describe('a resumed session and the calls of the connection before it', () => {
  it('refuses (1007) a toolResponse for a call it did not issue', async () => {
    const live = await emulator();
    const first = await connectRaw(live, { sessionResumption: {} });
    await first.client.waitFor(isUpdate);
    const handle = first.connection.lastHandle ?? '';
    first.connection.sendToolCall([{ name: 'get_weather', args: {} }]);
    const [call] = callsOf(await first.client.waitFor(isToolCall));
    first.client.ws.terminate();
    const resumed = await connectRaw(live, { sessionResumption: { handle } });
    resumed.client.send(answer(call?.id, 'get_weather'));
    expect(await resumed.client.closed).toEqual(CLOSE_REASONS.invalidArgument);
    expect(resumed.connection.refusal?.problem).toContain(call?.id ?? '?');
  });
});
