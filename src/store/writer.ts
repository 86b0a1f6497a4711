/**
 * The coalescing writer: a session hands it a patch on every change, and it writes the merged
 * patches at most once per `flushMs`, on a timer, never on the caller's stack. A fenced write
 * stops it for good; a failed one is retried with the changes that came meanwhile.
 */
import { describe, StoreError } from '../protocol/errors.js';
import type { Lease, SessionPatch, SessionStore } from './types.js';

/** Options of {@link createStoreWriter}. */
export interface StoreWriterOptions {
  /** The least time between the starts of two writes, in ms (default 500). */
  flushMs?: number;
  /**
   * Told of every write that failed: `STORE_FENCED` once (the writer has stopped: another
   * process owns the session), `STORE_FAILED` on each failed attempt (the changes are kept and
   * retried), `STORE_INVALID_ARGUMENT` for a patch the store refused (that patch is dropped).
   * Default: `console.warn`.
   */
  onError?: (error: StoreError) => void;
}

/** What a writer has done. */
export interface StoreWriterStats {
  /** Patches handed to `write`. */
  patches: number;
  /** Writes that reached the store and succeeded. */
  writes: number;
  /** Writes that failed (each reported to `onError`). */
  failedWrites: number;
  /** Patches refused because the writer had stopped (fenced or closed). */
  dropped: number;
  /** Whether a write was refused as fenced (the writer has stopped). */
  fenced: boolean;
  /** Whether changes are waiting to be written. */
  pending: boolean;
}

/** Writes a session's changes to a store, coalesced. */
export interface StoreWriter {
  /** Takes a patch: merged with what is waiting, written later. Returns at once; never throws. */
  write(patch: SessionPatch): void;
  /** Writes what is waiting now (after any write in flight). Rejects with the write's `StoreError`. */
  flush(): Promise<void>;
  /** Flushes, then stops taking patches. Resolves even when fenced (that was reported). */
  close(): Promise<void>;
  stats(): StoreWriterStats;
}

type PatchKey = keyof SessionPatch;
const PATCH_KEYS: readonly PatchKey[] = ['handle', 'ledger', 'transcript', 'tokens', 'callSeq'];

/**
 * Creates a writer of `lease`'s session to `store`. Hand it the current value of each field that
 * changed; do not mutate a value after handing it over (the write takes it as it is then).
 *
 * @example
 * ```ts
 * const writer = createStoreWriter(store, lease, { flushMs: 500, onError: (e) => e.code === 'STORE_FENCED' && session.close() });
 * session.on('toolResult', () => writer.write({ ledger: currentLedger() }));
 * // …
 * await writer.close();
 * ```
 */
export function createStoreWriter(store: SessionStore, lease: Lease, options: StoreWriterOptions = {}): StoreWriter {
  const flushMs = options.flushMs ?? 500;
  if (!Number.isFinite(flushMs) || flushMs < 0) throw new StoreError('STORE_INVALID_ARGUMENT', `flushMs must be a number of ms ≥ 0, got ${String(flushMs)}`);
  const report = (error: StoreError) => {
    try {
      if (options.onError) options.onError(error);
      else console.warn(`gemini-live-fsm: a store write failed: ${error.message}`);
    } catch (thrown) {
      console.error('gemini-live-fsm: the store writer onError threw', thrown);
    }
  };
  const stats = { patches: 0, writes: 0, failedWrites: 0, dropped: 0 };
  let pending: SessionPatch | undefined;
  let inFlight: Promise<StoreError | undefined> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastStart = -Infinity;
  let fenced: StoreError | undefined;
  let closed = false;

  const schedule = () => {
    if (timer !== undefined || inFlight !== undefined || pending === undefined || fenced !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void writeNow();
    }, Math.max(0, lastStart + flushMs - Date.now()));
  };

  /** Writes what is waiting; resolves with the error it failed with, if any (never rejects). */
  const writeNow = (): Promise<StoreError | undefined> => {
    if (inFlight !== undefined) return inFlight;
    const patch = pending;
    if (patch === undefined || fenced !== undefined) return Promise.resolve(fenced);
    pending = undefined;
    lastStart = Date.now();
    const attempt = (async () => {
      try {
        await store.save(lease, patch);
        stats.writes += 1;
        return undefined;
      } catch (thrown) {
        const error = thrown instanceof StoreError ? thrown : new StoreError('STORE_FAILED', `the store's save threw: ${describe(thrown)}`, { sessionId: lease.sessionId, cause: thrown });
        stats.failedWrites += 1;
        if (error.code === 'STORE_FENCED') {
          fenced = error;
          pending = undefined;
        } else if (error.retryable) {
          pending = mergeUnder(patch, pending); // the changes made meanwhile win
        }
        report(error);
        return error;
      } finally {
        inFlight = undefined;
      }
    })();
    inFlight = attempt;
    void attempt.then(schedule);
    return attempt;
  };

  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const flush = async () => {
    clearTimer();
    while (inFlight !== undefined) await inFlight;
    clearTimer(); // the write that just ended may have scheduled the next one: it is this one
    const error = await writeNow();
    if (error !== undefined) throw error;
  };

  return {
    write(patch) {
      if (fenced !== undefined || closed) {
        stats.dropped += 1;
        return;
      }
      stats.patches += 1;
      pending ??= {};
      for (const key of PATCH_KEYS) if (patch[key] !== undefined) (pending as Record<PatchKey, unknown>)[key] = patch[key];
      schedule();
    },
    flush,
    async close() {
      try {
        await flush();
      } catch (error) {
        if (!(error instanceof StoreError && error.code === 'STORE_FENCED')) throw error;
      } finally {
        closed = true;
        clearTimer();
      }
    },
    stats: () => ({ ...stats, fenced: fenced !== undefined, pending: pending !== undefined }),
  };
}

/** `older` with `newer`'s fields over it. */
function mergeUnder(older: SessionPatch, newer: SessionPatch | undefined): SessionPatch {
  const merged: SessionPatch = { ...older };
  if (newer !== undefined) for (const key of PATCH_KEYS) if (newer[key] !== undefined) (merged as Record<PatchKey, unknown>)[key] = newer[key];
  return merged;
}
