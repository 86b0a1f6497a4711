/**
 * Figure 2: how many gemini-live-fsm sessions one process (one JavaScript thread) sustains at 50
 * frames a second each with a p99 input-to-wire latency under 5 ms, and how much heap a session
 * holds, idle and streaming.
 */
import type { GoogleGenAI } from '@google/genai';
import type { LiveSession } from '../src/index.js';
import { bareWsClient, connectClient, fsmSession, sdkClient, type BenchClient } from './clients.js';
import { pcmFrame } from './config.js';
import { streamLoad, type FrameSink, type LoadResult } from './load.js';
import { collectGarbage, sleep } from './stats.js';

/** The latency bound a load must stay under to count as sustained. */
export const P99_LIMIT_MS = 5;

/** How much to measure. */
export interface SessionsOptions {
  /** Sessions whose heap is measured. */
  memorySessions: number;
  /** Loads to try, in order, before narrowing down between the last pass and the first failure. */
  levels: number[];
  /** Narrow down until pass and failure are this close (sessions). */
  resolution: number;
  /** Never try more sessions than this. */
  maxSessions: number;
  warmupMs: number;
  durationMs: number;
  /** Raw SDK connections measured for comparison (0 to skip). */
  rawMemorySessions: number;
  /**
   * Also find how many raw SDK connections, and how many bare `ws` clients, the same process
   * sustains, for comparison.
   */
  comparisons: boolean;
}

/** Heap per session, in bytes. */
export interface MemoryResult {
  sessions: number;
  idleBytes: number;
  streamingBytes: number;
}

/** Figure 2's results. */
export interface SessionsResult {
  memory: MemoryResult;
  /** The same measurement for raw SDK connections, for comparison. */
  rawMemory: MemoryResult | undefined;
  /** Every load tried, in order. */
  loads: TriedLoad[];
  /** The most sessions that passed. */
  sessionsPerCore: number;
  /** The same search for the comparison clients, when asked for. */
  comparisons: ComparisonSearch[];
}

/** The capacity search for a comparison client. */
export interface ComparisonSearch {
  client: 'raw SDK' | 'bare ws';
  capacity: number;
  loads: TriedLoad[];
}

