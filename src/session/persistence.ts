/**
 * A session kept in a session store, so that another process can carry it on: the lease taken on
 * `connect()` (and kept), the record loaded and put back before the first connection, every
 * change of the handle, the ledger, the transcript and the call count written through the
 * coalescing writer from a snapshot subscription (never from the audio's fast lane), each tool
 * outcome flushed before it reaches the model, and the lease given back on close. A store that
 * fences this process (another one took the session over) stops the session at once.
 */
import type { AnyEventObject, CallbackLogicFunction } from 'xstate';
import type { Ledger } from '../machines/ledger/entries.js';
import { isTerminal } from '../machines/ledger/lifecycle.js';
import type { SessionContext, SessionRestoreEvent, ToolExecutorCommand, ToolExecutorInput, ToolOutcome, ToolResultEvent } from '../machines/types.js';
import { describe, SessionClosedError, StoreError } from '../protocol/errors.js';
import { keepLease, type LeaseKeeper } from '../store/leaseKeeper.js';
import type { Lease, SessionPatch, SessionStore, StoredLedgerEntry } from '../store/types.js';
import { createStoreWriter, type StoreWriter } from '../store/writer.js';
import { holdsSession, restoreEvent, storedLedger, storedTranscript, transcriptSettled, type LineTimes } from './storedSession.js';

/** How a session holds its record in a store (see `createLiveSession`'s `store` option). */
export interface SessionStoreOptions {
  /** Who this process is, as the lease names it (default: a random id). */
  ownerId?: string;
  /** How long the lease lasts unless renewed, in ms (default 15 s); it is renewed every third of it. */
  leaseMs?: number;
  /**
   * Take the session even while another process holds it (default false: `connect()` then fails
   * with `STORE_LEASE_HELD`). A gateway whose client came back to it after a failure knows the
   * session moved: the process that held it is fenced, and stops.
   */
  takeOver?: boolean;
  /** The least time between two writes of the session's changes, in ms (default 500). */
  flushMs?: number;
}

/** What a session's store did (`metrics().store`). */
export interface StoreMetrics {
  /** Writes that reached the store and succeeded, and their bytes (the JSON of what they set). */
  writes: number;
  bytes: number;
  /** Writes the store failed or refused (each reported as an `error` event). */
  failedWrites: number;
  /** Tool outcomes written before they went to the model, and the time those writes took (ms, in all and at most). */
  writeAheads: number;
  writeAheadMs: number;
  writeAheadMaxMs: number;
  /** Whether the store fenced this process (another one took the session). */
  fenced: boolean;
}

/** What the persistence needs of its session. */
export interface PersistenceHost {
  /** The machine's context now. */
  context(): SessionContext;
  /** The store fenced this process: stop the session, sending nothing more. */
  takenOver(error: StoreError): void;
  /** A store operation failed (the session goes on). */
  reportError(error: StoreError): void;
}

/** A session's persistence. */
export interface Persistence {
  /**
   * Takes the session (the lease, then the record) and returns the event that puts the record
   * back, if it holds a session. Rejects with the store's `StoreError` (`STORE_LEASE_HELD`, …).
   * What the context holds when it resolves is taken as written.
   */
  open(resumption: boolean): Promise<SessionRestoreEvent | undefined>;
  /** Watches the context from now on: every change worth keeping is written. */
  observe(context: SessionContext): void;
  /** A tool executor whose outcomes are in the store before the machine hears of them. */
  writeAhead(
    executor: CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput>,
  ): CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput>;
  /** Writes what is waiting, stops keeping the lease and gives it back (deleting the record if asked). Idempotent. */
  finish(options: { deleteRecord: boolean }): Promise<void>;
  metrics(): StoreMetrics;
}

/** Defaults of {@link SessionStoreOptions}. */
export const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_FLUSH_MS = 500;

