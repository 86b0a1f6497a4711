/**
 * Figure 4: the heap over a long session, in simulated time. One gemini-live-fsm session streams
 * 50 frames a second (a fresh buffer each, as a microphone gives) for an hour of fake time
 * (`@sinonjs/fake-timers` drives `setTimeout`, `setInterval` and `Date`), against the simulated
 * server: a model turn every 5 s, a tool call every 30 s (every fourth one with two parallel
 * calls; the tool takes 800 ms, so frames are dropped while gated), and a goAway every 10 minutes,
 * after which the session resumes on a new connection. After every simulated minute the heap is
 * measured after a full GC.
 *
 * A shorter session with the same events, much closer together, runs first: V8 compiles the
 * rarely taken paths (a goAway comes once in 10 minutes) the first times they run. Code keeps
 * being optimised for a long while after, so the figure is the heap without V8's compiled code
 * and bytecode (`v8.getHeapCodeStatistics()`); the total heapUsed is reported beside it.
 */
import * as FakeTimers from '@sinonjs/fake-timers';
import { getHeapCodeStatistics } from 'node:v8';
import { createLiveSession, defineTool } from '../src/index.js';
import { FRAME_BYTES, FRAME_INTERVAL_MS, pcmFrame } from './config.js';
import { createSimServer, type SimCounts } from './simServer.js';
import { collectGarbage, median, slope } from './stats.js';

/** How much to simulate. */
export interface LongSessionOptions {
  /** Simulated minutes. */
  minutes: number;
  /** The first minute of the window over which growth is measured. */
  fromMinute: number;
  /** Simulated minutes of the warm-up session. */
  warmupMinutes: number;
  /** Called after each measured minute's heap sample (for heap snapshots when hunting a leak). */
  onMinute?: (minute: number) => void;
}

/** Figure 4's results. */
export interface LongSessionResult {
  minutes: number;
  fromMinute: number;
  /** heapUsed after GC, less code and bytecode, at the end of each simulated minute (0: before streaming). */
  heapByMinute: number[];
  /** The same, with code and bytecode. */
  totalHeapByMinute: number[];
  /** Median of the three samples around the last minute minus that around `fromMinute`. */
  growthBytes: number;
  /** The same growth of the total heapUsed. */
  totalGrowthBytes: number;
  /** Least-squares slope of the samples from `fromMinute` on, per simulated minute. */
  slopeBytesPerMinute: number;
  framesSent: number;
  counts: SimCounts;
  reconnects: number;
  /** Whether the session's counters add up (I4). */
  countersAddUp: boolean;
  realMs: number;
}

/** When the simulated server does what, in simulated milliseconds. */
interface Schedule {
  modelTurnEveryMs: number;
  toolCallEveryMs: number;
  goAwayEveryMs: number;
}

const MINUTE_MS = 60_000;
const HOUR: Schedule = { modelTurnEveryMs: 5_000, toolCallEveryMs: 30_000, goAwayEveryMs: 10 * MINUTE_MS };
const WARMUP: Schedule = { modelTurnEveryMs: 1_000, toolCallEveryMs: 3_000, goAwayEveryMs: MINUTE_MS / 2 };
const GO_AWAY_TIME_LEFT_MS = 5_000;
const TOOL_MS = 800;

/** Lets promise callbacks and their follow-ups run (setImmediate is not faked). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** heapUsed after a full GC, without V8's compiled code and bytecode (see the module's note). */
function dataHeapAfterGc(): { data: number; total: number } {
  collectGarbage();
  const total = process.memoryUsage().heapUsed;
  const code = getHeapCodeStatistics();
  return { data: total - code.code_and_metadata_size - code.bytecode_and_metadata_size, total };
}

/** The median of the samples at `minute - 1`, `minute` and `minute + 1` that exist. */
function around(samples: number[], minute: number): number {
  return median(samples.slice(Math.max(0, minute - 1), Math.min(samples.length, minute + 2)));
}

/** Runs one session for `minutes` of simulated time; `afterMinute` is called after each. */
async function simulate(clock: FakeTimers.Clock, schedule: Schedule, minutes: number, afterMinute: (minute: number) => void) {
  const server = createSimServer();
  const getWeather = defineTool({
    name: 'get_weather',
    execute: () => new Promise((resolve) => setTimeout(() => resolve({ tempC: 21 }), TOOL_MS)),
  });
  const session = createLiveSession({ transport: server.transport, tools: [getWeather] });
  const connecting = session.connect();
  await settle();
  await connecting;
  afterMinute(0);

  const template = pcmFrame();
  const stepsPerMinute = MINUTE_MS / FRAME_INTERVAL_MS;
  let framesSent = 0;
  let toolCalls = 0;
  for (let minute = 1; minute <= minutes; minute += 1) {
    for (let step = 0; step < stepsPerMinute; step += 1) {
      const now = (minute - 1) * MINUTE_MS + step * FRAME_INTERVAL_MS;
      server.advance(now);
      if (now > 0 && now % schedule.goAwayEveryMs === 0) server.goAway(now, GO_AWAY_TIME_LEFT_MS);
      if (now % schedule.toolCallEveryMs === schedule.toolCallEveryMs / 3) server.toolCall(++toolCalls % 4 === 0 ? 2 : 1);
      if (now % schedule.modelTurnEveryMs === schedule.modelTurnEveryMs / 2) server.modelTurn();
      // A microphone hands over a new buffer every time.
      const frame = new Uint8Array(FRAME_BYTES);
      frame.set(template);
      session.sendAudio(frame);
      framesSent += 1;
      clock.tick(FRAME_INTERVAL_MS);
      await settle();
    }
    afterMinute(minute);
  }
  const metrics = session.metrics();
  await session.close();
  return { server, metrics, framesSent };
}

/** Measures figure 4. */
export async function measureLongSession(options: LongSessionOptions): Promise<LongSessionResult> {
  const started = performance.now();
  const clock = FakeTimers.install({ now: Date.UTC(2026, 0, 1), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  try {
    await simulate(clock, WARMUP, options.warmupMinutes, () => undefined);
    const heapByMinute: number[] = [];
    const totalHeapByMinute: number[] = [];
    const { server, metrics, framesSent } = await simulate(clock, HOUR, options.minutes, (minute) => {
      const heap = dataHeapAfterGc();
      heapByMinute.push(heap.data);
      totalHeapByMinute.push(heap.total);
      if (minute > 0) options.onMinute?.(minute);
    });
    const window = heapByMinute.slice(options.fromMinute);
    return {
      minutes: options.minutes,
      fromMinute: options.fromMinute,
      heapByMinute,
      totalHeapByMinute,
      growthBytes: around(heapByMinute, options.minutes) - around(heapByMinute, options.fromMinute),
      totalGrowthBytes: around(totalHeapByMinute, options.minutes) - around(totalHeapByMinute, options.fromMinute),
      slopeBytesPerMinute: slope(
        window.map((_, i) => options.fromMinute + i),
        window,
      ),
      framesSent,
      counts: { ...server.counts },
      reconnects: metrics.reconnects,
      countersAddUp: metrics.totalReceived === metrics.totalForwarded + metrics.totalDropped + metrics.deferred + metrics.buffered,
      realMs: performance.now() - started,
    };
  } finally {
    clock.uninstall();
  }
}
