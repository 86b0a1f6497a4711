/**
 * What only the in-memory store has: a clock the test sets, so expiry is checked to the ms, and
 * records dropped as it is used (no timer). The contract is in memoryContract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore, HANDLE_TTL_MS } from '../../src/store/index.js';
import { refusal } from './contract.js';

function clocked(options: { idleTtlMs?: number } = {}) {
  const clock = { now: 1_800_000_000_000 };
  const store = createMemoryStore({ ...options, now: () => clock.now });
  return { clock, store };
}

describe('createMemoryStore', () => {
  it('expires a record with no handle idleTtlMs after its last write, to the ms', async () => {
    const { clock, store } = clocked({ idleTtlMs: 60_000 });
    const lease = await store.acquire('s', 'gw-a', 1_000);
    await store.save(lease, { tokens: 1 });
    await store.release(lease);
    clock.now += 59_999;
    expect((await store.load('s'))?.tokens).toBe(1);
    clock.now += 1;
    expect(await store.load('s')).toBeUndefined();
  });

  it('expires a record two hours after its handle was issued, and never while its lease is live', async () => {
    const { clock, store } = clocked();
    const issuedAt = clock.now - 1_000;
    const lease = await store.acquire('s', 'gw-a', 10_000);
    await store.save(lease, { handle: { handle: 'h', issuedAt } });
    clock.now = issuedAt + HANDLE_TTL_MS - 1;
    expect(await store.load('s')).toBeDefined();
    const renewed = await store.renew(lease);
    clock.now = issuedAt + HANDLE_TTL_MS + 5_000; // past the handle, inside the renewed lease
    expect((await store.load('s'))?.expiresAt).toBe(renewed.expiresAt);
    clock.now = renewed.expiresAt;
    expect(await store.load('s')).toBeUndefined();
    expect((await refusal(store.save(renewed, { tokens: 1 }))).reason).toContain('the record is gone');
  });

  it('drops expired records as it is used, with no timer', async () => {
    const { clock, store } = clocked({ idleTtlMs: 1_000 });
    for (let i = 0; i < 50; i += 1) await store.release(await store.acquire(`s-${i}`, 'gw-a', 500));
    expect(store.size()).toBe(50);
    clock.now += 1_000;
    await store.acquire('other', 'gw-a', 500);
    expect(store.size()).toBe(1);
  });

  it('issues growing fences on a clock that stands still, even across a deleted record', async () => {
    const { store } = clocked();
    const fences: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const lease = await store.acquire('s', 'gw-a', 1_000);
      fences.push(lease.fence);
      if (i % 2 === 1) await store.release(lease, { deleteRecord: true });
    }
    expect([...fences].sort((a, b) => a - b)).toEqual(fences);
    expect(new Set(fences).size).toBe(5);
  });

  it('refuses bad options at creation', () => {
    expect(() => createMemoryStore({ handleTtlMs: -5 })).toThrow(/handleTtlMs must be a positive whole number/);
    expect(() => createMemoryStore({ maxPatchBytes: 1.5 })).toThrow(/maxPatchBytes/);
  });
});
