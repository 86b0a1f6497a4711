/**
 * The coalescing writer on fake timers, over the in-memory store: nothing on the caller's stack,
 * at most one write per flushMs and one in flight, merged patches, a fenced writer that stops,
 * failed writes retried with what came meanwhile, flush and close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../src/protocol/errors.js';
import { createMemoryStore, createStoreWriter, type Lease, type SessionPatch, type SessionStore } from '../../src/store/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface Recorded {
  store: SessionStore;
  saves: { at: number; patch: SessionPatch }[];
  /** Makes the next saves wait until the returned function is called. */
  hold(): () => void;
  /** Makes the next save fail with `error`. */
  failNext(error: unknown): void;
}

/** A memory store whose saves are recorded, and can be held back or failed. */
function recorded(): Recorded & { memory: ReturnType<typeof createMemoryStore> } {
  const memory = createMemoryStore();
  const saves: Recorded['saves'] = [];
  let gate: Promise<void> | undefined;
  let failure: unknown;
  const store: SessionStore = {
    ...memory,
    async save(lease, patch) {
      saves.push({ at: Date.now(), patch: structuredClone(patch) });
      if (gate) await gate;
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      return memory.save(lease, patch);
    },
  };
  return {
    memory,
    store,
    saves,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
    failNext(error) {
      failure = error;
    },
  };
}

async function leased(store: SessionStore): Promise<Lease> {
  return store.acquire('call-1', 'gw-a', 60_000);
}

