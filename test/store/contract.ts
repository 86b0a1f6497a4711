/**
 * The session store's contract: one suite, run against the in-memory store and against Redis.
 * Each backend gives a harness that makes stores sharing one backend (for Redis, each on its own
 * client, as separate processes would be). Session ids are unique per test, so tests share a
 * server without interfering.
 */
import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../src/protocol/errors.js';
import { HANDLE_TTL_MS, type Lease, type SessionStore, type StoreOptions, type StoredLedgerEntry, type StoredTranscriptEntry } from '../../src/store/index.js';
import { raceContract } from './contractRaces.js';

/** How a backend makes stores for the suite. */
export interface StoreHarness {
  /** `count` stores on one backend, all with `options`. */
  stores(count: number, options?: StoreOptions): Promise<SessionStore[]>;
}

let sequence = 0;
/** A session id no other test uses. */
export const freshId = (label: string) => `${label}-${process.pid}-${(sequence += 1)}-${Math.random().toString(36).slice(2, 8)}`;

/** The error an operation rejected with (fails the test if it resolved). */
export async function refusal(operation: Promise<unknown>): Promise<StoreError> {
  const outcome = await operation.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof StoreError)) throw new Error(`expected a StoreError, got ${outcome === undefined ? 'success' : String(outcome)}`);
  return outcome;
}

const ledgerEntry: StoredLedgerEntry = {
  key: '0:fc-1',
  name: 'book_table',
  args: { party: 4, time: '19:30' },
  state: 'running',
  idempotencyKey: 'ik-1',
  generation: 0,
  outcome: { result: { ok: true } },
};

const transcript: StoredTranscriptEntry[] = [
  { role: 'user', text: 'A table for four at half past seven', at: 1_000 },
  { role: 'model', text: 'Let me book it.', at: 1_200 },
  { role: 'tool', outcome: { name: 'book_table', result: { ok: true } }, at: 1_900 },
];

