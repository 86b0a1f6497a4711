/**
 * The pre-roll: a ring buffer of the most recent audio of a 16 kHz PCM16 stream, so that the
 * audio just before detected speech (the first syllable, which the detector needed to hear before
 * it could decide) can be sent right after `activityStart`. It is bounded by bytes: one
 * preallocated ring of `capacityMs`, whatever the frames' sizes, with no allocation per write.
 */
import { VadError } from '../../protocol/errors.js';

/** Bytes per millisecond of 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;

/** Options of {@link createPreRollBuffer}. */
export interface PreRollBufferOptions {
  /** How much of the latest audio is kept, in ms. */
  capacityMs: number;
  /** The length of each frame {@link PreRollBuffer.take} returns, in ms. Default 20. */
  frameMs?: number;
}

/** A ring of the latest audio, addressed in stream time (ms of audio written since creation). */
export interface PreRollBuffer {
  /** Capacity, in bytes. */
  readonly capacityBytes: number;
  /** Stream time of the end of the audio written so far. */
  readonly endMs: number;
  /** Stream time of the oldest audio still held (`endMs` less at most the capacity). */
  readonly startMs: number;
  /** Appends audio; what no longer fits is forgotten, oldest first. */
  write(pcm: Uint8Array): void;
  /**
   * Copies of the audio from `fromMs` (or the oldest held, if later) to the end, in frames of
   * `frameMs` (the last may be shorter). The audio stays held.
   */
  read(fromMs: number): Uint8Array[];
}

/**
 * Creates a pre-roll buffer.
 *
 * @example
 * ```ts
 * const preRoll = createPreRollBuffer({ capacityMs: 500 });
 * preRoll.write(frame); // every frame of the microphone
 * const frames = preRoll.read(onsetMs - 300); // on speech: the 300 ms before its onset, and what followed
 * ```
 */
export function createPreRollBuffer(options: PreRollBufferOptions): PreRollBuffer {
  const { capacityMs } = options;
  const frameMs = options.frameMs ?? 20;
  if (!(capacityMs >= 0 && Number.isFinite(capacityMs))) throw new VadError('VAD_INVALID_OPTIONS', 'preRoll', `capacityMs must be a finite number ≥ 0, got ${capacityMs}`);
  if (!(frameMs > 0 && Number.isFinite(frameMs))) throw new VadError('VAD_INVALID_OPTIONS', 'preRoll', `frameMs must be a finite number > 0, got ${frameMs}`);
  const capacity = evenBytes(capacityMs);
  const frameBytes = Math.max(2, evenBytes(frameMs));
  const ring = new Uint8Array(capacity);
  /** Bytes written since creation: the stream position of the ring's end. */
  let written = 0;

  const oldest = () => Math.max(0, written - capacity);

  return {
    capacityBytes: capacity,
    get endMs() {
      return written / BYTES_PER_MS;
    },
    get startMs() {
      return oldest() / BYTES_PER_MS;
    },
    write(pcm) {
      if (capacity === 0) {
        written += pcm.length;
        return;
      }
      // Only the last `capacity` bytes of a long write can survive it.
      const kept = pcm.length > capacity ? pcm.subarray(pcm.length - capacity) : pcm;
      const skipped = pcm.length - kept.length;
      const at = (written + skipped) % capacity;
      const first = Math.min(kept.length, capacity - at);
      ring.set(kept.subarray(0, first), at);
      if (first < kept.length) ring.set(kept.subarray(first), 0);
      written += pcm.length;
    },
    read(fromMs) {
      const from = Math.min(written, Math.max(oldest(), evenBytes(fromMs)));
      const frames: Uint8Array[] = [];
      for (let position = from; position < written; position += frameBytes) {
        const length = Math.min(frameBytes, written - position);
        const frame = new Uint8Array(length);
        const at = position % capacity;
        const first = Math.min(length, capacity - at);
        frame.set(ring.subarray(at, at + first));
        if (first < length) frame.set(ring.subarray(0, length - first), first);
        frames.push(frame);
      }
      return frames;
    },
  };
}

/** A duration in ms as a whole number of PCM16 samples, in bytes (never splits a sample). */
function evenBytes(ms: number): number {
  return Math.max(0, Math.floor((ms * BYTES_PER_MS) / 2) * 2);
}