describe('createStoreWriter', () => {
  it('returns from write at once: the save happens on a timer, never on the caller’s stack', async () => {
    const { store, saves, memory } = recorded();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 500 });
    writer.write({ tokens: 1 });
    expect(saves).toHaveLength(0);
    expect(writer.stats()).toMatchObject({ patches: 1, writes: 0, pending: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(saves).toEqual([{ at: 1_800_000_000_000, patch: { tokens: 1 } }]);
    expect((await memory.load('call-1'))?.tokens).toBe(1);
    expect(writer.stats()).toMatchObject({ writes: 1, pending: false });
  });

  it('writes at most once per flushMs, merging the patches: the newest value of each field wins', async () => {
    const { store, saves, memory } = recorded();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 500 });
    const handle = (n: number) => ({ handle: `h-${n}`, issuedAt: 1_800_000_000_000 + n });
    for (let n = 0; n < 200; n += 1) {
      writer.write(n % 2 === 0 ? { handle: handle(n) } : { tokens: n, transcript: [{ role: 'user', text: `turn ${n}`, at: n }] });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(500);
    // 2 s of changes every 10 ms: the first at once, then one per 500 ms with the 49 that came meanwhile.
    expect(saves.length).toBe(5);
    for (let i = 1; i < saves.length; i += 1) expect(saves[i]!.at - saves[i - 1]!.at).toBeGreaterThanOrEqual(500);
    expect(saves[1]!.patch).toEqual({ handle: handle(48), tokens: 49, transcript: [{ role: 'user', text: 'turn 49', at: 49 }] });
    expect(await memory.load('call-1')).toMatchObject({ handle: handle(198), tokens: 199, transcript: [{ role: 'user', text: 'turn 199', at: 199 }] });
    expect(writer.stats()).toMatchObject({ patches: 200, writes: 5, failedWrites: 0, pending: false });
  });

  it('keeps one write in flight: what comes meanwhile waits, and goes out after it', async () => {
    const slow = recorded();
    const writer = createStoreWriter(slow.store, await leased(slow.store), { flushMs: 100 });
    const release = slow.hold();
    writer.write({ tokens: 'first' });
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.saves).toHaveLength(1);
    writer.write({ tokens: 'second' });
    writer.write({ handle: { handle: 'h', issuedAt: 1 } });
    await vi.advanceTimersByTimeAsync(1_000); // the first write is still in flight
    expect(slow.saves).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.saves.map((save) => save.patch)).toEqual([{ tokens: 'first' }, { tokens: 'second', handle: { handle: 'h', issuedAt: 1 } }]);
    expect((await slow.memory.load('call-1'))?.tokens).toBe('second');
  });

  it('stops for good when fenced: reported once, later patches dropped, flush refuses, no timer left', async () => {
    const { store, memory } = recorded();
    const onError = vi.fn<(error: StoreError) => void>();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 200, onError });
    writer.write({ tokens: 'mine' });
    await vi.advanceTimersByTimeAsync(0);
    const other = await memory.acquire('call-1', 'gw-b', 60_000, { takeOver: true });
    writer.write({ tokens: 'late' });
    await vi.advanceTimersByTimeAsync(200);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'STORE_FENCED', holder: { ownerId: 'gw-b', fence: other.fence } });
    writer.write({ tokens: 'later still' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writer.stats()).toMatchObject({ patches: 2, writes: 1, failedWrites: 1, dropped: 1, fenced: true, pending: false });
    await expect(writer.flush()).rejects.toMatchObject({ code: 'STORE_FENCED' });
    await writer.close();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    expect((await memory.load('call-1'))?.tokens).toBe('mine');
  });

  it('retries a failed write after flushMs, with the changes made meanwhile over it', async () => {
    const { store, saves, memory, failNext } = recorded();
    const onError = vi.fn<(error: StoreError) => void>();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 300, onError });
    failNext(new StoreError('STORE_FAILED', 'connection lost'));
    writer.write({ tokens: 'a', transcript: [{ role: 'user', text: 'hello', at: 1 }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'STORE_FAILED', retryable: true }));
    writer.write({ tokens: 'b' });
    await vi.advanceTimersByTimeAsync(299);
    expect(saves).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(saves[1]!.patch).toEqual({ tokens: 'b', transcript: [{ role: 'user', text: 'hello', at: 1 }] });
    expect(await memory.load('call-1')).toMatchObject({ tokens: 'b', transcript: [{ role: 'user', text: 'hello', at: 1 }] });
    expect(writer.stats()).toMatchObject({ writes: 1, failedWrites: 1, pending: false });
  });

  it('reports a save that throws something else as STORE_FAILED, and keeps the changes', async () => {
    const { store, failNext, memory } = recorded();
    const onError = vi.fn<(error: StoreError) => void>();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 50, onError });
    failNext(new TypeError('socket closed'));
    writer.write({ tokens: 'kept' });
    await vi.advanceTimersByTimeAsync(0);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'STORE_FAILED', reason: "the store's save threw: socket closed" });
    await vi.advanceTimersByTimeAsync(50);
    expect((await memory.load('call-1'))?.tokens).toBe('kept');
  });

  it('drops a patch the store refuses as invalid, reports it, and goes on', async () => {
    const { store, memory } = recorded();
    const onError = vi.fn<(error: StoreError) => void>();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 50, onError });
    writer.write({ tokens: Number.NaN });
    await vi.advanceTimersByTimeAsync(0);
    expect(onError.mock.calls[0]![0]).toMatchObject({ code: 'STORE_INVALID_ARGUMENT' });
    writer.write({ tokens: 'fine' });
    await vi.advanceTimersByTimeAsync(50);
    expect((await memory.load('call-1'))?.tokens).toBe('fine');
    expect(writer.stats()).toMatchObject({ writes: 1, failedWrites: 1 });
  });

  it('flush writes at once, inside the window; close flushes, then drops what comes after', async () => {
    const { store, saves, memory } = recorded();
    const writer = createStoreWriter(store, await leased(store), { flushMs: 10_000 });
    writer.write({ tokens: 1 });
    await vi.advanceTimersByTimeAsync(0);
    writer.write({ tokens: 2 });
    await writer.flush();
    expect(saves).toHaveLength(2);
    expect((await memory.load('call-1'))?.tokens).toBe(2);
    writer.write({ tokens: 3 });
    await writer.close();
    writer.write({ tokens: 4 });
    expect((await memory.load('call-1'))?.tokens).toBe(3);
    expect(writer.stats()).toMatchObject({ patches: 3, dropped: 1, pending: false });
    expect(vi.getTimerCount()).toBe(0);
    await writer.flush(); // nothing waiting: resolves
  });

  it('survives an onError that throws, and warns when there is no onError', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { store, failNext } = recorded();
    const throwing = createStoreWriter(store, await leased(store), {
      flushMs: 10,
      onError: () => {
        throw new Error('listener bug');
      },
    });
    failNext(new StoreError('STORE_FAILED', 'down'));
    throwing.write({ tokens: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(consoleError).toHaveBeenCalledWith('gemini-live-fsm: the store writer onError threw', expect.any(Error));
    await vi.advanceTimersByTimeAsync(10);
    expect(throwing.stats()).toMatchObject({ writes: 1, failedWrites: 1 });
    const silent = createStoreWriter(store, await leased(store));
    failNext(new StoreError('STORE_FAILED', 'down again'));
    silent.write({ tokens: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(consoleWarn).toHaveBeenCalledWith(expect.stringContaining('a store write failed: STORE_FAILED: down again'));
    await silent.close();
  });

  it('refuses a flushMs that is not a number of ms', async () => {
    const { store } = recorded();
    expect(() => createStoreWriter(store, { sessionId: 's', ownerId: 'o', fence: 1, leaseMs: 1, expiresAt: 1 }, { flushMs: -1 })).toThrow(StoreError);
  });
});
