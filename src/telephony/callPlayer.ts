/**
 * The model's voice on a phone call: an `AudioPlayer` (the shape of the library's players) whose
 * speaker is the call. It converts the model's 24 kHz PCM16 to μ-law 8 kHz frames of 20 ms and
 * sends them at the pace the call plays them, a little ahead (`leadMs`), so that a `clear` on
 * interruption has little to throw away. A `mark` follows every `markEveryMs` of audio; the
 * provider echoes each mark once the audio before it has played, which is how the player knows
 * what the caller heard.
 */
import { attachPlayer, TurnLedger, samplesToMs, type AudioPlayer, type PlaybackReport, type PlaybackStats } from '../audio/player.js';
import { createOutboundConverter, FRAME_BYTES, FRAME_MS } from './codec.js';

/** One 8 kHz frame in 24 kHz samples: the unit the turn ledger and the reports count in. */
const FRAME_SAMPLES_24K = FRAME_BYTES * 3;

/** Options of {@link createCallPlayer}. */
export interface CallPlayerOptions {
  /** How far ahead of the call's playback audio is sent, in ms (default 200): the jitter margin. */
  leadMs?: number;
  /** Audio between two marks, in ms (default 100): the resolution of what the caller heard. */
  markEveryMs?: number;
  /** How often due frames are sent while audio is queued, in ms (default 20). */
  tickMs?: number;
  /** The clock, in ms (default `performance.now`). */
  now?: () => number;
}

/** What the player sends: a 160-byte μ-law frame, a named mark, or a clear. */
export type CallOutput = { type: 'media'; frame: Uint8Array } | { type: 'mark'; name: string } | { type: 'clear' };

/** Counters of a call player. */
export interface CallPlayerCounts {
  framesSent: number;
  marksSent: number;
  /** Marks the call echoed back as played. */
  marksPlayed: number;
  /** Echoed marks that named nothing outstanding (cleared by an interruption, or not ours). */
  marksIgnored: number;
  clears: number;
}

/** An `AudioPlayer` whose output is a phone call. */
export interface CallPlayer extends AudioPlayer {
  /**
   * Starts sending through `send` (once the call's stream is known). Audio that came before is
   * queued, and goes out then.
   */
  connect(send: (output: CallOutput) => void): void;
  /** The call echoed the mark `name`: the audio before it has played. */
  markPlayed(name: string): void;
  counts(): CallPlayerCounts;
}

/**
 * Creates a player of the model's audio onto a call. {@link connectTwilioCall} makes and wires
 * one; use it directly for another provider with marks and clears of the same kind.
 *
 * @example
 * ```ts
 * const player = createCallPlayer({ leadMs: 200 });
 * player.connect((output) => sendToProvider(output));
 * player.attach(session, { onInterrupted: ({ heardMs }) => console.log(`the caller heard ${heardMs} ms`) });
 * ```
 */
