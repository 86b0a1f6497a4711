/**
 * Tones for the telephony tests, and how to measure one: a least-squares fit of a sine of a known
 * frequency gives its amplitude and what is left over (noise and distortion), hence the SNR.
 */

/** `ms` of a sine at `hz`, sampled at `rate`, peak `amplitude` (of full scale), as floats. */
export function sine(hz: number, rate: number, ms: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round((rate * ms) / 1000));
  for (let i = 0; i < out.length; i += 1) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** Floats to 16-bit samples. */
export function toInt16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.round(Math.max(-1, Math.min(1, s)) * 0x7fff));
}

/** Floats to little-endian PCM16 bytes. */
export function toPcm16(samples: Float32Array): Uint8Array {
  const ints = toInt16(samples);
  return new Uint8Array(ints.buffer, ints.byteOffset, ints.byteLength);
}

/** Little-endian PCM16 bytes to floats. */
export function fromPcm16(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length >> 1 }, (_, i) => view.getInt16(i * 2, true) / 0x8000);
}

/** Joins byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The amplitude of the `hz` component of `samples` (at `rate`) and the SNR of the rest, in dB. */
export function fitTone(samples: ArrayLike<number>, hz: number, rate: number): { amplitude: number; snrDb: number; rms: number } {
  let cos = 0;
  let sin = 0;
  const n = samples.length;
  for (let i = 0; i < n; i += 1) {
    const w = (2 * Math.PI * hz * i) / rate;
    cos += (samples[i] ?? 0) * Math.cos(w);
    sin += (samples[i] ?? 0) * Math.sin(w);
  }
  const a = (2 * cos) / n;
  const b = (2 * sin) / n;
  let signal = 0;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    const w = (2 * Math.PI * hz * i) / rate;
    const fitted = a * Math.cos(w) + b * Math.sin(w);
    const x = samples[i] ?? 0;
    signal += fitted * fitted;
    residual += (x - fitted) ** 2;
    total += x * x;
  }
  return { amplitude: Math.hypot(a, b), snrDb: 10 * Math.log10(signal / Math.max(residual, 1e-20)), rms: Math.sqrt(total / Math.max(1, n)) };
}
