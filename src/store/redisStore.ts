/**
 * The Redis session store. The application passes its own node-redis client (the library never
 * imports a Redis package); every operation is one Lua script on one key, so the lease check and
 * the write it guards are atomic, and the key expires with the session's handle.
 */
import { describe, StoreError } from '../protocol/errors.js';
import {
  ALL_FIELDS,
  checkAcquire,
  checkLease,
  checkSessionId,
  decodeRecord,
  encodePatch,
  fencedReason,
  FIELD,
  resolveStoreOptions,
  versionError,
} from './record.js';
import { ACQUIRE, LOAD, RELEASE, RENEW, SAVE } from './redisScripts.js';
import { STORE_FORMAT_VERSION, type Lease, type SessionStore, type StoreOptions } from './types.js';

/**
 * What the store needs of a Redis client: `EVALSHA` and `EVAL` with keys and arguments. A
 * node-redis client (`createClient()` or `createCluster()` of `redis` 5 or 6) is one as it is.
 */
export interface RedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions extends StoreOptions {
  /** Prefix of every key (default `gemini-live-fsm:session:`); the session id follows it. */
  keyPrefix?: string;
  /**
   * How long to wait for Redis before an operation fails with `STORE_FAILED` (default 5 s). The
   * command may still run later; a late write is still fenced, so that is safe.
   */
  commandTimeoutMs?: number;
}

/** The default prefix of the store's keys. */
export const DEFAULT_KEY_PREFIX = 'gemini-live-fsm:session:';

/**
 * Creates a session store on Redis (5 or newer), with the application's client.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { createRedisStore } from 'gemini-live-fsm/store';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const store = createRedisStore(client, { keyPrefix: 'voice:session:' });
 * const lease = await store.acquire(callSid, `gateway-${process.pid}`, 15_000);
 * ```
 */
export function createRedisStore(client: RedisScriptClient, options: RedisStoreOptions = {}): SessionStore {
  if (typeof client?.evalSha !== 'function' || typeof client.eval !== 'function') {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'createRedisStore needs a node-redis client (with evalSha and eval)');
  }
  const resolved = resolveStoreOptions(options);
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const timeoutMs = options.commandTimeoutMs ?? 5_000;
  const version = String(STORE_FORMAT_VERSION);
  const ttls = [String(resolved.idleTtlMs), String(resolved.handleTtlMs)];

  const run = async (operation: string, sessionId: string, script: string, args: string[]): Promise<(string | null)[]> => {
    const request = { keys: [prefix + sessionId], arguments: args };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = async () => {
      const sha = await sha1(script);
      try {
        return await client.evalSha(sha, request);
      } catch (error) {
        // The server has not cached the script (a restart, a failover, SCRIPT FLUSH): EVAL loads it.
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(script, request);
        throw error;
      }
    };
    try {
      const reply = await Promise.race([
        call(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return asStrings(reply, operation);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('STORE_FAILED', `Redis failed to ${operation} '${sessionId}': ${describe(error)}`, { sessionId, cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  /** Turns a script's refusal into its typed error. */
  const refusal = (reply: (string | null)[], lease: Pick<Lease, 'sessionId' | 'fence'>): StoreError => {
    const [status, owner, fence, leaseUntil] = reply;
    const { sessionId } = lease;
    if (status === 'VERSION') return versionError(sessionId, owner ?? undefined);
    if (status === 'FENCED') {
      const current = owner === null ? undefined : { [FIELD.owner]: owner ?? '', [FIELD.fence]: fence ?? '' };
      const holder = owner ? { ownerId: owner, fence: Number(fence), expiresAt: Number(leaseUntil) } : undefined;
      return new StoreError('STORE_FENCED', fencedReason(lease, current), { sessionId, ...(holder ? { holder } : {}) });
    }
    return new StoreError('STORE_FAILED', `Redis answered '${reply.join(' ')}' for '${sessionId}'`, { sessionId });
  };

  return {
    async acquire(sessionId, ownerId, leaseMs, acquireOptions = {}) {
      checkAcquire(sessionId, ownerId, leaseMs);
      const reply = await run('acquire', sessionId, ACQUIRE, [ownerId, String(leaseMs), acquireOptions.takeOver === true ? '1' : '0', ...ttls, version]);
      if (reply[0] === 'OK') return { sessionId, ownerId, fence: Number(reply[1]), leaseMs, expiresAt: Number(reply[2]) };
      if (reply[0] === 'HELD') {
        const holder = { ownerId: reply[1] ?? '', fence: Number(reply[2]), expiresAt: Number(reply[3]) };
        throw new StoreError('STORE_LEASE_HELD', `'${sessionId}' is held by '${holder.ownerId}' until ${new Date(holder.expiresAt).toISOString()}`, {
          sessionId,
          holder,
        });
      }
      throw refusal(reply, { sessionId, fence: 0 });
    },

    async renew(lease) {
      checkLease(lease);
      const reply = await run('renew', lease.sessionId, RENEW, [lease.ownerId, String(lease.fence), String(lease.leaseMs), ...ttls, version]);
      if (reply[0] === 'OK') return { ...lease, expiresAt: Number(reply[1]) };
      throw refusal(reply, lease);
    },

    async save(lease, patch) {
      checkLease(lease);
      const encoded = encodePatch(lease.sessionId, patch, resolved.maxPatchBytes);
      const args = [lease.ownerId, String(lease.fence), ...ttls, version, encoded.remove.join(','), ...encoded.set.flat()];
      const reply = await run('save', lease.sessionId, SAVE, args);
      if (reply[0] !== 'OK') throw refusal(reply, lease);
      return { bytes: encoded.bytes };
    },

    async release(lease, releaseOptions = {}) {
      checkLease(lease);
      const args = [lease.ownerId, String(lease.fence), releaseOptions.deleteRecord === true ? '1' : '0', ...ttls, version];
      const reply = await run('release', lease.sessionId, RELEASE, args);
      if (reply[0] !== 'OK') throw refusal(reply, lease);
    },

    async load(sessionId) {
      checkSessionId(sessionId);
      const [now, ...values] = await run('load', sessionId, LOAD, ALL_FIELDS);
      const fields: Record<string, string | undefined> = {};
      ALL_FIELDS.forEach((field, i) => {
        const value = values[i];
        if (value !== null && value !== undefined) fields[field] = value;
      });
      if (fields[FIELD.version] === undefined) return undefined;
      return decodeRecord(sessionId, fields, Number(now));
    },
  };
}

const hashes = new Map<string, Promise<string>>();

/** The SHA-1 of a script, as EVALSHA names it (WebCrypto: no Node module needed). */
function sha1(script: string): Promise<string> {
  let hash = hashes.get(script);
  if (hash === undefined) {
    hash = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script)).then((digest) =>
      Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join(''),
    );
    hashes.set(script, hash);
  }
  return hash;
}

const decoder = new TextDecoder();

/** A script's reply as strings (nil as null), whatever the client's type mapping. */
function asStrings(reply: unknown, operation: string): (string | null)[] {
  if (!Array.isArray(reply)) throw new StoreError('STORE_FAILED', `Redis answered ${operation} with ${describe(reply)}, not a list`);
  return reply.map((item: unknown) => {
    if (item === null || item === undefined) return null;
    if (typeof item === 'string') return item;
    if (item instanceof Uint8Array) return decoder.decode(item);
    return String(item);
  });
}