/** Creates the persistence of session `sessionId` in `store`. Nothing happens until `open()`. */
export function createPersistence(store: SessionStore, sessionId: string, options: SessionStoreOptions, host: PersistenceHost): Persistence {
  const ownerId = options.ownerId ?? `owner-${globalThis.crypto.randomUUID()}`;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const stats = { writes: 0, bytes: 0, failedWrites: 0, writeAheads: 0, writeAheadMs: 0, writeAheadMaxMs: 0 };
  let lease: Lease | undefined;
  let writer: StoreWriter | undefined;
  let keeper: LeaseKeeper | undefined;
  let fenced = false;
  let finished: Promise<void> | undefined;
  let failing = false;
  // What was last handed to the writer, so that only changes are written.
  let last: Pick<SessionContext, 'resumptionHandle' | 'ledger' | 'transcript' | 'callSeq'> | undefined;
  let handleAt: { handle: string; issuedAt: number } | undefined;
  const lineTimes: LineTimes = new WeakMap();
  // Outcomes written ahead that the machine has not taken yet: every ledger written keeps them, so
  // that a write of another change (another executor's outcome) never takes one back.
  const ahead = new Map<string, ToolOutcome>();

  /** The ledger as the store keeps it, with the outcomes written ahead. */
  const ledgerToStore = (ledger: Ledger): StoredLedgerEntry[] => {
    if (ahead.size === 0) return storedLedger(ledger);
    const overlaid = { ...ledger };
    for (const [key, outcome] of ahead) {
      const entry = ledger[key];
      if (entry === undefined || entry.outcome !== undefined || isTerminal(entry.state)) ahead.delete(key);
      else overlaid[key] = { ...entry, outcome };
    }
    return storedLedger(overlaid);
  };

  // The store, counting each write and the bytes it carried.
  const counted: SessionStore = {
    acquire: (...args) => store.acquire(...args),
    renew: (held) => store.renew(held),
    release: (held, releaseOptions) => store.release(held, releaseOptions),
    load: (id) => store.load(id),
    async save(held, patch) {
      const receipt = await store.save(held, patch);
      stats.writes += 1;
      failing = false;
      // A store of the application's own may not say; the two of the library do.
      stats.bytes += typeof receipt?.bytes === 'number' ? receipt.bytes : 0;
      return receipt;
    },
  };

  const lose = (error: StoreError) => {
    if (fenced) return;
    fenced = true;
    host.takenOver(error);
  };

  const onWriteError = (error: StoreError) => {
    stats.failedWrites += 1;
    if (error.code === 'STORE_FENCED') return lose(error);
    // A store that is down fails every retry: one error until a write succeeds again.
    if (failing && error.code === 'STORE_FAILED') return;
    failing = error.code === 'STORE_FAILED';
    host.reportError(error);
  };

  /** The patch of what changed since the last one, or `undefined`. */
  const changes = (context: SessionContext): SessionPatch | undefined => {
    const patch: SessionPatch = {};
    const now = Date.now();
    if (context.resumptionHandle !== last?.resumptionHandle) {
      const handle = context.resumptionHandle;
      if (handle === undefined) patch.handle = null;
      else {
        if (handleAt?.handle !== handle) handleAt = { handle, issuedAt: now };
        patch.handle = handleAt;
      }
    }
    if (context.ledger !== last?.ledger) patch.ledger = ledgerToStore(context.ledger);
    if (last === undefined || transcriptSettled(last.transcript, context.transcript)) patch.transcript = storedTranscript(context.transcript, lineTimes, now);
    if (context.callSeq !== last?.callSeq) patch.callSeq = context.callSeq;
    const transcript = patch.transcript === undefined && last !== undefined ? last.transcript : context.transcript;
    last = { resumptionHandle: context.resumptionHandle, ledger: context.ledger, transcript, callSeq: context.callSeq };
    return Object.keys(patch).length === 0 ? undefined : patch;
  };

  /** Writes a tool's outcome and waits for it: true if the outcome may go to the model. */
  const recordOutcome = async (event: ToolResultEvent): Promise<boolean> => {
    const context = host.context();
    const entry = context.ledger[event.key];
    const awaited = entry !== undefined && entry.generation === event.generation && (entry.state === 'running' || entry.state === 'orphaned');
    if (!awaited || writer === undefined || fenced) return !fenced;
    ahead.set(event.key, event.outcome);
    writer.write({ ledger: ledgerToStore(context.ledger) });
    const started = performance.now();
    try {
      await writer.flush();
      const took = performance.now() - started;
      stats.writeAheads += 1;
      stats.writeAheadMs += took;
      stats.writeAheadMaxMs = Math.max(stats.writeAheadMaxMs, took);
      return true;
    } catch (error) {
      // Fenced: another process owns the call now, and this outcome must not reach the model.
      // Failed (the store is down): the session goes on, as it does for every other write.
      return !(error instanceof StoreError && error.code === 'STORE_FENCED');
    }
  };

  /** Writes the ledger as it is (with the calls just made) and waits for it: true if their tools may run. */
  const recordCalls = async (): Promise<boolean> => {
    // The machine is still taking the toolCall when it starts the executor: its snapshot is ready just after.
    await Promise.resolve();
    if (writer === undefined || fenced) return !fenced;
    observe(host.context());
    try {
      await writer.flush();
      return true;
    } catch (error) {
      // Fenced: the calls are another process's now. Failed: the session goes on without the store.
      return !(error instanceof StoreError && error.code === 'STORE_FENCED');
    }
  };

  const observe = (context: SessionContext) => {
    if (writer === undefined || fenced || finished) return;
    const patch = changes(context);
    if (patch) writer.write(patch);
  };

  return {
    async open(resumption) {
      const acquired = await store.acquire(sessionId, ownerId, leaseMs, { takeOver: options.takeOver === true });
      const giveBack = async (error: unknown): Promise<never> => {
        await store.release(acquired).catch(() => undefined);
        throw error;
      };
      // Closed while the lease was on its way: nobody will finish it, so it goes back now.
      if (finished) return giveBack(new SessionClosedError('connect'));
      const record = await store.load(sessionId).catch(giveBack);
      if (finished) return giveBack(new SessionClosedError('connect'));
      lease = acquired;
      writer = createStoreWriter(counted, acquired, { flushMs: options.flushMs ?? DEFAULT_FLUSH_MS, onError: onWriteError });
      keeper = keepLease(store, acquired, {
        onLost: lose,
        onError: (error) => host.reportError(error),
      });
      if (record?.handle) handleAt = record.handle;
      // What the record holds counts as written; a stored handle the session will not use is removed.
      const { ledger, transcript, callSeq } = host.context();
      last = { resumptionHandle: record?.handle?.handle, ledger, transcript, callSeq };
      return record && holdsSession(record) ? restoreEvent(record, { now: Date.now(), resumption }) : undefined;
    },

    observe,

    writeAhead(executor) {
      return (args) => {
        let queue = Promise.resolve();
        let stopped = false;
        let stop: (() => void) | undefined;
        // Commands (cancellations) that come before the tools start wait for them.
        let listener: ((command: ToolExecutorCommand) => void) | undefined;
        const early: ToolExecutorCommand[] = [];
        args.receive((command) => (listener ? listener(command) : early.push(command)));
        // Events go to the machine in the order the executor sent them, each result once it is stored.
        const sendBack = (event: AnyEventObject) => {
          queue = queue.then(async () => {
            if (stopped) return;
            if (event.type === 'tool.result' && !(await recordOutcome(event as ToolResultEvent))) return;
            if (!stopped) args.sendBack(event);
          });
        };
        // The calls are in the store before their tools start: a process that dies with a tool
        // running leaves its call for the next owner to see.
        void recordCalls().then((run) => {
          if (!run || stopped) return;
          const cleanup = executor({
            ...args,
            sendBack,
            receive: (next) => {
              listener = next;
              for (const command of early.splice(0)) next(command);
            },
          });
          if (typeof cleanup === 'function') stop = cleanup;
        });
        return () => {
          stopped = true;
          stop?.();
        };
      };
    },

    finish({ deleteRecord }) {
      finished ??= (async () => {
        keeper?.stop();
        if (writer === undefined || lease === undefined) return;
        const held = keeper?.lease ?? lease;
        try {
          await writer.close();
          if (!fenced) await store.release(held, { deleteRecord });
        } catch (error) {
          if (error instanceof StoreError && error.code === 'STORE_FENCED') return;
          host.reportError(error instanceof StoreError ? error : new StoreError('STORE_FAILED', `giving the session back failed: ${describe(error)}`, { sessionId, cause: error }));
        }
      })();
      return finished;
    },

    metrics: () => ({ ...stats, fenced }),
  };
}
