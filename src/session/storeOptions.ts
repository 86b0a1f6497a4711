/**
 * The `store` options of `createLiveSession`, checked when the session is created: a store that
 * is not one, a session kept in a store without an id of its own, or a lease that cannot work
 * fail there with an {@link InvalidOptionsError}.
 */
import { InvalidOptionsError } from '../protocol/errors.js';
import type { SessionStore } from '../store/types.js';
import { duration } from './durations.js';
import type { SessionStoreOptions } from './persistence.js';

/** A session's store and how it holds its record there. */
export interface ResolvedStore {
  store: SessionStore;
  options: SessionStoreOptions;
}

const STORE_METHODS = ['acquire', 'renew', 'save', 'release', 'load'] as const;

/** Checks the store options; `undefined` when the session keeps no record. */
export function resolveStore(store: unknown, storeOptions: unknown, sessionId: unknown): ResolvedStore | undefined {
  if (store === undefined) {
    if (storeOptions !== undefined) throw new InvalidOptionsError('storeOptions needs a store');
    return undefined;
  }
  const missing = STORE_METHODS.filter((method) => typeof store !== 'object' || store === null || typeof Reflect.get(store, method) !== 'function');
  if (missing.length > 0) throw new InvalidOptionsError(`store must be a SessionStore (createMemoryStore, createRedisStore): it has no ${missing.join(', ')}`);
  // A random id would never be found again: the record is only worth keeping under the application's.
  if (sessionId === undefined) throw new InvalidOptionsError('a session kept in a store needs its sessionId (the key another process finds it by)');
  if (storeOptions !== undefined && (typeof storeOptions !== 'object' || storeOptions === null)) throw new InvalidOptionsError('storeOptions must be an object');
  const given = (storeOptions ?? {}) as Record<string, unknown>;
  const { ownerId, takeOver } = given;
  if (ownerId !== undefined && (typeof ownerId !== 'string' || ownerId === '' || ownerId.length > 512)) {
    throw new InvalidOptionsError('storeOptions.ownerId must be a string of 1 to 512 characters');
  }
  if (takeOver !== undefined && typeof takeOver !== 'boolean') throw new InvalidOptionsError('storeOptions.takeOver must be a boolean');
  const leaseMs = given['leaseMs'] === undefined ? undefined : duration('storeOptions.leaseMs', given['leaseMs'], 0);
  if (leaseMs !== undefined && leaseMs < 1_000) throw new InvalidOptionsError(`storeOptions.leaseMs must be at least 1000 ms (it is renewed every third of it), got ${leaseMs}`);
  const flushMs = given['flushMs'] === undefined ? undefined : duration('storeOptions.flushMs', given['flushMs'], 0, { zero: true });
  return {
    store: store as SessionStore,
    options: { ownerId, takeOver, leaseMs, flushMs } as SessionStoreOptions,
  };
}
