/**
 * The store's contract under concurrency: owners racing for a session, a takeover racing an old
 * owner's writes, concurrent saves of one lease, and a fast-check model run of random operations
 * by three owners on two sessions, each outcome predicted by a model of the contract.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoreError } from '../../src/protocol/errors.js';
import type { Lease, SessionStore } from '../../src/store/index.js';
import { freshId, refusal, type StoreHarness } from './contract.js';

const OWNERS = ['gw-a', 'gw-b', 'gw-c'] as const;
const LONG = 60_000;

export function raceContract(name: string, harness: () => StoreHarness): void {
  describe(`${name}: races`, () => {
    it('owners racing for a free session: exactly one gets it, the others are told who', async () => {
      const stores = await harness().stores(6);
      const id = freshId('race-free');
      const outcomes = await Promise.allSettled(stores.map((store, i) => store.acquire(id, `gw-${i}`, LONG)));
      const winners = outcomes.filter((o): o is PromiseFulfilledResult<Lease> => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const winner = winners[0]!.value;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        const error = outcome.reason as StoreError;
        expect(error.code).toBe('STORE_LEASE_HELD');
        expect(error.holder).toMatchObject({ ownerId: winner.ownerId, fence: winner.fence });
      }
      expect((await stores[0]!.load(id))?.lease).toMatchObject({ ownerId: winner.ownerId, fence: winner.fence });
    });

    it('owners racing to take over: distinct fences, and only the newest writes', async () => {
      const stores = await harness().stores(6);
      const id = freshId('race-takeover');
      await stores[0]!.acquire(id, 'first', LONG);
      const leases = await Promise.all(stores.map((store, i) => store.acquire(id, `gw-${i}`, LONG, { takeOver: true })));
      expect(new Set(leases.map((lease) => lease.fence)).size).toBe(leases.length);
      const newest = leases.reduce((a, b) => (b.fence > a.fence ? b : a));
      const saves = await Promise.allSettled(leases.map((lease, i) => stores[i]!.save(lease, { tokens: lease.ownerId })));
      saves.forEach((outcome, i) => {
        if (leases[i] === newest) expect(outcome.status).toBe('fulfilled');
        else expect(outcome.status === 'rejected' && (outcome.reason as StoreError).code).toBe('STORE_FENCED');
      });
      expect(await stores[0]!.load(id)).toMatchObject({ tokens: newest.ownerId, lease: { ownerId: newest.ownerId, fence: newest.fence } });
    });

    it("an old owner's writes racing a takeover: none lands after it, and the new owner's value stays", async () => {
      const [oldStore, newStore] = await harness().stores(2);
      const id = freshId('race-late');
      const old = await oldStore!.acquire(id, 'gw-old', LONG);
      let takenOver = false;
      const late: Promise<'ok' | 'fenced'>[] = [];
      // The old owner writes on, back to back and a few in parallel, until five of its writes
      // have started after the takeover was granted.
      const spam = (async () => {
        let afterTakeover = 0;
        for (let n = 0; afterTakeover < 5 && n < 10_000; n += 1) {
          const startedAfterTakeover = takenOver;
          if (startedAfterTakeover) afterTakeover += 1;
          const write = oldStore!.save(old, { tokens: { by: 'old', n } }).then(
            () => {
              expect(startedAfterTakeover, 'an old write started after the takeover was taken').toBe(false);
              return 'ok' as const;
            },
            (error: StoreError) => {
              expect(error.code).toBe('STORE_FENCED');
              return 'fenced' as const;
            },
          );
          late.push(write);
          if (n % 3 === 0) await write;
        }
      })();
      const taken = await newStore!.acquire(id, 'gw-new', LONG, { takeOver: true });
      takenOver = true;
      await newStore!.save(taken, { tokens: { by: 'new' } });
      await spam;
      const results = await Promise.all(late);
      expect(results.at(-1)).toBe('fenced');
      expect((await newStore!.load(id))?.tokens).toEqual({ by: 'new' });
    });

    it('concurrent saves of one lease all land: different fields all kept, the same field ends as one of them', async () => {
      const [store] = await harness().stores(1);
      const id = freshId('race-saves');
      const lease = await store!.acquire(id, 'gw-a', LONG);
      const handle = { handle: 'h-9', issuedAt: Date.now() };
      await Promise.all([
        store!.save(lease, { handle }),
        store!.save(lease, { transcript: [{ role: 'user', text: 'hi', at: 1 }] }),
        ...Array.from({ length: 20 }, (_, n) => store!.save(lease, { tokens: n })),
      ]);
      const record = await store!.load(id);
      expect(record?.handle).toEqual(handle);
      expect(record?.transcript).toHaveLength(1);
      expect(typeof record?.tokens === 'number' && record.tokens >= 0 && record.tokens < 20).toBe(true);
    });

    it('random operations by three owners on two sessions match the model of the contract', async () => {
      const stores = await harness().stores(OWNERS.length);
      const runs = name === 'redis' ? 150 : 300;
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
          const ids = [freshId('model-0'), freshId('model-1')];
          const model = ids.map((): SessionModel => ({ exists: false, owner: '', fence: 0, tokens: undefined }));
          const leases = new Map<string, Lease[]>();
          for (const op of operations) await step(op, stores[op.owner]!, ids[op.session]!, model[op.session]!, leases);
        }),
        { numRuns: runs },
      );
    });
  });
}

interface SessionModel {
  exists: boolean;
  /** The holder ('' once released). */
  owner: string;
  /** The newest fence issued. */
  fence: number;
  tokens: number | undefined;
}

