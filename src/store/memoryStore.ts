/**
 * The in-memory session store: for tests and single-process apps. It keeps each record as the
 * same string fields the Redis backend keeps, and applies the same rules (see `record.ts`), so
 * that the one contract suite holds for both.
 */
import { StoreError } from '../protocol/errors.js';
import {
  checkAcquire,
  checkLease,
  checkSessionId,
  checkVersion,
  decodeRecord,
  encodePatch,
  expiryOf,
  fencedReason,
  FIELD,
  resolveStoreOptions,
  type ResolvedStoreOptions,
} from './record.js';
import { STORE_FORMAT_VERSION, type Lease, type SessionStore, type StoreOptions } from './types.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions extends StoreOptions {
  /** The clock, in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** An in-memory {@link SessionStore}, with a count of the records it holds. */
export interface MemorySessionStore extends SessionStore {
  /** Records held now (expired ones are dropped when counted). */
  size(): number;
}

type Fields = Record<string, string>;

/**
 * Creates an in-memory session store. Records expire as in Redis (two hours after their handle
 * was issued, or `idleTtlMs` after their last write); expired records are dropped as the store
 * is used, with no timer.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const lease = await store.acquire('call-42', 'this-process', 15_000);
 * await store.save(lease, { transcript: [{ role: 'user', text: 'Hello', at: Date.now() }] });
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemorySessionStore {
  const resolved = resolveStoreOptions(options);
  const now = () => Math.floor((options.now ?? Date.now)());
  const records = new Map<string, Fields>();
  let sweptAt = -Infinity;
  // The newest fence issued for any session: fences keep growing even across a deleted record.
  let lastFence = 0;

  /** The live record of a session, if any; drops it once expired, and sweeps the others now and then. */
  const current = (sessionId: string, at: number): Fields | undefined => {
    if (at - sweptAt >= Math.min(resolved.idleTtlMs, 60_000)) {
      sweptAt = at;
      for (const [id, fields] of records) if (Number(fields[FIELD.expiresAt]) <= at) records.delete(id);
    }
    const fields = records.get(sessionId);
    if (fields === undefined) return undefined;
    if (Number(fields[FIELD.expiresAt]) <= at) {
      records.delete(sessionId);
      return undefined;
    }
    checkVersion(sessionId, fields[FIELD.version]);
    return fields;
  };

  const holder = (fields: Fields) => ({
    ownerId: fields[FIELD.owner] ?? '',
    fence: Number(fields[FIELD.fence]),
    expiresAt: Number(fields[FIELD.leaseUntil]),
  });

  const fenced = (lease: Lease, fields: Fields | undefined) =>
    new StoreError('STORE_FENCED', fencedReason(lease, fields), {
      sessionId: lease.sessionId,
      ...(fields !== undefined && fields[FIELD.owner] !== '' ? { holder: holder(fields) } : {}),
    });

  const holds = (fields: Fields | undefined, lease: Lease): fields is Fields =>
    fields !== undefined && fields[FIELD.owner] === lease.ownerId && fields[FIELD.fence] === String(lease.fence);

  return {
    async acquire(sessionId, ownerId, leaseMs, acquireOptions = {}) {
      checkAcquire(sessionId, ownerId, leaseMs);
      const at = now();
      const fields = current(sessionId, at) ?? { [FIELD.version]: String(STORE_FORMAT_VERSION), [FIELD.updatedAt]: String(at) };
      const owner = fields[FIELD.owner] ?? '';
      const leaseUntil = Number(fields[FIELD.leaseUntil] ?? 0);
      if (owner !== '' && leaseUntil > at && owner !== ownerId && acquireOptions.takeOver !== true) {
        throw new StoreError('STORE_LEASE_HELD', `'${sessionId}' is held by '${owner}' until ${new Date(leaseUntil).toISOString()}`, {
          sessionId,
          holder: holder(fields),
        });
      }
      const fence = Math.max(Number(fields[FIELD.fence] ?? 0) + 1, at * 1000, lastFence + 1);
      lastFence = fence;
      const expiresAt = at + leaseMs;
      Object.assign(fields, { [FIELD.owner]: ownerId, [FIELD.fence]: String(fence), [FIELD.leaseUntil]: String(expiresAt) });
      applyExpiry(fields, at, expiresAt, resolved);
      records.set(sessionId, fields);
      return { sessionId, ownerId, fence, leaseMs, expiresAt };
    },

    async renew(lease) {
      checkLease(lease);
      const at = now();
      const fields = current(lease.sessionId, at);
      if (!holds(fields, lease)) throw fenced(lease, fields);
      const expiresAt = at + lease.leaseMs;
      fields[FIELD.leaseUntil] = String(expiresAt);
      applyExpiry(fields, at, expiresAt, resolved);
      return { ...lease, expiresAt };
    },

    async save(lease, patch) {
      checkLease(lease);
      const encoded = encodePatch(lease.sessionId, patch, resolved.maxPatchBytes);
      const at = now();
      const fields = current(lease.sessionId, at);
      if (!holds(fields, lease)) throw fenced(lease, fields);
      for (const [field, value] of encoded.set) fields[field] = value;
      for (const field of encoded.remove) delete fields[field];
      fields[FIELD.updatedAt] = String(at);
      applyExpiry(fields, at, Number(fields[FIELD.leaseUntil]), resolved);
      return { bytes: encoded.bytes };
    },

    async release(lease, releaseOptions = {}) {
      checkLease(lease);
      const at = now();
      const fields = current(lease.sessionId, at);
      if (fields === undefined) return;
      const sameGrant = fields[FIELD.fence] === String(lease.fence) && (fields[FIELD.owner] === lease.ownerId || fields[FIELD.owner] === '');
      if (!sameGrant) throw fenced(lease, fields);
      if (releaseOptions.deleteRecord === true) {
        records.delete(lease.sessionId);
        return;
      }
      Object.assign(fields, { [FIELD.owner]: '', [FIELD.leaseUntil]: '0' });
      applyExpiry(fields, at, 0, resolved);
    },

    async load(sessionId) {
      checkSessionId(sessionId);
      const at = now();
      const fields = current(sessionId, at);
      return fields === undefined ? undefined : decodeRecord(sessionId, fields, at);
    },

    size() {
      const at = now();
      for (const [id, fields] of records) if (Number(fields[FIELD.expiresAt]) <= at) records.delete(id);
      return records.size;
    },
  };
}

/** Sets when a record expires (the rule is `expiryOf`). */
function applyExpiry(fields: Fields, at: number, leaseUntil: number, options: ResolvedStoreOptions): void {
  const handleAt = fields[FIELD.handleAt];
  fields[FIELD.expiresAt] = String(expiryOf(at, handleAt === undefined ? undefined : Number(handleAt), leaseUntil, options));
}