/** Registers the contract suite for one backend. */
export function storeContract(name: string, harness: () => StoreHarness): void {
  const one = async (options?: StoreOptions) => (await harness().stores(1, options))[0]!;

  describe(`${name}: records and leases`, () => {
    it('creates the record on the first acquire, with a live lease and nothing else', async () => {
      const store = await one();
      const id = freshId('new');
      expect(await store.load(id)).toBeUndefined();
      const before = Date.now();
      const lease = await store.acquire(id, 'gw-a', 30_000);
      expect(lease).toMatchObject({ sessionId: id, ownerId: 'gw-a', leaseMs: 30_000 });
      expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 30_000 - 50);
      const record = await store.load(id);
      expect(record).toMatchObject({ version: 1, sessionId: id, handle: undefined, ledger: [], transcript: [], tokens: undefined, callSeq: 0, fence: lease.fence });
      expect(record?.lease).toEqual({ ownerId: 'gw-a', fence: lease.fence, expiresAt: lease.expiresAt, live: true });
    });

    it('saves and loads every field; a patch replaces only what it names, and null removes', async () => {
      const store = await one();
      const id = freshId('fields');
      const lease = await store.acquire(id, 'gw-a', 30_000);
      const handle = { handle: 'handle-1', issuedAt: Date.now() };
      const receipt = await store.save(lease, { handle, ledger: [ledgerEntry], transcript, tokens: { uses: 0, expireTime: '2026-11-20T10:00:00Z' }, callSeq: 7 });
      // What it wrote: the values it set, as JSON (the handle's time twice: in its JSON and on its own).
      const written = [JSON.stringify(handle), String(handle.issuedAt), JSON.stringify([ledgerEntry]), JSON.stringify(transcript), JSON.stringify({ uses: 0, expireTime: '2026-11-20T10:00:00Z' }), '7'];
      expect(receipt).toEqual({ bytes: written.reduce((sum, value) => sum + Buffer.byteLength(value), 0) });
      expect(await store.load(id)).toMatchObject({ handle, ledger: [ledgerEntry], transcript, tokens: { uses: 0, expireTime: '2026-11-20T10:00:00Z' }, callSeq: 7 });
      await store.save(lease, { ledger: [{ ...ledgerEntry, state: 'answered', settledAt: 2_000 }] });
      const record = await store.load(id);
      expect(record?.ledger).toEqual([{ ...ledgerEntry, state: 'answered', settledAt: 2_000 }]);
      expect(record?.handle).toEqual(handle);
      expect(record?.transcript).toEqual(transcript);
      await store.save(lease, { handle: null, tokens: null });
      expect(await store.load(id)).toMatchObject({ handle: undefined, tokens: undefined, transcript, callSeq: 7 });
    });

    it('refuses a live lease to another owner, naming the holder, and changes nothing', async () => {
      const [a, b] = await harness().stores(2);
      const id = freshId('held');
      const lease = await a!.acquire(id, 'gw-a', 30_000);
      await a!.save(lease, { tokens: 'a' });
      const error = await refusal(b!.acquire(id, 'gw-b', 30_000));
      expect(error.code).toBe('STORE_LEASE_HELD');
      expect(error.retryable).toBe(true);
      expect(error.holder).toEqual({ ownerId: 'gw-a', fence: lease.fence, expiresAt: lease.expiresAt });
      expect(await b!.load(id)).toMatchObject({ tokens: 'a', fence: lease.fence, lease: { ownerId: 'gw-a' } });
    });

    it('a takeover fences the old owner: its saves, renewals and releases are refused, nothing of it written', async () => {
      const [a, b] = await harness().stores(2);
      const id = freshId('takeover');
      const old = await a!.acquire(id, 'gw-a', 30_000);
      await a!.save(old, { tokens: 'before' });
      const taken = await b!.acquire(id, 'gw-b', 30_000, { takeOver: true });
      expect(taken.fence).toBeGreaterThan(old.fence);
      for (const late of [a!.save(old, { tokens: 'late', ledger: [] }), a!.renew(old), a!.release(old)]) {
        const error = await refusal(late);
        expect(error.code).toBe('STORE_FENCED');
        expect(error.retryable).toBe(false);
        expect(error.holder).toMatchObject({ ownerId: 'gw-b', fence: taken.fence });
      }
      expect(await b!.load(id)).toMatchObject({ tokens: 'before', lease: { ownerId: 'gw-b', fence: taken.fence, live: true } });
      await b!.save(taken, { tokens: 'after' });
      expect((await a!.load(id))?.tokens).toBe('after');
    });

    it('the same owner acquiring again gets a new fence, which fences its older lease', async () => {
      const store = await one();
      const id = freshId('again');
      const first = await store.acquire(id, 'gw-a', 30_000);
      const second = await store.acquire(id, 'gw-a', 30_000);
      expect(second.fence).toBeGreaterThan(first.fence);
      expect((await refusal(store.save(first, { tokens: 1 }))).code).toBe('STORE_FENCED');
      await store.save(second, { tokens: 2 });
      expect((await store.load(id))?.tokens).toBe(2);
    });

    it('renew extends the lease from now, under the same fence', async () => {
      const store = await one();
      const id = freshId('renew');
      const lease = await store.acquire(id, 'gw-a', 10_000);
      const renewed = await store.renew({ ...lease, leaseMs: 40_000 });
      expect(renewed.fence).toBe(lease.fence);
      expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt + 20_000);
      expect((await store.load(id))?.lease?.expiresAt).toBe(renewed.expiresAt);
      await store.save(lease, { tokens: 'the first lease object still writes' });
    });

    it('release lets another owner in at once, refuses the released lease, and is idempotent', async () => {
      const [a, b] = await harness().stores(2);
      const id = freshId('release');
      const lease = await a!.acquire(id, 'gw-a', 30_000);
      await a!.save(lease, { tokens: 'kept' });
      await a!.release(lease);
      await a!.release(lease);
      expect(await b!.load(id)).toMatchObject({ tokens: 'kept', lease: undefined });
      expect((await refusal(a!.save(lease, { tokens: 'late' }))).code).toBe('STORE_FENCED');
      expect((await refusal(a!.renew(lease))).code).toBe('STORE_FENCED');
      const next = await b!.acquire(id, 'gw-b', 30_000);
      expect(next.fence).toBeGreaterThan(lease.fence);
      expect((await refusal(a!.release(lease))).code).toBe('STORE_FENCED');
      await b!.release(next, { deleteRecord: true });
      expect(await a!.load(id)).toBeUndefined();
      await b!.release(next, { deleteRecord: true });
    });

    it('a lease that ran out lets another owner in without takeOver, and fences the first', async () => {
      const [a, b] = await harness().stores(2);
      const id = freshId('runout');
      const first = await a!.acquire(id, 'gw-a', 250);
      await a!.save(first, { tokens: 'from a' });
      expect((await refusal(b!.acquire(id, 'gw-b', 30_000))).code).toBe('STORE_LEASE_HELD');
      // gw-a stops renewing, as a killed process would: gw-b gets in once the lease has run out.
      const second = await vi.waitFor(() => b!.acquire(id, 'gw-b', 30_000), { timeout: 5_000, interval: 50 });
      expect(second.fence).toBeGreaterThan(first.fence);
      expect((await b!.load(id))?.tokens).toBe('from a');
      expect((await refusal(a!.save(first, { tokens: 'late' }))).code).toBe('STORE_FENCED');
    });

    it('a lease that ran out and was not taken still writes and renews (its fence is still the newest)', async () => {
      const store = await one();
      const id = freshId('expired-current');
      const lease = await store.acquire(id, 'gw-a', 100);
      await vi.waitFor(async () => expect((await store.load(id))?.lease?.live).toBe(false), { timeout: 5_000, interval: 25 });
      await store.save(lease, { tokens: 'still mine' });
      const renewed = await store.renew(lease);
      expect((await store.load(id))?.lease).toMatchObject({ ownerId: 'gw-a', live: true, expiresAt: renewed.expiresAt });
    });
  });

  describe(`${name}: expiry`, () => {
    it('a record with a handle expires two hours after the handle was issued', async () => {
      const store = await one();
      const id = freshId('handle-ttl');
      const lease = await store.acquire(id, 'gw-a', 30_000);
      const issuedAt = Date.now() - 60_000;
      await store.save(lease, { handle: { handle: 'h', issuedAt } });
      expect((await store.load(id))?.expiresAt).toBe(issuedAt + HANDLE_TTL_MS);
      await store.save(lease, { handle: null });
      const idle = await store.load(id);
      expect(idle?.expiresAt).toBeLessThan(issuedAt + HANDLE_TTL_MS);
    });

    it('a record with no handle expires idleTtlMs after its last write, never before its lease', async () => {
      const store = await one({ idleTtlMs: 60_000 });
      const id = freshId('idle-ttl');
      const lease = await store.acquire(id, 'gw-a', 5_000);
      const before = Date.now();
      await store.save(lease, { tokens: 1 });
      const after = Date.now();
      const record = await store.load(id);
      expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 60_000 - 50);
      expect(record?.expiresAt).toBeLessThanOrEqual(after + 60_000 + 50);
      expect(record?.expiresAt).toBe((record?.updatedAt ?? 0) + 60_000);
      const long = await store.renew({ ...lease, leaseMs: 120_000 });
      expect((await store.load(id))?.expiresAt).toBe(long.expiresAt);
    });

    it('an idle record disappears, and a zombie lease of it is fenced; the next fence is greater', async () => {
      const store = await one({ idleTtlMs: 300 });
      const id = freshId('idle-gone');
      const lease = await store.acquire(id, 'gw-a', 100);
      await store.save(lease, { tokens: 'soon gone' });
      await vi.waitFor(async () => expect(await store.load(id)).toBeUndefined(), { timeout: 5_000, interval: 50 });
      expect((await refusal(store.save(lease, { tokens: 'zombie' }))).code).toBe('STORE_FENCED');
      const next = await store.acquire(id, 'gw-b', 30_000);
      expect(next.fence).toBeGreaterThan(lease.fence);
      expect((await store.load(id))?.tokens).toBeUndefined();
    });

    it('a record whose handle is two hours old disappears', async () => {
      const store = await one();
      const id = freshId('handle-gone');
      const lease = await store.acquire(id, 'gw-a', 100);
      await store.save(lease, { handle: { handle: 'old', issuedAt: Date.now() - HANDLE_TTL_MS + 300 } });
      await store.release(lease);
      await vi.waitFor(async () => expect(await store.load(id)).toBeUndefined(), { timeout: 5_000, interval: 50 });
    });
  });

  describe(`${name}: bad input`, () => {
    it('refuses bad ids, lease lengths and patches with STORE_INVALID_ARGUMENT, writing nothing', async () => {
      const store = await one({ maxPatchBytes: 2_000 });
      const id = freshId('invalid');
      expect((await refusal(store.acquire('', 'gw-a', 1_000))).code).toBe('STORE_INVALID_ARGUMENT');
      expect((await refusal(store.acquire(id, 'gw-a', 0))).code).toBe('STORE_INVALID_ARGUMENT');
      expect((await refusal(store.acquire(id, 'gw-a', 1.5))).code).toBe('STORE_INVALID_ARGUMENT');
      const lease = await store.acquire(id, 'gw-a', 30_000);
      await store.save(lease, { tokens: 'good' });
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const bad: [unknown, RegExp][] = [
        [{ handel: { handle: 'h', issuedAt: 1 } }, /no field 'handel'/],
        [{ handle: { handle: '', issuedAt: 1 } }, /patch\.handle\.handle: must be a non-empty string/],
        [{ ledger: [{ ...ledgerEntry, args: 'x' }] }, /patch\.ledger\[0\]\.args: must be an object/],
        [{ ledger: [{ ...ledgerEntry, idempotencyKey: undefined }] }, /patch\.ledger\[0\]\.idempotencyKey: must be a string/],
        [{ transcript: [{ role: 'system', text: 'x', at: 1 }] }, /patch\.transcript\[0\]\.role/],
        [{ transcript: [{ role: 'tool', at: 1, outcome: { big: 10n } }] }, /patch\.transcript\[0\]\.outcome\.big: bigint is not JSON/],
        [{ tokens: cyclic }, /patch\.tokens\.self: refers back to itself/],
        [{ tokens: [Number.NaN] }, /patch\.tokens\[0\]: NaN is not a finite number/],
        [{ tokens: new Date(0) }, /Date is not plain JSON/],
        [{ tokens: 'x'.repeat(3_000) }, /over the store's limit of 2000/],
        [{ callSeq: -1 }, /patch\.callSeq: must be a whole number/],
        [{ callSeq: 1.5 }, /patch\.callSeq: must be a whole number/],
      ];
      for (const [patch, message] of bad) {
        const error = await refusal(store.save(lease, patch as never));
        expect(error.code, String(message)).toBe('STORE_INVALID_ARGUMENT');
        expect(error.reason).toMatch(message);
      }
      expect((await refusal(store.save({ ...lease, fence: -1 } as Lease, { tokens: 1 }))).code).toBe('STORE_INVALID_ARGUMENT');
      expect((await store.load(id))?.tokens).toBe('good');
    });
  });

  raceContract(name, harness);
}