/** Who acts, on which session, and with which of the leases it was granted there (an older one is stale). */
type Operation = { owner: number; session: number; lease: number } & (
  | { kind: 'acquire'; takeOver: boolean }
  | { kind: 'renew' }
  | { kind: 'save'; value: number }
  | { kind: 'release'; deleteRecord: boolean }
  | { kind: 'load' }
);

const operation: fc.Arbitrary<Operation> = fc
  .record({ owner: fc.integer({ min: 0, max: OWNERS.length - 1 }), session: fc.integer({ min: 0, max: 1 }), lease: fc.nat({ max: 3 }) })
  .chain((who) =>
    fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), takeOver: fc.boolean() }).map((op) => ({ ...who, ...op })),
      fc.constant({ ...who, kind: 'renew' as const }),
      fc.record({ kind: fc.constant('save' as const), value: fc.integer({ min: 0, max: 999 }) }).map((op) => ({ ...who, ...op })),
      fc.record({ kind: fc.constant('release' as const), deleteRecord: fc.boolean() }).map((op) => ({ ...who, ...op })),
      fc.constant({ ...who, kind: 'load' as const }),
    ),
  );

/** Runs one operation and checks its outcome, and the record after it, against the model. */
async function step(op: Operation, store: SessionStore, id: string, model: SessionModel, leases: Map<string, Lease[]>): Promise<void> {
  const owner = OWNERS[op.owner]!;
  const leaseKey = `${owner}/${id}`;
  const granted = leases.get(leaseKey) ?? [];
  // Mostly the newest lease, sometimes an older one of the same owner.
  const lease = granted[Math.max(0, granted.length - 1 - op.lease)];
  const current = lease !== undefined && model.exists && model.owner === owner && model.fence === lease.fence;
  switch (op.kind) {
    case 'acquire': {
      if (model.exists && model.owner !== '' && model.owner !== owner && !op.takeOver) {
        const error = await refusal(store.acquire(id, owner, LONG));
        expect(error.code).toBe('STORE_LEASE_HELD');
        expect(error.holder?.ownerId).toBe(model.owner);
        return;
      }
      const next = await store.acquire(id, owner, LONG, { takeOver: op.takeOver });
      expect(next.fence).toBeGreaterThan(model.fence);
      Object.assign(model, { exists: true, owner, fence: next.fence });
      leases.set(leaseKey, [...granted, next]);
      return;
    }
    case 'renew':
    case 'save': {
      if (lease === undefined) return;
      const run = op.kind === 'renew' ? store.renew(lease) : store.save(lease, { tokens: op.value });
      if (!current) {
        expect((await refusal(run)).code).toBe('STORE_FENCED');
        return;
      }
      await run;
      if (op.kind === 'save') model.tokens = op.value;
      return;
    }
    case 'release': {
      if (lease === undefined) return;
      const sameGrant = model.exists && model.fence === lease.fence && (model.owner === owner || model.owner === '');
      if (model.exists && !sameGrant) {
        expect((await refusal(store.release(lease, { deleteRecord: op.deleteRecord }))).code).toBe('STORE_FENCED');
        return;
      }
      await store.release(lease, { deleteRecord: op.deleteRecord });
      if (!model.exists) return;
      if (op.deleteRecord) Object.assign(model, { exists: false, owner: '', tokens: undefined });
      else model.owner = '';
      return;
    }
    case 'load': {
      const record = await store.load(id);
      if (!model.exists) {
        expect(record).toBeUndefined();
        return;
      }
      expect(record?.tokens).toBe(model.tokens);
      expect(record?.fence).toBe(model.fence);
      expect(record?.lease?.ownerId ?? '').toBe(model.owner);
    }
  }
}
