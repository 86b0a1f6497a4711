/**
 * What the two players share: their interface, the report of an interruption (how much of the
 * model's turn the user actually heard), the bookkeeping of turns, and the one call that wires a
 * player to a session.
 */
import type { LiveSession } from '../session/createLiveSession.js';
import type { PlaybackCounts, PlaybackCut } from './playbackCore.js';

/** The model's audio: 24 kHz, mono, 16-bit little-endian PCM. */
export const MODEL_SAMPLE_RATE = 24_000;
/** One Web Audio render quantum: the longest fade-out on interruption. */
export const RENDER_QUANTUM = 128;
/** Default jitter buffer. */
export const DEFAULT_JITTER_MS = 60;

/** What an interruption stopped. */
export interface PlaybackReport {
  /** How much of the interrupted model turn was played (the user heard it), in ms. */
  heardMs: number;
  /** The same in 24 kHz samples. */
  heardSamples: number;
  /** How much queued audio was dropped unplayed, in ms. */
  discardedMs: number;
  discardedSamples: number;
  /** Output frames the fade-out took: at most one render quantum (128), 0 if nothing was playing. */
  fadeFrames: number;
}

/** Totals since the player was made, in ms of the model's audio. */
export interface PlaybackStats {
  receivedMs: number;
  playedMs: number;
  discardedMs: number;
  bufferedMs: number;
}

/** Options of {@link AudioPlayer.attach}. */
export interface AttachOptions {
  /** Told after each interruption, with what the user heard of the interrupted turn. */
  onInterrupted?: (report: PlaybackReport) => void;
}

/** The session events a player listens to. */
export type PlayerSession = Pick<LiveSession, 'on'>;

/** Plays the model's 24 kHz PCM16, and stops within one render quantum when interrupted. */
export interface AudioPlayer {
  /** Queues a chunk of 24 kHz PCM16 (a session's `audio` event). */
  enqueue(pcm: Uint8Array): void;
  /** Fades out within 128 frames, drops the rest, and reports what was heard of the current turn. */
  interrupt(): Promise<PlaybackReport>;
  /** Marks the end of a model turn (a session's `turnComplete`): the next audio starts a new one. */
  endTurn(): void;
  /** Totals so far. */
  stats(): Promise<PlaybackStats>;
  /** Resolves once everything queued has been played (or dropped). */
  drain(): Promise<void>;
  /**
   * Wires the player to a session: `audio` is played, `interrupted` interrupts it,
   * `turnComplete` ends the turn. Returns the function that unwires it.
   */
  attach(session: PlayerSession, options?: AttachOptions): () => void;
  /** Stops playing and releases what the player holds. Idempotent. */
  close(): Promise<void>;
}

/** 24 kHz samples to ms. */
export const samplesToMs = (samples: number): number => (samples * 1000) / MODEL_SAMPLE_RATE;

/** 16-bit little-endian PCM to floats in [-1, 1). An odd trailing byte is ignored. */
export function pcm16ToFloat(pcm: Uint8Array): Float32Array {
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const samples = new Float32Array(pcm.byteLength >> 1);
  for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true) / 0x8000;
  return samples;
}

/** Where the current model turn began in the received audio, to tell what of it was heard. */
export class TurnLedger {
  private received = 0;
  private turnStart = 0;

  /** Counts samples handed to the player. */
  add(samples: number): void {
    this.received += samples;
  }

  /** The turn ended: what comes next belongs to the next one. */
  endTurn(): void {
    this.turnStart = this.received;
  }

  /**
   * An interruption, at the moment it is asked for: the interrupted turn is over (what comes
   * next is a new one). Returns how to report the cut once the player has made it.
   */
  interrupt(): (cut: PlaybackCut) => PlaybackReport {
    const turnStart = this.turnStart;
    this.endTurn();
    return (cut) => {
      const heardSamples = Math.max(0, cut.at - turnStart);
      return {
        heardMs: samplesToMs(heardSamples),
        heardSamples,
        discardedMs: samplesToMs(cut.discarded),
        discardedSamples: cut.discarded,
        fadeFrames: cut.fadeFrames,
      };
    };
  }
}

/** Totals in ms from a core's counts. */
export function statsOf(counts: PlaybackCounts): PlaybackStats {
  return {
    receivedMs: samplesToMs(counts.received),
    playedMs: samplesToMs(counts.played),
    discardedMs: samplesToMs(counts.discarded),
    bufferedMs: samplesToMs(counts.buffered),
  };
}

/** Wires `player` to `session` (see {@link AudioPlayer.attach}). */
export function attachPlayer(player: AudioPlayer, session: PlayerSession, options: AttachOptions = {}): () => void {
  const offs = [
    session.on('audio', ({ data }) => player.enqueue(data)),
    session.on('interrupted', () => {
      void player
        .interrupt()
        .then((report) => options.onInterrupted?.(report))
        .catch((error: unknown) => console.error('gemini-live-fsm: onInterrupted threw', error));
    }),
    session.on('turnComplete', () => player.endTurn()),
  ];
  return () => {
    for (const off of offs) off();
  };
}
