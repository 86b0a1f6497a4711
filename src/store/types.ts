/**
 * What a session store keeps, and the interface every backend implements: one record per
 * `sessionId`, owned through a lease with a fencing token, so that exactly one process drives a
 * session at a time and a process that lost it can no longer write.
 */
import type { JsonObject, JsonValue } from '../protocol/messages.js';

/** The format of the stored record. A store refuses to read a record of another version. */
export const STORE_FORMAT_VERSION = 1;

/** How long the service keeps a resumption handle after it issued it: two hours. */
export const HANDLE_TTL_MS = 2 * 60 * 60 * 1000;

/** How long a record with no handle lives after its last write, by default: ten minutes. */
export const DEFAULT_IDLE_TTL_MS = 10 * 60 * 1000;

/** The largest patch a store takes by default, once encoded as JSON: 1 MiB. */
export const DEFAULT_MAX_PATCH_BYTES = 1024 * 1024;

/** The newest resumable handle the server issued, and when the session received it. */
export interface StoredHandle {
  handle: string;
  /** When it was received, in ms since the epoch. The record expires two hours after. */
  issuedAt: number;
}

/**
 * One entry of the tool-call ledger. The store keeps it as opaque JSON; these fields are the ones
 * every entry has, the ledger may add its own.
 */
export interface StoredLedgerEntry {
  key: string;
  name: string;
  args: JsonObject;
  state: string;
  idempotencyKey: string;
  settledAt?: number;
  [field: string]: JsonValue | undefined;
}

/**
 * One entry of the bounded transcript that seeds a fresh session: a turn of the user or of the
 * model, or a tool's outcome (opaque JSON).
 */
export type StoredTranscriptEntry =
  | { role: 'user' | 'model'; text: string; at: number }
  | { role: 'tool'; outcome: JsonValue; at: number };

/**
 * A change to a session's record. Each field present replaces the stored value whole (the ledger
 * and the transcript are bounded, so they are written as they are now); `null` removes it; an
 * absent field is left as it is.
 */
export interface SessionPatch {
  handle?: StoredHandle | null;
  ledger?: StoredLedgerEntry[];
  transcript?: StoredTranscriptEntry[];
  /** The token state (opaque JSON). */
  tokens?: JsonValue | null;
  /**
   * How many tool calls the session has numbered so far: the next process goes on from there, so
   * that an idempotency key is never given to two different calls.
   */
  callSeq?: number;
}

/** What a save wrote. */
export interface SaveReceipt {
  /** The bytes of the values it set (UTF-8 JSON), as the store keeps them. */
  bytes: number;
}

/** The ownership of one session by one owner, as `acquire` grants it. Plain data. */
export interface Lease {
  readonly sessionId: string;
  readonly ownerId: string;
  /**
   * The fencing token: it grows with every `acquire` of the session, and a write is taken only
   * with the newest one.
   */
  readonly fence: number;
  /** How long each grant or renewal lasts, in ms. */
  readonly leaseMs: number;
  /** When this grant runs out unless renewed, in ms since the epoch (the store's clock). */
  readonly expiresAt: number;
}

/** What `load` returns: everything another process needs to carry the session on. */
export interface StoredSession {
  readonly version: typeof STORE_FORMAT_VERSION;
  readonly sessionId: string;
  readonly handle: StoredHandle | undefined;
  readonly ledger: StoredLedgerEntry[];
  readonly transcript: StoredTranscriptEntry[];
  readonly tokens: JsonValue | undefined;
  /** How many tool calls the session has numbered (0 if never written). */
  readonly callSeq: number;
  /** The holder of the lease, unless it was released; `live` is false once it has run out. */
  readonly lease: { ownerId: string; fence: number; expiresAt: number; live: boolean } | undefined;
  /** The newest fencing token issued for the session. */
  readonly fence: number;
  /** The last write, in ms since the epoch (the store's clock). */
  readonly updatedAt: number;
  /** When the record expires, in ms since the epoch. */
  readonly expiresAt: number;
}

/** Options of `acquire`. */
export interface AcquireOptions {
  /**
   * Take the session even from an owner whose lease is live. That owner is fenced: its later
   * writes, renewals and releases are refused with `STORE_FENCED`.
   */
  takeOver?: boolean;
}

/** Options of `release`. */
export interface ReleaseOptions {
  /** Delete the record as well (the conversation is over). */
  deleteRecord?: boolean;
}

/**
 * Where sessions are kept between processes. Every write is fenced: it is applied only if the
 * lease it comes with is the session's current one, atomically with that check.
 *
 * @example
 * ```ts
 * const lease = await store.acquire('call-42', 'gateway-a', 15_000);
 * const record = await store.load('call-42'); // the handle, ledger and transcript to resume from
 * await store.save(lease, { handle: { handle: 'h-1', issuedAt: Date.now() } });
 * await store.release(lease);
 * ```
 */
export interface SessionStore {
  /**
   * Takes the session for `ownerId` for `leaseMs`, creating its record if there is none. Refused
   * with `STORE_LEASE_HELD` while another owner's lease is live, unless `takeOver`. Each grant
   * has a fence greater than every earlier one of the session.
   */
  acquire(sessionId: string, ownerId: string, leaseMs: number, options?: AcquireOptions): Promise<Lease>;
  /** Extends the lease by its `leaseMs` from now; `STORE_FENCED` if it is no longer current. */
  renew(lease: Lease): Promise<Lease>;
  /**
   * Applies `patch` to the record and says what it wrote; `STORE_FENCED` (and nothing written) if
   * the lease is not current.
   */
  save(lease: Lease, patch: SessionPatch): Promise<SaveReceipt>;
  /**
   * Gives the session up (another owner may acquire it at once), keeping its record unless
   * `deleteRecord`. Idempotent for the same lease; `STORE_FENCED` if another lease replaced it.
   */
  release(lease: Lease, options?: ReleaseOptions): Promise<void>;
  /** The session's record, or `undefined` if there is none (never written, deleted, or expired). */
  load(sessionId: string): Promise<StoredSession | undefined>;
}

/** Options every store takes. */
export interface StoreOptions {
  /** How long a record with no handle lives after its last write (default ten minutes). */
  idleTtlMs?: number;
  /** How long a handle stays usable after it was issued (default two hours, as the service keeps it). */
  handleTtlMs?: number;
  /** The largest patch taken, once encoded as JSON (default 1 MiB). */
  maxPatchBytes?: number;
}
