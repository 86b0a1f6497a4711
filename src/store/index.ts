/**
 * `gemini-live-fsm/store`: sessions that outlive their process. A {@link SessionStore} keeps, per
 * session, what another process needs to carry it on (the newest resumable handle, the tool-call
 * ledger, the bounded transcript, the token state), owned through a lease with a fencing token.
 * Two backends: in memory (tests, single-process apps) and Redis (the application's node-redis
 * client). A coalescing writer keeps the writes off the session's hot path.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_IDLE_TTL_MS,
  DEFAULT_MAX_PATCH_BYTES,
  HANDLE_TTL_MS,
  STORE_FORMAT_VERSION,
} from './types.js';
export type {
  AcquireOptions,
  Lease,
  ReleaseOptions,
  SaveReceipt,
  SessionPatch,
  SessionStore,
  StoreOptions,
  StoredHandle,
  StoredLedgerEntry,
  StoredSession,
  StoredTranscriptEntry,
} from './types.js';
export { createMemoryStore } from './memoryStore.js';
export type { MemorySessionStore, MemoryStoreOptions } from './memoryStore.js';
export { createRedisStore, DEFAULT_KEY_PREFIX } from './redisStore.js';
export type { RedisScriptClient, RedisStoreOptions } from './redisStore.js';
export { StoreError } from '../protocol/errors.js';
export type { LeaseHolder, StoreErrorCode } from '../protocol/errors.js';
export { createStoreWriter } from './writer.js';
export type { StoreWriter, StoreWriterOptions, StoreWriterStats } from './writer.js';
export { keepLease } from './leaseKeeper.js';
export type { LeaseKeeper, LeaseKeeperOptions } from './leaseKeeper.js';
// How a session holds its record (`createLiveSession`'s `storeOptions`) and what it counts (`metrics().store`).
export type { SessionStoreOptions, StoreMetrics } from '../session/persistence.js';
