/**
 * The Node player: the model's 24 kHz PCM16 written to any stream (a speaker process's stdin, a
 * file, a socket) at the pace a sound card would take it, so that an interruption still finds
 * the unplayed rest in hand: it writes a fade of at most 128 samples, drops the rest, and
 * reports what was played. It uses no Node module: anything with `write(chunk)` will do.
 */
import { floatToPcm16 } from './resample.js';
import { PlaybackCore } from './playbackCore.js';
import {
  attachPlayer,
  DEFAULT_JITTER_MS,
  MODEL_SAMPLE_RATE,
  pcm16ToFloat,
  RENDER_QUANTUM,
  statsOf,
  TurnLedger,
  type AudioPlayer,
  type PlaybackReport,
} from './player.js';

/** Where PCM goes: a Node `Writable`, or anything with `write`. */
export interface PcmSink {
  write(chunk: Uint8Array): unknown;
}

/** Options of {@link createStreamPlayer}. */
export interface StreamPlayerOptions {
  /** Audio held back before playing starts (default 60 ms). */
  jitterMs?: number;
  /** How often audio is written, in ms of audio per write (default 20). */
  blockMs?: number;
  /** The clock, in ms (default `performance.now`). */
  now?: () => number;
}

/**
 * Creates a player that writes 24 kHz PCM16 to `output` in real time.
 *
 * @example
 * ```ts
 * import { spawn } from 'node:child_process';
 * import { createStreamPlayer } from 'gemini-live-fsm/audio';
 *
 * const aplay = spawn('aplay', ['-q', '-f', 'S16_LE', '-r', '24000', '-c', '1']);
 * const player = createStreamPlayer(aplay.stdin);
 * player.attach(session, { onInterrupted: ({ heardMs }) => console.log(`the user heard ${heardMs} ms`) });
 * ```
 */
export function createStreamPlayer(output: PcmSink, options: StreamPlayerOptions = {}): AudioPlayer {
  const now = options.now ?? (() => performance.now());
  const blockMs = Math.max(5, options.blockMs ?? 20);
  const core = new PlaybackCore({
    jitterSamples: ((options.jitterMs ?? DEFAULT_JITTER_MS) * MODEL_SAMPLE_RATE) / 1000,
    fadeFrames: RENDER_QUANTUM,
    step: 1,
  });
  const ledger = new TurnLedger();
  let drained: (() => void)[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let clockStart = 0;
  let rendered = 0;
  let closed = false;

  const write = (samples: Float32Array, count: number) => {
    if (count > 0) output.write(floatToPcm16(samples.subarray(0, count)));
  };

  const settleDrains = () => {
    if (core.buffered() > 0 || core.fading()) return;
    stop();
    const waiting = drained;
    drained = [];
    for (const resolve of waiting) resolve();
  };

  /** Writes the audio that is due by the clock, in blocks. */
  const tick = () => {
    const due = Math.floor(((now() - clockStart) * MODEL_SAMPLE_RATE) / 1000) - rendered;
    if (due > 0) {
      const block = new Float32Array(due);
      write(block, core.render(block, true));
      rendered += due;
    }
    settleDrains();
  };

  const start = () => {
    if (timer !== undefined || closed) return;
    clockStart = now();
    rendered = 0;
    timer = setInterval(tick, blockMs);
  };

  function stop() {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  const player: AudioPlayer = {
    enqueue(pcm) {
      if (closed) return;
      const samples = pcm16ToFloat(pcm);
      ledger.add(samples.length);
      core.push(samples);
      start();
    },
    interrupt() {
      const report = ledger.interrupt();
      core.interrupt();
      // The fade is written at once: nothing that was due after the interruption is played.
      const fade = new Float32Array(RENDER_QUANTUM);
      if (core.fading()) write(fade, core.render(fade, true));
      const cut = core.cut ?? { at: 0, discarded: 0, fadeFrames: 0 };
      settleDrains();
      return Promise.resolve<PlaybackReport>(report(cut));
    },
    endTurn: () => ledger.endTurn(),
    stats: () => Promise.resolve(statsOf(core.counts())),
    drain() {
      if (core.buffered() === 0 && !core.fading()) return Promise.resolve();
      return new Promise<void>((resolve) => drained.push(resolve));
    },
    attach: (session, attachOptions) => attachPlayer(player, session, attachOptions),
    close() {
      if (!closed) {
        closed = true;
        core.interrupt();
        core.render(new Float32Array(RENDER_QUANTUM), true);
        settleDrains();
      }
      return Promise.resolve();
    },
  };
  return player;
}
