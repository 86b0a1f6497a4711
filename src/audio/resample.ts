/**
 * Streaming resampling of float audio to 16 kHz PCM16, for microphones whose audio runs at the
 * audio context's rate (48 kHz or 44.1 kHz, typically). A windowed-sinc low-pass keeps the
 * content above 8 kHz from folding back into the speech band, and the filter's state carries
 * from one block to the next, so chunk boundaries leave no seam.
 */

/** Half the number of filter taps on each side of an output sample. */
const HALF_TAPS = 16;

/** A resampler that takes blocks of any length and keeps its state between them. */
export interface StreamResampler {
  /** Resamples the next block; returns the output samples it completes (maybe none). */
  push(block: Float32Array): Float32Array;
}

/**
 * Creates a streaming resampler from `fromRate` to `toRate` (Hz).
 *
 * @example
 * ```ts
 * const resampler = createStreamResampler(48_000, 16_000);
 * const out = resampler.push(block48k); // a third as many samples, low-passed at ~7.6 kHz
 * ```
 */
export function createStreamResampler(fromRate: number, toRate: number): StreamResampler {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`sample rates must be positive, got ${fromRate} and ${toRate}`);
  if (fromRate === toRate) return { push: (block) => Float32Array.from(block) };
  const step = fromRate / toRate;
  // Cut off a little below the lower Nyquist frequency, in cycles per input sample × 2.
  const cutoff = Math.min(1, toRate / fromRate) * 0.95;
  const reach = Math.ceil(HALF_TAPS / Math.min(1, cutoff));
  // Input not yet consumed; `start` is the absolute index of its first sample. A run of zeros
  // before the first sample lets the first outputs use the full filter.
  let history = new Float32Array(reach);
  let start = -reach;
  let position = 0;

  const kernel = (t: number) => {
    if (Math.abs(t) >= reach) return 0;
    const x = t * cutoff;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const window = 0.5 + 0.5 * Math.cos((Math.PI * t) / reach); // Hann
    return sinc * window;
  };

  return {
    push(block) {
      const joined = new Float32Array(history.length + block.length);
      joined.set(history);
      joined.set(block, history.length);
      const end = start + joined.length;
      const out: number[] = [];
      while (position + reach < end) {
        const centre = Math.floor(position);
        let sum = 0;
        let weights = 0;
        for (let k = centre - reach + 1; k <= centre + reach; k += 1) {
          const w = kernel(k - position);
          sum += w * (joined[k - start] ?? 0);
          weights += w;
        }
        // Normalising by the weights keeps the gain at 1 whatever the fractional offset.
        out.push(weights === 0 ? 0 : sum / weights);
        position += step;
      }
      const keepFrom = Math.max(start, Math.floor(position) - reach + 1);
      history = joined.slice(keepFrom - start);
      start = keepFrom;
      return Float32Array.from(out);
    },
  };
}

/** Float samples in [-1, 1] to little-endian PCM16 bytes, clipped. */
export function floatToPcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    view.setInt16(i * 2, Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), true);
  }
  return bytes;
}

/** Cuts a stream of PCM16 bytes into chunks of exactly `chunkBytes` (the remainder waits). */
export function createChunker(chunkBytes: number): { push(bytes: Uint8Array): Uint8Array[] } {
  let pending = new Uint8Array(0);
  return {
    push(bytes) {
      const joined = new Uint8Array(pending.length + bytes.length);
      joined.set(pending);
      joined.set(bytes, pending.length);
      const chunks: Uint8Array[] = [];
      let offset = 0;
      for (; offset + chunkBytes <= joined.length; offset += chunkBytes) chunks.push(joined.slice(offset, offset + chunkBytes));
      pending = joined.slice(offset);
      return chunks;
    },
  };
}

/**
 * Float blocks at `fromRate` in, 16 kHz PCM16 chunks of `chunkMs` out: the whole conversion a
 * browser microphone needs, without the browser.
 */
export function createPcm16Converter(fromRate: number, chunkMs = 20): { push(block: Float32Array): Uint8Array[] } {
  const resampler = createStreamResampler(fromRate, 16_000);
  const chunker = createChunker(Math.round((16_000 * chunkMs) / 1000) * 2);
  return { push: (block) => chunker.push(floatToPcm16(resampler.push(block))) };
}
