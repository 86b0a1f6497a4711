/**
 * Streams audio through many clients at once, 50 frames a second each, and times every frame
 * from the moment it was due (the moment a microphone would have handed it over) to the moment
 * it reached `ws.send`.
 *
 * The clients' frames are spread evenly over each 20 ms: frame k of client i is due at
 * `start + (k * n + i) * 20 / n` ms. The driver hands over every frame that is due each time the
 * event loop comes round (`setImmediate`), as a gateway handles a frame as soon as its socket is
 * readable; a timer would wake it no sooner than a millisecond later, and make every frame up to
 * that late by the driver's own doing. A process that cannot keep up comes round late, and the
 * lateness shows in the figures.
 */
import { FRAME_INTERVAL_MS } from './config.js';
import { Samples, collectGarbage, percentile } from './stats.js';
import { tapWire } from './wireTap.js';

/** Something that forwards frames. */
export interface FrameSink {
  send(pcm: Uint8Array): void;
}

/** What one load run saw; times in milliseconds. */
export interface LoadResult {
  sessions: number;
  /** Frames handed to the clients in the measured window. */
  frames: number;
  /** Of those, frames that reached `ws.send` before `send` returned. */
  forwarded: number;
  /** From due to `ws.send`: what a microphone's frame waits, queueing included. */
  dueToWire: { p50: number; p99: number; max: number };
  /** From the `send` call to `ws.send`: the client's own synchronous path. */
  callToWire: { p50: number; p99: number; max: number };
  /**
   * Wall time spent in the clients' `send` over the window, as a share of it: how busy the core
   * was forwarding. (The process's CPU time would say nothing: the driver never sleeps.)
   */
  busyShare: number;
  /** heapUsed after a full GC in the middle of the window, when `sampleHeap` was asked for. */
  heapUsedMidway: number | undefined;
}

/** Options of {@link streamLoad}. */
export interface LoadOptions {
  warmupMs: number;
  durationMs: number;
  /** Take a GC'd heap sample halfway through the window. */
  sampleHeap?: boolean;
  /** Ends the run early once this returns true (checked on every wake-up). */
  until?: () => boolean;
  /** Called just before each frame is handed to sink `index`. */
  beforeSend?: (index: number) => void;
}

function summary(samples: Samples): LoadResult['dueToWire'] {
  const values = samples.values();
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

/** Streams `frame` through every sink at 50 frames a second for the warm-up plus the window. */
export function streamLoad(sinks: readonly FrameSink[], frame: Uint8Array, options: LoadOptions): Promise<LoadResult> {
  const n = sinks.length;
  const step = FRAME_INTERVAL_MS / n;
  const dueToWire = new Samples();
  const callToWire = new Samples();
  let wiredAt = 0;
  let waiting = false;
  const untap = tapWire((_socket, kind) => {
    if (waiting && kind === 'realtimeInput') {
      wiredAt = performance.now();
      waiting = false;
    }
  });

  const start = performance.now() + 5;
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const heapAt = options.sampleHeap ? measureFrom + options.durationMs / 2 : Infinity;
  let heapUsedMidway: number | undefined;
  let cursor = 0;
  let frames = 0;
  let forwarded = 0;
  let busyMs = 0;

  const sendOne = (due: number) => {
    const index = cursor % n;
    const sink = sinks[index] as FrameSink;
    options.beforeSend?.(index);
    waiting = true;
    const calledAt = performance.now();
    sink.send(frame);
    const returnedAt = performance.now();
    const sent = !waiting;
    waiting = false;
    if (due < measureFrom) return;
    busyMs += returnedAt - calledAt;
    frames += 1;
    if (!sent) return;
    forwarded += 1;
    dueToWire.push(wiredAt - due);
    callToWire.push(wiredAt - calledAt);
  };

  return new Promise<LoadResult>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (heapUsedMidway === undefined && now >= heapAt) {
        collectGarbage();
        heapUsedMidway = process.memoryUsage().heapUsed;
      }
      for (let due = start + cursor * step; due <= now && due < end; due = start + cursor * step) {
        sendOne(due);
        cursor += 1;
      }
      const next = start + cursor * step;
      if (next < end && !options.until?.()) {
        setImmediate(tick);
        return;
      }
      const measuredMs = Math.max(1, Math.min(now, end) - measureFrom);
      untap();
      resolve({
        sessions: n,
        frames,
        forwarded,
        dueToWire: summary(dueToWire),
        callToWire: summary(callToWire),
        busyShare: busyMs / measuredMs,
        heapUsedMidway,
      });
    };
    setImmediate(tick);
  });
}
