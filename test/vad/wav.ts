/**
 * 16 kHz mono PCM16 WAV files for the VAD fixtures: written by `scripts/make-vad-fixtures.ts`,
 * read by the tests and the bench. (The library's `readWav` converts any WAV to 16 kHz; these
 * files are 16 kHz already, so reading them is exact.)
 */

/** The fixtures' sample rate. */
export const SAMPLE_RATE = 16_000;
/** Samples per millisecond at {@link SAMPLE_RATE}. */
export const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

/** A 44-byte-header WAV file of 16 kHz mono PCM16 samples. */
export function encodeWav(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(44 + i * 2, samples[i] ?? 0, true);
  return bytes;
}

/** The samples of a file {@link encodeWav} wrote; throws on anything else. */
export function decodeWav(file: Uint8Array): Int16Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (offset: number) => String.fromCharCode(...file.subarray(offset, offset + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE' || tag(36) !== 'data') throw new TypeError('not a fixture WAV');
  if (view.getUint16(22, true) !== 1 || view.getUint32(24, true) !== SAMPLE_RATE || view.getUint16(34, true) !== 16) {
    throw new TypeError('a fixture WAV is 16 kHz mono PCM16');
  }
  const count = view.getUint32(40, true) / 2;
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i += 1) samples[i] = view.getInt16(44 + i * 2, true);
  return samples;
}

/** Little-endian PCM16 bytes of samples (what a microphone hands the session). */
export function pcmBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] ?? 0, true);
  return bytes;
}
