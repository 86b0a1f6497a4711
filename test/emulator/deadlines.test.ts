import { describe, expect, it, vi } from 'vitest';
import { HandleStore } from '../../src/testing/emulator/resumption.js';
import { connectRaw, emulator, MODEL, openRaw } from './helpers.js';

describe('goAway deadlines', () => {
  it('closes with 1001 once the goAway time has passed', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    connection.sendGoAway('0.05s');
    expect(await client.waitFor((m) => 'goAway' in m)).toEqual({ goAway: { timeLeft: '0.05s' } });
    expect(await client.closed).toEqual({ code: 1001, reason: 'Session time limit reached.' });
    expect(await connection.closed).toEqual({ code: 1001, reason: 'Session time limit reached.', by: 'server' });
    expect(live.stats.closes).toEqual({ 1001: 1 });
  });

  it('leaves the connection open past the deadline when asked to', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    connection.sendGoAway('0s', { close: false });
    await client.waitFor((m) => 'goAway' in m);
    // The deadline timer would have been set with 0 ms: a later message still gets through.
    connection.sendTurnComplete();
    await client.waitFor((m) => 'serverContent' in m);
    expect(connection.isOpen).toBe(true);
  });
});

describe('resumption handles expire', () => {
  it('keeps a handle for its time to live and no longer', () => {
    let now = 0;
    const store = new HandleStore(1000, () => now);
    const handle = store.issue({ turns: 1, transcript: [] });
    now = 999;
    expect(store.has(handle)).toBe(true);
    expect(store.restore(handle)).toEqual({ turns: 1, transcript: [] });
    now = 1000;
    expect(store.has(handle)).toBe(false);
    expect(store.restore(handle)).toBeUndefined();
  });

  it('refuses an expired handle with 1008 session not found', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const live = await emulator({ handleTtlMs: 60_000 });
      const first = await connectRaw(live, { sessionResumption: {} });
      const update = await first.client.waitFor((m) => 'sessionResumptionUpdate' in m);
      const handle = (update['sessionResumptionUpdate'] as { newHandle: string }).newHandle;
      vi.setSystemTime(Date.now() + 60_000);
      const second = await openRaw(live.baseUrl);
      second.send({ setup: { model: MODEL, sessionResumption: { handle } } });
      expect(await second.closed).toEqual({ code: 1008, reason: 'BidiGenerateContent session not found' });
    } finally {
      vi.useRealTimers();
    }
  });
});
