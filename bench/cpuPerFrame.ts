/**
 * Figure 1: CPU time per forwarded audio frame, for the raw SDK, the boolean-flag client and
 * gemini-live-fsm, each connected to the emulator.
 *
 * The clients take turns: each round gives every client one burst of frames, in a rotating
 * order, and measures `process.cpuUsage()` (user + system) from the first frame until the socket
 * has taken every byte. The ratios are taken within a round (side by side) and their median over
 * the rounds is reported, so that drift (frequency scaling, a noisy neighbour) cancels out.
 */
import type { WebSocket } from 'ws';
import { CLIENT_KINDS, connectClient, sdkClient, type BenchClient, type ClientKind } from './clients.js';
import { pcmFrame } from './config.js';
import { collectGarbage, median, sleep } from './stats.js';
import { tapWire } from './wireTap.js';

/** How much to measure. */
export interface CpuOptions {
  /** Frames each client sends before any measurement. */
  warmupFrames: number;
  /** Frames per client per round. */
  burst: number;
  rounds: number;
}

/** Figure 1's results; times in microseconds of CPU per frame. */
export interface CpuResult {
  perFrameUs: Record<ClientKind, number>;
  /** Median over rounds of fsm/flag within each round. */
  fsmOverFlag: number;
  /** Median over rounds of fsm/raw within each round. */
  fsmOverRaw: number;
  rounds: number;
  framesPerBurst: number;
}

interface Measured {
  client: BenchClient;
  socket: WebSocket;
}

/** Connects one client and finds its socket (the one its setup frame goes out on). */
async function connectMeasured(kind: ClientKind, baseUrl: string): Promise<Measured> {
  let socket: WebSocket | undefined;
  const untap = tapWire((ws) => {
    socket ??= ws;
  });
  try {
    const client = await connectClient(kind, sdkClient(baseUrl));
    if (!socket) throw new Error(`no socket seen for the ${kind} client`);
    return { client, socket };
  } finally {
    untap();
  }
}

/** Waits (idle, not spinning) until the socket has handed every byte to the kernel. */
export async function drained(socket: WebSocket): Promise<void> {
  for (let waited = 0; socket.bufferedAmount > 0 && waited < 5_000; waited += 1) await sleep(1);
}

function burst({ client, socket }: Measured, frame: Uint8Array, frames: number): Promise<void> {
  for (let i = 0; i < frames; i += 1) client.send(frame);
  return drained(socket);
}

/** Measures figure 1 against the emulator at `baseUrl`. */
export async function measureCpuPerFrame(baseUrl: string, options: CpuOptions): Promise<CpuResult> {
  const frame = pcmFrame();
  const clients = new Map<ClientKind, Measured>();
  for (const kind of CLIENT_KINDS) clients.set(kind, await connectMeasured(kind, baseUrl));
  const get = (kind: ClientKind) => clients.get(kind) as Measured;
  try {
    for (let done = 0; done < options.warmupFrames; done += options.burst) {
      for (const kind of CLIENT_KINDS) await burst(get(kind), frame, options.burst);
    }
    const perRound: Record<ClientKind, number[]> = { raw: [], flag: [], fsm: [] };
    for (let round = 0; round < options.rounds; round += 1) {
      for (let turn = 0; turn < CLIENT_KINDS.length; turn += 1) {
        const kind = CLIENT_KINDS[(round + turn) % CLIENT_KINDS.length] as ClientKind;
        // Each burst starts from an empty young generation, so it pays for its own garbage.
        collectGarbage();
        await sleep(1);
        const start = process.cpuUsage();
        await burst(get(kind), frame, options.burst);
        const used = process.cpuUsage(start);
        perRound[kind].push((used.user + used.system) / options.burst);
      }
    }
    const ratios = (a: ClientKind, b: ClientKind) => perRound[a].map((value, i) => value / (perRound[b][i] as number));
    return {
      perFrameUs: { raw: median(perRound.raw), flag: median(perRound.flag), fsm: median(perRound.fsm) },
      fsmOverFlag: median(ratios('fsm', 'flag')),
      fsmOverRaw: median(ratios('fsm', 'raw')),
      rounds: options.rounds,
      framesPerBurst: options.burst,
    };
  } finally {
    for (const { client } of clients.values()) await client.close();
  }
}
