/**
 * Sessions kept in a store, over the scripted transport: the store's saves are recorded (with
 * what the connection had been sent by then), and may be held back or made to fail.
 */
import { createLiveSession, type AnyTool, type LiveSessionError, type LiveSession, type LiveSessionOptions, type SessionEmitted } from '../../src/index.js';
import type { StoreError} from '../../src/store/index.js';
import { createMemoryStore, type MemorySessionStore, type SessionPatch, type SessionStore, type StoredLedgerEntry } from '../../src/store/index.js';
import { createScriptedTransport, type ScriptedTransport } from '../../src/testing/index.js';

/** One save the session made: the patch, and how many frames the transport had sent by then. */
export interface RecordedSave {
  patch: SessionPatch;
  framesBefore: number;
}

/** A memory store that records every save, and can hold saves back or fail them. */
export interface RecordingStore extends SessionStore {
  readonly inner: MemorySessionStore;
  readonly saves: RecordedSave[];
  /** Saves wait for this promise while it is set. */
  hold: Promise<void> | undefined;
  /** Saves throw this while it is set. */
  failWith: StoreError | undefined;
}

/** A recording store over `inner`; `frames` says how many frames the transport has sent. */
export function recordingStore(frames: () => number, inner: MemorySessionStore = createMemoryStore()): RecordingStore {
  const recording: RecordingStore = {
    inner,
    saves: [],
    hold: undefined,
    failWith: undefined,
    acquire: (...args) => inner.acquire(...args),
    renew: (lease) => inner.renew(lease),
    release: (lease, options) => inner.release(lease, options),
    load: (id) => inner.load(id),
    async save(lease, patch) {
      if (recording.hold) await recording.hold;
      if (recording.failWith) throw recording.failWith;
      const receipt = await inner.save(lease, patch);
      recording.saves.push({ patch, framesBefore: frames() });
      return receipt;
    },
  };
  return recording;
}

/** A session kept in a recording store, over a scripted transport, recording what it emits. */
export interface StoredHarness {
  session: LiveSession;
  transport: ScriptedTransport;
  store: RecordingStore;
  emitted: SessionEmitted[];
  /** Every error the session reported, the session's own (store, front door) included. */
  errors: LiveSessionError[];
  of<T extends SessionEmitted['type']>(type: T): Extract<SessionEmitted, { type: T }>[];
}

/** Creates (does not connect) a session `sessionId` kept in `store` (a fresh memory store by default). */
export function storedSession(
  options: { sessionId?: string; tools?: AnyTool[]; store?: MemorySessionStore } & Omit<
    LiveSessionOptions,
    'transport' | 'ai' | 'tokenProvider' | 'model' | 'config' | 'tools' | 'store' | 'sessionId'
  > = {},
): StoredHarness {
  const { sessionId = 'call-1', tools = [], store: inner, ...rest } = options;
  const transport = createScriptedTransport();
  const store = recordingStore(() => transport.frames.length, inner);
  const session = createLiveSession({ storeOptions: { flushMs: 0 }, ...rest, transport, tools, store, sessionId });
  const emitted: SessionEmitted[] = [];
  session.actor.on('*', (event) => emitted.push(event as SessionEmitted));
  const errors: LiveSessionError[] = [];
  session.on('error', ({ error }) => errors.push(error));
  return {
    session,
    transport,
    store,
    emitted,
    errors,
    of: <T extends SessionEmitted['type']>(type: T) => emitted.filter((event): event is Extract<SessionEmitted, { type: T }> => event.type === type),
  };
}

/** Writes a record as a process that died would have left it (its lease runs out at once unless `leaseMs`). */
export async function leaveRecord(
  store: MemorySessionStore,
  sessionId: string,
  patch: SessionPatch,
  options: { leaseMs?: number; release?: boolean } = {},
): Promise<void> {
  const lease = await store.acquire(sessionId, 'dead-process', options.leaseMs ?? 1_000);
  await store.save(lease, patch);
  if (options.release ?? true) await store.release(lease);
}

/** A stored ledger entry of a call to `lookup`. */
export function storedCall(overrides: Partial<StoredLedgerEntry> & { key: string }): StoredLedgerEntry {
  return {
    id: overrides.key,
    name: 'lookup',
    args: { q: 'paris' },
    state: 'running',
    idempotencyKey: 'call-1:1',
    startedAt: Date.now() - 5_000,
    ...overrides,
  };
}

/** The stored ledger entry of `key`, as the store holds it now. */
export async function storedEntryOf(store: SessionStore, sessionId: string, key: string): Promise<StoredLedgerEntry | undefined> {
  return (await store.load(sessionId))?.ledger.find((entry) => entry.key === key);
}
