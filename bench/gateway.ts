/**
 * Figure 6 (issue 18): the gateway. How many sessions one process sustains through the gateway's
 * relay (`examples/gateway/relay.ts`: a client's audio into a session kept in a store, its events
 * out), by the same test as figure 2; and what the store costs per session per minute (writes,
 * bytes, lease renewals, the wait before each tool outcome goes out), with 1,000 sessions in a
 * brisk conversation (the emulator's `bench-talk` scenario), on the in-memory store and on a real
 * `redis-server`.
 */
import type { GoogleGenAI } from '@google/genai';
import { Modality } from '@google/genai';
import { createClient } from 'redis';
import { relay, type GatewayEvent } from '../examples/gateway/relay.js';
import { weatherTool } from '../examples/gateway/agent.js';
import { createLiveSession, type LiveSession } from '../src/index.js';
import { createMemoryStore, createRedisStore, type SessionStore } from '../src/store/index.js';
import { startRedisServer } from '../test/store/redisServer.js';
import { sdkClient } from './clients.js';
import { MODEL, TALK_KEY } from './config.js';
import { connectMany, searchCapacity, type LoadClient, type SessionsOptions, type TriedLoad } from './sessions.js';
import { collectGarbage, sleep } from './stats.js';

/** How much to measure. */
export interface GatewayBenchOptions {
  /** The capacity search, as figure 2's. */
  capacity: SessionsOptions;
  /** Sessions talking at once while the store's cost is measured. */
  storeSessions: number;
  /** How long they talk before, and while, the store's writes are counted. */
  storeWarmupMs: number;
  storeWindowMs: number;
}

/** The full run and the quick one (`BENCH_QUICK=1`: a smoke test whose figures mean nothing). */
export const GATEWAY_PLANS: Record<'full' | 'quick', GatewayBenchOptions> = {
  full: {
    capacity: {
      memorySessions: 0,
      rawMemorySessions: 0,
      comparisons: false,
      levels: [200, 400, 600, 800, 1_000, 1_500, 2_000],
      resolution: 25,
      maxSessions: 3_000,
      warmupMs: 1_000,
      durationMs: 3_000,
    },
    storeSessions: 1_000,
    storeWarmupMs: 10_000,
    storeWindowMs: 30_000,
  },
  quick: {
    capacity: { memorySessions: 0, rawMemorySessions: 0, comparisons: false, levels: [10, 20], resolution: 10, maxSessions: 20, warmupMs: 200, durationMs: 500 },
    storeSessions: 20,
    storeWarmupMs: 500,
    storeWindowMs: 2_000,
  },
};

/** What the store cost, per session per minute of conversation. */
export interface StoreCost {
  backend: 'memory' | 'Redis';
  sessions: number;
  windowMs: number;
  writesPerSessionMinute: number;
  bytesPerSessionMinute: number;
  renewalsPerSessionMinute: number;
  /** Model turns and tool calls per session per minute: the conversation that made the writes. */
  turnsPerSessionMinute: number;
  toolCallsPerSessionMinute: number;
  failedWrites: number;
  /** Tool outcomes written before they went out, and how long those writes held them (ms). */
  writeAheads: number;
  writeAheadMeanMs: number;
  writeAheadMaxMs: number;
}

/** Figure 6's results. */
export interface GatewayResult {
  sessionsPerCore: number;
  loads: TriedLoad[];
  storeCosts: StoreCost[];
}

const CONFIG = { responseModalities: [Modality.AUDIO] };

/** A store that counts its renewals. */
function countingRenewals(store: SessionStore): { store: SessionStore; renewals(): number } {
  let renewals = 0;
  return {
    store: {
      acquire: (...args) => store.acquire(...args),
      renew: (lease) => {
        renewals += 1;
        return store.renew(lease);
      },
      save: (lease, patch) => store.save(lease, patch),
      release: (lease, options) => store.release(lease, options),
      load: (id) => store.load(id),
    },
    renewals: () => renewals,
  };
}

/** A client the relay writes to, as a gateway's socket would be written to (events as JSON). */
const nullClient = { sendAudio: () => undefined, sendEvent: (event: GatewayEvent) => void JSON.stringify(event) };

let nextId = 0;