function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Connects `count` sessions, a few dozen at a time. */
export async function connectMany<T>(count: number, connect: () => Promise<T>): Promise<T[]> {
  const connected: T[] = [];
  const BATCH = 50;
  while (connected.length < count) {
    const batch = Math.min(BATCH, count - connected.length);
    connected.push(...(await Promise.all(Array.from({ length: batch }, connect))));
  }
  return connected;
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** Whether a load run counts as sustained. */
export function sustained(load: LoadResult): boolean {
  return load.forwarded === load.frames && load.frames > 0 && load.dueToWire.p99 < P99_LIMIT_MS;
}

const asSink = (session: LiveSession): FrameSink => ({ send: (pcm) => session.sendAudio(pcm) });

async function measureMemory<T>(
  count: number,
  connect: () => Promise<T>,
  sink: (client: T) => FrameSink,
  options: SessionsOptions,
): Promise<{ memory: MemoryResult; clients: T[] }> {
  const before = heapUsed();
  const clients = await connectMany(count, connect);
  await sleep(50);
  const idle = heapUsed();
  const load = await streamLoad(clients.map(sink), pcmFrame(), {
    warmupMs: options.warmupMs,
    durationMs: Math.max(200, options.durationMs / 2),
    sampleHeap: true,
  });
  const streaming = load.heapUsedMidway ?? heapUsed();
  return {
    memory: { sessions: count, idleBytes: (idle - before) / count, streamingBytes: (streaming - before) / count },
    clients,
  };
}

/** One load tried, and whether it was sustained. */
export type TriedLoad = LoadResult & {
  passed: boolean;
  /** CPU time of the emulator process over the run, as a share of one core. */
  emulatorCpuShare: number;
};

/** A client the capacity search can connect, load and close. */
export type LoadClient = FrameSink & { close(): Promise<void> };

/** How many windows a load gets before it counts as not sustained. */
const TRIES_PER_LOAD = 2;

/**
 * Finds the most clients that sustain the load, trying `options.levels` and narrowing down.
 * Each load gets up to {@link TRIES_PER_LOAD} windows and passes if one does: what interferes
 * from outside (the kernel's loopback, the host) only ever adds latency, so one clean window shows
 * what the process itself sustains. Every window tried is in `loads`.
 */
export async function searchCapacity(
  connect: () => Promise<LoadClient>,
  pool: LoadClient[],
  emulatorCpu: () => Promise<number>,
  options: SessionsOptions,
): Promise<{ capacity: number; loads: TriedLoad[] }> {
  const loads: TriedLoad[] = [];
  const measureWindow = async (n: number) => {
    // Start from a clean heap: the garbage of connecting is not the steady state being measured.
    collectGarbage();
    await sleep(100);
    const before = await emulatorCpu();
    const started = performance.now();
    const load = await streamLoad(pool.slice(0, n), pcmFrame(), options);
    const emulatorCpuShare = (await emulatorCpu()) - before;
    const passed = sustained(load);
    loads.push({ ...load, passed, emulatorCpuShare: emulatorCpuShare / 1000 / (performance.now() - started) });
    return passed;
  };
  const run = async (n: number) => {
    if (pool.length < n) pool.push(...(await connectMany(n - pool.length, connect)));
    for (let attempt = 0; attempt < TRIES_PER_LOAD; attempt += 1) if (await measureWindow(n)) return true;
    return false;
  };
  let pass = 0;
  let fail = Infinity;
  for (const level of options.levels) {
    if (level > options.maxSessions) break;
    if (await run(level)) pass = level;
    else {
      fail = level;
      break;
    }
  }
  // Even the first load failed: halve it until one passes, then narrow down as usual.
  for (let n = roundTo(fail / 2, options.resolution); pass === 0 && n >= options.resolution && n < fail; n = roundTo(n / 2, options.resolution)) {
    if (await run(n)) pass = n;
    else fail = n;
  }
  while (Number.isFinite(fail) && fail - pass > options.resolution) {
    const middle = roundTo((pass + fail) / 2, options.resolution);
    if (middle <= pass || middle >= fail) break;
    if (await run(middle)) pass = middle;
    else fail = middle;
  }
  return { capacity: pass, loads };
}

/**
 * Measures figure 2 against the emulator at `baseUrl`; `emulatorCpu` reads the CPU time (µs)
 * the emulator process has used, so that each load shows how busy the other side was.
 */
export async function measureSessions(
  baseUrl: string,
  emulatorCpu: () => Promise<number>,
  options: SessionsOptions,
): Promise<SessionsResult> {
  const ai: GoogleGenAI = sdkClient(baseUrl);
  // Load every module and warm every path once, so that the first measured session pays for nothing shared.
  const warm = await fsmSession(ai);
  const warmRaw = await connectClient('raw', ai);
  await streamLoad([asSink(warm), warmRaw], pcmFrame(), { warmupMs: 0, durationMs: 200 });
  await warm.close();
  await warmRaw.close();

  const rawPool: BenchClient[] = [];
  let rawMemory: MemoryResult | undefined;
  if (options.rawMemorySessions > 0) {
    const raw = await measureMemory<BenchClient>(options.rawMemorySessions, () => connectClient('raw', ai), (c) => c, options);
    rawMemory = raw.memory;
    rawPool.push(...raw.clients);
  }

  const closeAll = async (clients: { close(): Promise<void> }[]) => {
    for (const client of clients.splice(0)) await client.close();
    await sleep(200);
  };
  const comparisons: ComparisonSearch[] = [];
  const compare = async (client: ComparisonSearch['client'], connect: () => Promise<LoadClient>, pool: LoadClient[]) => {
    try {
      comparisons.push({ client, ...(await searchCapacity(connect, pool, emulatorCpu, options)) });
    } finally {
      await closeAll(pool);
    }
  };
  if (options.comparisons) {
    await compare('raw SDK', () => connectClient('raw', ai), rawPool);
    await compare('bare ws', () => bareWsClient(baseUrl), []);
  } else {
    await closeAll(rawPool);
  }

  const fsmClient = async () => {
    const session = await fsmSession(ai);
    return { send: (pcm: Uint8Array) => session.sendAudio(pcm), close: () => session.close() };
  };
  const measured = await measureMemory(options.memorySessions, fsmClient, (client) => client, options);
  const pool = measured.clients;
  try {
    const fsm = await searchCapacity(fsmClient, pool, emulatorCpu, options);
    return {
      memory: measured.memory,
      rawMemory,
      loads: fsm.loads,
      sessionsPerCore: fsm.capacity,
      comparisons,
    };
  } finally {
    await closeAll(pool);
  }
}
