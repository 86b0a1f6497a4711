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
import type { WebSocket } from 'ws';
import { relay, type GatewayEvent } from '../examples/gateway/relay.js';
import { weatherTool } from '../examples/gateway/agent.js';
import type { LiveSession } from '../src/index.js';
import { library } from './library.js';
import { createMemoryStore, createRedisStore, type SessionStore } from '../src/store/index.js';
import { startRedisServer } from '../test/store/redisServer.js';
import { fsmSession, sdkClient } from './clients.js';
import { drained } from './cpuPerFrame.js';
import { MODEL, pcmFrame, TALK_KEY } from './config.js';
import { connectMany, searchCapacity, type LoadClient, type SessionsOptions, type TriedLoad } from './sessions.js';
import { collectGarbage, median, sleep } from './stats.js';
import { tapWire } from './wireTap.js';

/** How much to measure. */
export interface GatewayBenchOptions {
  /** The capacity search, as figure 2's. */
  capacity: SessionsOptions;
  /** Sessions talking at once while the store's cost is measured. */
  storeSessions: number;
  /** CPU per frame through the relay beside a plain session's, as figure 1 takes it: rounds of bursts. */
  cpuRounds: number;
  cpuBurst: number;
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
    cpuRounds: 40,
    cpuBurst: 500,
    storeWarmupMs: 10_000,
    storeWindowMs: 30_000,
  },
  quick: {
    capacity: { memorySessions: 0, rawMemorySessions: 0, comparisons: false, levels: [10, 20], resolution: 10, maxSessions: 20, warmupMs: 200, durationMs: 500 },
    storeSessions: 20,
    cpuRounds: 4,
    cpuBurst: 100,
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
  /** CPU per frame through the relay and a plain session's (µs, medians), and the median of their ratio within a round. */
  cpuPerFrameUs: { gateway: number; plain: number };
  gatewayOverPlainCpu: number;
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
export async function gatewaySession(ai: GoogleGenAI, store: SessionStore): Promise<{ session: LiveSession; client: LoadClient }> {
  nextId += 1;
  const sessionId = `bench-${process.pid}-${nextId}`;
  const session = library.createLiveSession({
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

/** Connects a client and finds the socket its frames go out on. */
async function withSocket<T>(connect: () => Promise<T>): Promise<{ client: T; socket: WebSocket }> {
  let socket: WebSocket | undefined;
  const untap = tapWire((ws) => {
    socket ??= ws;
  });
  try {
    const client = await connect();
    if (!socket) throw new Error('no socket seen');
    return { client, socket };
  } finally {
    untap();
  }
}

/**
 * CPU per frame through the gateway's relay beside a plain session's, taken as figure 1 takes it
 * (bursts in turn, the ratio within each round, its median over the rounds), so that a noisy
 * neighbour moves both alike: what the relay and the store add to a frame's path.
 */
export async function measureCpu(ai: GoogleGenAI, options: GatewayBenchOptions): Promise<Pick<GatewayResult, 'cpuPerFrameUs' | 'gatewayOverPlainCpu'>> {
  const frame = pcmFrame();
  const plain = await withSocket(() => fsmSession(ai));
  const gateway = await withSocket(() => gatewaySession(ai, createMemoryStore()));
  const sides = [
    { send: (pcm: Uint8Array) => plain.client.sendAudio(pcm), socket: plain.socket, perRound: [] as number[] },
    { send: (pcm: Uint8Array) => gateway.client.client.send(pcm), socket: gateway.socket, perRound: [] as number[] },
  ];
  try {
    for (let round = -2; round < options.cpuRounds; round += 1) {
      for (let turn = 0; turn < sides.length; turn += 1) {
        const side = sides[(round + 2 + turn) % sides.length]!;
        collectGarbage();
        await sleep(1);
        const start = process.cpuUsage();
        for (let i = 0; i < options.cpuBurst; i += 1) side.send(frame);
        await drained(side.socket);
        const used = process.cpuUsage(start);
        if (round >= 0) side.perRound.push((used.user + used.system) / options.cpuBurst); // two rounds of warm-up
      }
    }
    const [plainSide, gatewaySide] = sides as [(typeof sides)[0], (typeof sides)[0]];
    return {
      cpuPerFrameUs: { plain: median(plainSide.perRound), gateway: median(gatewaySide.perRound) },
      gatewayOverPlainCpu: median(gatewaySide.perRound.map((value, i) => value / plainSide.perRound[i]!)),
    };
  } finally {
    await plain.client.close();
    await gateway.client.client.close();
  }
}

/**
 * Measures figure 6 against the emulator at `baseUrl`; `emulatorCpu` reads the CPU time (µs) the
 * emulator process has used.
 */
export async function measureGateway(baseUrl: string, emulatorCpu: () => Promise<number>, options: GatewayBenchOptions): Promise<GatewayResult> {
  const ai = sdkClient(baseUrl);
  const cpu = await measureCpu(ai, options);
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
  return { ...cpu, sessionsPerCore: capacity.capacity, loads: capacity.loads, storeCosts };
}