/** A session through the gateway's relay, connected. */
async function gatewaySession(ai: GoogleGenAI, store: SessionStore): Promise<{ session: LiveSession; client: LoadClient }> {
  nextId += 1;
  const sessionId = `bench-${process.pid}-${nextId}`;
  const session = createLiveSession({
    ai,
    model: MODEL,
    config: CONFIG,
    tools: [weatherTool({ delayMs: 0 })],
    sessionId,
    store,
    storeOptions: { ownerId: 'bench-gateway', takeOver: true },
  });
  const wired = relay(session, sessionId, nullClient);
  await session.connect();
  return { session, client: { send: (pcm) => wired.receive(pcm), close: () => session.close({ deleteRecord: true }) } };
}

/** Counts a session's model turns and tool calls. */
function countConversation(session: LiveSession, counts: { turns: number; toolCalls: number }): void {
  session.on('turnComplete', () => (counts.turns += 1));
  session.on('toolCall', ({ calls }) => (counts.toolCalls += calls.length));
}

/** The store's cost with `count` sessions talking through the relay. */
async function measureStoreCost(baseUrl: string, backend: StoreCost['backend'], store: SessionStore, options: GatewayBenchOptions): Promise<StoreCost> {
  const counting = countingRenewals(store);
  const ai = sdkClient(baseUrl, TALK_KEY);
  const conversation = { turns: 0, toolCalls: 0 };
  const sessions = await connectMany(options.storeSessions, async () => {
    const { session } = await gatewaySession(ai, counting.store);
    countConversation(session, conversation);
    return session;
  });
  try {
    await sleep(options.storeWarmupMs);
    const totals = () => {
      const sum = { writes: 0, bytes: 0, failedWrites: 0, writeAheads: 0, writeAheadMs: 0, writeAheadMaxMs: 0 };
      for (const session of sessions) {
        const store = session.metrics().store;
        if (!store) continue;
        sum.writes += store.writes;
        sum.bytes += store.bytes;
        sum.failedWrites += store.failedWrites;
        sum.writeAheads += store.writeAheads;
        sum.writeAheadMs += store.writeAheadMs;
        sum.writeAheadMaxMs = Math.max(sum.writeAheadMaxMs, store.writeAheadMaxMs);
      }
      return { ...sum, renewals: counting.renewals(), ...conversation };
    };
    const start = totals();
    const started = performance.now();
    await sleep(options.storeWindowMs);
    const end = totals();
    const windowMs = performance.now() - started;
    const perSessionMinute = (delta: number) => (delta * 60_000) / windowMs / sessions.length;
    const writeAheads = end.writeAheads - start.writeAheads;
    return {
      backend,
      sessions: sessions.length,
      windowMs,
      writesPerSessionMinute: perSessionMinute(end.writes - start.writes),
      bytesPerSessionMinute: perSessionMinute(end.bytes - start.bytes),
      renewalsPerSessionMinute: perSessionMinute(end.renewals - start.renewals),
      turnsPerSessionMinute: perSessionMinute(end.turns - start.turns),
      toolCallsPerSessionMinute: perSessionMinute(end.toolCalls - start.toolCalls),
      failedWrites: end.failedWrites - start.failedWrites,
      writeAheads,
      writeAheadMeanMs: writeAheads === 0 ? 0 : (end.writeAheadMs - start.writeAheadMs) / writeAheads,
      writeAheadMaxMs: end.writeAheadMaxMs,
    };
  } finally {
    for (const session of sessions) await session.close({ deleteRecord: true });
  }
}

/**
 * Measures figure 6 against the emulator at `baseUrl`; `emulatorCpu` reads the CPU time (µs) the
 * emulator process has used.
 */
export async function measureGateway(baseUrl: string, emulatorCpu: () => Promise<number>, options: GatewayBenchOptions): Promise<GatewayResult> {
  const ai = sdkClient(baseUrl);
  const memory = createMemoryStore();
  const pool: LoadClient[] = [];
  let capacity: { capacity: number; loads: TriedLoad[] };
  try {
    capacity = await searchCapacity(async () => (await gatewaySession(ai, memory)).client, pool, emulatorCpu, options.capacity);
  } finally {
    for (const client of pool.splice(0)) await client.close();
  }
  collectGarbage();
  await sleep(200);

  const storeCosts = [await measureStoreCost(baseUrl, 'memory', createMemoryStore(), options)];
  const server = await startRedisServer();
  const redis = createClient({ url: server.url });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    storeCosts.push(await measureStoreCost(baseUrl, 'Redis', createRedisStore(redis), options));
  } finally {
    await redis.quit().catch(() => undefined);
    await server.stop();
  }
  return { sessionsPerCore: capacity.capacity, loads: capacity.loads, storeCosts };
}
