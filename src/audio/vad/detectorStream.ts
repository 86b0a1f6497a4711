/**
 * Runs a detector over a stream of PCM16 chunks of any size: cuts them into the detector's frames,
 * calls it once per frame, in order, and reports each frame's probability with its place in the
 * stream. A detector that answers at once is called synchronously, inside `push`; one that answers
 * with a promise (or is still loading) has the frames that arrive meanwhile wait, up to
 * `maxBacklogMs` of them, the oldest skipped beyond that, so memory stays bounded if it falls behind.
 */
import { VadError, describe } from '../../protocol/errors.js';
import type { VoiceActivityDetector } from './detector.js';

/** Bytes per millisecond of 16 kHz mono PCM16. */
const BYTES_PER_MS = 32;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** One frame's verdict, placed in stream time (ms of audio pushed since the stream began). */
export interface FrameScore {
  probability: number;
  startMs: number;
  endMs: number;
}

/** Options of {@link createDetectorStream}. */
export interface DetectorStreamOptions {
  /** Each frame's probability, in stream order. It must not call `push` itself. */
  onScore(score: FrameScore): void;
  /** The detector could not be loaded or failed; no score follows. Called once. */
  onError(error: VadError): void;
  /** Most audio that may wait for the detector, in ms. Default 1000. */
  maxBacklogMs?: number;
}

/** A detector fed from a stream. */
export interface DetectorStream {
  /** The next chunk of 16 kHz mono PCM16 (little-endian). */
  push(pcm: Uint8Array): void;
  /** Stream time of the end of the audio pushed so far. */
  readonly positionMs: number;
  /** Audio never scored because the detector fell behind (or was loading), in ms. */
  readonly skippedMs: number;
  /** Whether the detector failed (or never loaded); the stream then only counts time. */
  readonly failed: boolean;
  /** Stops: no score or error is reported after this. Does not dispose the detector. */
  close(): void;
}

interface WaitingFrame {
  samples: Int16Array;
  startByte: number;
}

/**
 * Creates a detector stream. `detector` may still be loading: frames wait for it.
 *
 * @example
 * ```ts
 * const stream = createDetectorStream(await createWebRtcVad(), {
 *   onScore: ({ probability, startMs, endMs }) => segmenter.push(probability, startMs, endMs),
 *   onError: (error) => console.warn(error.reason),
 * });
 * for await (const chunk of microphone) stream.push(chunk);
 * ```
 */
