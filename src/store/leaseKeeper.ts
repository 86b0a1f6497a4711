/**
 * Keeps a lease alive: renews it a few times per lease period, and says so at once when the
 * store refuses it (another process took the session over), so the owner stops driving it.
 */
import { describe, StoreError } from '../protocol/errors.js';
import type { Lease, SessionStore } from './types.js';

/** Options of {@link keepLease}. */
export interface LeaseKeeperOptions {
  /** How often to renew, in ms (default a third of the lease, so two renewals may fail in a row). */
  renewEveryMs?: number;
  /** The lease was refused (`STORE_FENCED`): another owner has the session. Renewal has stopped. */
  onLost: (error: StoreError) => void;
  /** A renewal failed but may succeed later (`STORE_FAILED`); the keeper tries again. Default: `console.warn`. */
  onError?: (error: StoreError) => void;
}

/** A running renewal. */
export interface LeaseKeeper {
  /** The newest renewal of the lease (same fence, later `expiresAt`). */
  readonly lease: Lease;
  /** Whether the lease was lost (renewal has stopped). */
  readonly lost: boolean;
  /** Stops renewing (the lease then runs out by itself unless released). Idempotent. */
  stop(): void;
}

/**
 * Renews `lease` until stopped or lost.
 *
 * @example
 * ```ts
 * const keeper = keepLease(store, lease, { onLost: () => void session.close() });
 * // …when the call ends
 * keeper.stop();
 * await store.release(keeper.lease);
 * ```
 */
export function keepLease(store: SessionStore, lease: Lease, options: LeaseKeeperOptions): LeaseKeeper {
  const everyMs = options.renewEveryMs ?? Math.max(1, Math.floor(lease.leaseMs / 3));
  if (!Number.isFinite(everyMs) || everyMs <= 0) throw new StoreError('STORE_INVALID_ARGUMENT', `renewEveryMs must be a positive number of ms, got ${String(everyMs)}`);
  let current = lease;
  let stopped = false;
  let lost = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const call = (listener: ((error: StoreError) => void) | undefined, error: StoreError, fallback: string) => {
    try {
      if (listener) listener(error);
      else console.warn(`gemini-live-fsm: ${fallback}: ${error.message}`);
    } catch (thrown) {
      console.error('gemini-live-fsm: a lease keeper listener threw', thrown);
    }
  };

  const renew = async () => {
    timer = undefined;
    try {
      const renewed = await store.renew(current);
      if (!stopped) current = renewed;
    } catch (thrown) {
      const error = thrown instanceof StoreError ? thrown : new StoreError('STORE_FAILED', `the store's renew threw: ${describe(thrown)}`, { sessionId: lease.sessionId, cause: thrown });
      if (stopped) return;
      if (error.code === 'STORE_FENCED') {
        lost = true;
        stopped = true;
        call(options.onLost, error, 'a lease was lost');
        return;
      }
      call(options.onError, error, 'a lease renewal failed');
    }
    if (!stopped) timer = setTimeout(() => void renew(), everyMs);
  };

  timer = setTimeout(() => void renew(), everyMs);
  return {
    get lease() {
      return current;
    },
    get lost() {
      return lost;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
