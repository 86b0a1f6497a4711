/**
 * The lease keeper on fake timers over the in-memory store: it renews on time, reports a lost
 * lease once and stops, retries a failed renewal, and stops when asked.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../src/protocol/errors.js';
import { createMemoryStore, keepLease, type SessionStore } from '../../src/store/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('keepLease', () => {
  it('renews every third of the lease, so the lease never runs out while kept', async () => {
    const store = createMemoryStore();
    const lease = await store.acquire('call-1', 'gw-a', 3_000);
    const keeper = keepLease(store, lease, { onLost: () => undefined });
    for (let second = 1; second <= 20; second += 1) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await store.load('call-1'))?.lease).toMatchObject({ ownerId: 'gw-a', live: true });
    }
    expect(keeper.lease.fence).toBe(lease.fence);
    expect(keeper.lease.expiresAt).toBe(Date.now() + 3_000);
    keeper.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await store.load('call-1'))?.lease?.live).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a lease taken over once, as lost, and stops renewing', async () => {
    const store = createMemoryStore();
    const lease = await store.acquire('call-1', 'gw-a', 3_000);
    const onLost = vi.fn<(error: StoreError) => void>();
    const keeper = keepLease(store, lease, { onLost });
    await store.acquire('call-1', 'gw-b', 3_000, { takeOver: true });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(onLost.mock.calls[0]![0]).toMatchObject({ code: 'STORE_FENCED', holder: { ownerId: 'gw-b' } });
    expect(keeper.lost).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failed renewal and tries again on the next beat', async () => {
    const memory = createMemoryStore();
    let failures = 1;
    const store: SessionStore = {
      ...memory,
      renew: (lease) => (failures-- > 0 ? Promise.reject(new Error('ECONNRESET')) : memory.renew(lease)),
    };
    const lease = await store.acquire('call-1', 'gw-a', 3_000);
    const onError = vi.fn<(error: StoreError) => void>();
    const keeper = keepLease(store, lease, { onLost: () => undefined, onError, renewEveryMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'STORE_FAILED', retryable: true, reason: "the store's renew threw: ECONNRESET" });
    await vi.advanceTimersByTimeAsync(500);
    expect(keeper.lease.expiresAt).toBe(Date.now() + 3_000);
    keeper.stop();
    keeper.stop();
  });

  it('refuses a renewal period that is not positive', async () => {
    const store = createMemoryStore();
    const lease = await store.acquire('call-1', 'gw-a', 3_000);
    expect(() => keepLease(store, lease, { onLost: () => undefined, renewEveryMs: 0 })).toThrow(StoreError);
  });
});