export function createDetectorStream(detector: VoiceActivityDetector | Promise<VoiceActivityDetector>, options: DetectorStreamOptions): DetectorStream {
  const maxBacklogBytes = Math.max(0, (options.maxBacklogMs ?? 1_000) * BYTES_PER_MS);
  let ready: VoiceActivityDetector | undefined;
  let closed = false;
  let failed = false;
  let busy = false;
  let position = 0;
  let skipped = 0;
  /** Chunks that arrived before the detector was ready (copies), with their stream position. */
  let early: { pcm: Uint8Array; startByte: number }[] = [];
  let earlyBytes = 0;
  /** Whole frames waiting for a promise to settle (copies). */
  const waiting: WaitingFrame[] = [];
  // The frame being filled, and its stream position.
  let frame = new Uint8Array(0);
  let frameSamples = new Int16Array(0);
  let filled = 0;
  let frameStart = 0;

  const fail = (cause: unknown, name: string, code: 'VAD_UNAVAILABLE' | 'VAD_FAILED') => {
    if (failed || closed) return;
    failed = true;
    busy = false;
    waiting.length = 0;
    early = [];
    const error = cause instanceof VadError ? cause : new VadError(code, name, describe(cause), { cause });
    options.onError(error);
  };

  const deliver = (probability: number, startByte: number, bytes: number) => {
    if (closed || failed) return;
    options.onScore({ probability, startMs: startByte / BYTES_PER_MS, endMs: (startByte + bytes) / BYTES_PER_MS });
  };

  /** Scores one whole frame now; false if it answered with a promise (the stream is busy until it settles). */
  const score = (samples: Int16Array, startByte: number): boolean => {
    const current = ready as VoiceActivityDetector;
    const bytes = samples.length * 2;
    let result: number | Promise<number>;
    try {
      result = current.process(samples);
    } catch (cause) {
      fail(cause, current.name, 'VAD_FAILED');
      return true;
    }
    if (typeof result === 'number') {
      deliver(result, startByte, bytes);
      return true;
    }
    busy = true;
    result.then(
      (probability) => {
        if (closed || failed) return;
        busy = false;
        deliver(Number(probability), startByte, bytes);
        drain();
      },
      (cause: unknown) => fail(cause, current.name, 'VAD_FAILED'),
    );
    return false;
  };

  const drain = () => {
    while (!busy && !failed && !closed && waiting.length > 0) {
      const next = waiting.shift() as WaitingFrame;
      score(next.samples, next.startByte);
    }
  };

  const frameComplete = () => {
    const samples = LITTLE_ENDIAN ? frameSamples : swapped(frame);
    if (busy || waiting.length > 0) {
      waiting.push({ samples: Int16Array.from(samples), startByte: frameStart });
      const frameBytes = samples.length * 2;
      while (waiting.length * frameBytes > maxBacklogBytes && waiting.length > 0) {
        waiting.shift();
        skipped += frameBytes;
      }
    } else {
      score(samples, frameStart);
    }
  };

  /** Cuts a chunk into frames; `startByte` is its stream position. */
  const cut = (pcm: Uint8Array, startByte: number) => {
    if (filled > 0 && frameStart + filled !== startByte) filled = 0; // audio was skipped: start afresh
    let offset = 0;
    while (offset < pcm.length && !failed && !closed) {
      if (filled === 0) frameStart = startByte + offset;
      const take = Math.min(frame.length - filled, pcm.length - offset);
      frame.set(pcm.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frame.length) {
        filled = 0;
        frameComplete();
      }
    }
  };

  const start = (loaded: VoiceActivityDetector) => {
    if (closed || failed) return;
    if (!(Number.isInteger(loaded.frameSamples) && loaded.frameSamples > 0)) {
      fail(new VadError('VAD_UNAVAILABLE', loaded.name, `frameSamples must be a positive integer, got ${loaded.frameSamples}`), loaded.name, 'VAD_UNAVAILABLE');
      return;
    }
    ready = loaded;
    frameSamples = new Int16Array(loaded.frameSamples);
    frame = new Uint8Array(frameSamples.buffer);
    const chunks = early;
    early = [];
    earlyBytes = 0;
    for (const chunk of chunks) cut(chunk.pcm, chunk.startByte);
  };

  if ('then' in detector && typeof detector.then === 'function') {
    detector.then(start, (cause: unknown) => fail(cause, 'detector', 'VAD_UNAVAILABLE'));
  } else {
    start(detector as VoiceActivityDetector);
  }

  return {
    push(pcm) {
      const startByte = position;
      position += pcm.length;
      if (closed || failed) return;
      if (ready) {
        cut(pcm, startByte);
        return;
      }
      early.push({ pcm: pcm.slice(), startByte });
      earlyBytes += pcm.length;
      while (earlyBytes > maxBacklogBytes && early.length > 0) {
        const dropped = early.shift() as { pcm: Uint8Array };
        earlyBytes -= dropped.pcm.length;
        skipped += dropped.pcm.length;
      }
    },
    get positionMs() {
      return position / BYTES_PER_MS;
    },
    get skippedMs() {
      return skipped / BYTES_PER_MS;
    },
    get failed() {
      return failed;
    },
    close() {
      closed = true;
      waiting.length = 0;
      early = [];
    },
  };
}

/** Little-endian PCM16 bytes as samples, on a big-endian host. */
function swapped(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Int16Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(i * 2, true));
}