export function createCallPlayer(options: CallPlayerOptions = {}): CallPlayer {
  const leadMs = Math.max(FRAME_MS, options.leadMs ?? 200);
  const markEvery = Math.max(1, Math.round((options.markEveryMs ?? 100) / FRAME_MS)) * FRAME_SAMPLES_24K;
  const tickMs = Math.max(1, options.tickMs ?? FRAME_MS);
  const now = options.now ?? (() => performance.now());
  const converter = createOutboundConverter();
  const ledger = new TurnLedger();
  const counts: CallPlayerCounts = { framesSent: 0, marksSent: 0, marksPlayed: 0, marksIgnored: 0, clears: 0 };
  const queue: Uint8Array[] = [];
  // Stream positions, in 24 kHz samples of the converted audio (every frame is 480 of them).
  let received = 0; // frames made from the model's audio, padding included
  let sent = 0; // the end of what has been sent
  let played = 0; // the end of what a mark has confirmed played (or an interruption consumed)
  let discarded = 0;
  let sinceMark = 0;
  const outstanding = new Map<string, number>(); // mark name → the position it follows
  let markSeq = 0;
  let playheadEndsAt = -Infinity; // when the call will have played everything sent
  let send: ((output: CallOutput) => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let drains: (() => void)[] = [];
  let closed = false;

  const settleDrains = () => {
    if (queue.length > 0 || played < sent) return;
    const waiting = drains;
    drains = [];
    for (const resolve of waiting) resolve();
  };

  const sendMark = () => {
    if (send === undefined || sinceMark === 0) return;
    const name = `glf-${(markSeq += 1)}`;
    outstanding.set(name, sent);
    sinceMark = 0;
    counts.marksSent += 1;
    send({ type: 'mark', name });
  };

  /** Sends the frames that are due: as many as keep the call's buffer under `leadMs`. */
  const pump = () => {
    if (send === undefined || closed) return;
    const at = now();
    while (queue.length > 0 && Math.max(playheadEndsAt, at) - at < leadMs) {
      const frame = queue.shift() as Uint8Array;
      playheadEndsAt = Math.max(playheadEndsAt, at) + FRAME_MS;
      sent += FRAME_SAMPLES_24K;
      sinceMark += FRAME_SAMPLES_24K;
      counts.framesSent += 1;
      send({ type: 'media', frame });
      if (sinceMark >= markEvery) sendMark();
    }
    if (queue.length === 0) {
      sendMark(); // the end of a burst is a mark too: what was sent is known played once it comes back
      stopTimer();
    } else if (timer === undefined) {
      timer = setInterval(pump, tickMs);
    }
  };

  function stopTimer() {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  const enqueueFrames = (frames: Uint8Array[]) => {
    if (frames.length === 0) return;
    queue.push(...frames);
    received += frames.length * FRAME_SAMPLES_24K;
    ledger.add(frames.length * FRAME_SAMPLES_24K);
    pump();
  };

  const player: CallPlayer = {
    connect(sender) {
      send = sender;
      pump();
    },
    enqueue(pcm) {
      if (closed) return;
      enqueueFrames(converter.push(pcm));
    },
    endTurn() {
      if (closed) return;
      enqueueFrames(converter.flush());
      ledger.endTurn();
    },
    interrupt() {
      const report = ledger.interrupt();
      const cut = { at: played, discarded: received - played, fadeFrames: 0 };
      discarded += cut.discarded;
      converter.reset();
      queue.length = 0;
      outstanding.clear(); // their echoes, which a clear brings back at once, say nothing of what was heard
      stopTimer();
      if (send !== undefined && !closed && sent > played) {
        counts.clears += 1;
        send({ type: 'clear' });
      }
      sent = played = received;
      sinceMark = 0;
      playheadEndsAt = -Infinity;
      settleDrains();
      return Promise.resolve<PlaybackReport>(report(cut));
    },
    markPlayed(name) {
      const position = outstanding.get(name);
      if (position === undefined) {
        counts.marksIgnored += 1;
        return;
      }
      counts.marksPlayed += 1;
      // Marks come back in order: this one settles it and every earlier one.
      for (const earlier of outstanding.keys()) {
        outstanding.delete(earlier);
        if (earlier === name) break;
      }
      played = Math.max(played, position);
      settleDrains();
    },
    stats: () =>
      Promise.resolve<PlaybackStats>({
        receivedMs: samplesToMs(received),
        playedMs: samplesToMs(played - discarded),
        discardedMs: samplesToMs(discarded),
        bufferedMs: samplesToMs(received - played),
      }),
    drain() {
      if (closed || (queue.length === 0 && played >= sent)) return Promise.resolve();
      return new Promise((resolve) => drains.push(resolve));
    },
    attach: (session, attachOptions) => attachPlayer(player, session, attachOptions),
    counts: () => ({ ...counts }),
    close() {
      closed = true;
      stopTimer();
      queue.length = 0;
      const waiting = drains;
      drains = [];
      for (const resolve of waiting) resolve();
      return Promise.resolve();
    },
  };
  return player;
}
