/**
 * Audio sources for the mic actor that need no device: PCM played out at real-time pace, WAV
 * files decoded to 16 kHz mono PCM16, and a synthetic voice-like signal for demos and tests.
 */

/** Bytes per millisecond of 16 kHz mono PCM16. */
export const BYTES_PER_MS_16K = 32;

/** Options of {@link pacedPcm}. */
export interface PacedPcmOptions {
  /** Length of each chunk (default 20 ms). */
  frameMs?: number;
  /** Stop early when this aborts. */
  signal?: AbortSignal;
}

/**
 * Yields 16 kHz PCM16 in chunks of `frameMs`, one chunk every `frameMs`, as a microphone would.
 * Pacing follows the wall clock, so a late timer is caught up rather than drifting.
 *
 * @example
 * ```ts
 * session.attachMic(pacedPcm(readWav(await readFile('question.wav')).pcm));
 * ```
 */
export async function* pacedPcm(pcm: Uint8Array, options: PacedPcmOptions = {}): AsyncGenerator<Uint8Array> {
  const frameMs = options.frameMs ?? 20;
  const frameBytes = frameMs * BYTES_PER_MS_16K;
  const start = Date.now();
  for (let offset = 0, index = 0; offset < pcm.length; offset += frameBytes, index += 1) {
    if (options.signal?.aborted) return;
    const due = start + index * frameMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    yield pcm.subarray(offset, Math.min(offset + frameBytes, pcm.length));
  }
}

/** A decoded WAV file. */
export interface DecodedWav {
  /** 16 kHz mono PCM16 little-endian. */
  pcm: Uint8Array;
  /** The file's own sample rate and channel count, before conversion. */
  sampleRate: number;
  channels: number;
}

/**
 * Decodes a PCM16 WAV file and converts it to 16 kHz mono (channels averaged, linear resampling).
 * Throws a `TypeError` for anything but uncompressed 16-bit PCM.
 */
export function readWav(file: Uint8Array): DecodedWav {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (offset: number) => String.fromCharCode(...file.subarray(offset, offset + 4));
  if (file.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new TypeError('not a WAV file');
  let format: { channels: number; sampleRate: number; bits: number; audioFormat: number } | undefined;
  for (let offset = 12; offset + 8 <= file.length; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        audioFormat: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new TypeError('WAV data before its format');
      if (format.audioFormat !== 1 || format.bits !== 16) throw new TypeError('only 16-bit PCM WAV is supported');
      const frames = Math.floor(Math.min(size, file.length - body) / (2 * format.channels));
      const mono = new Float32Array(frames);
      for (let i = 0; i < frames; i += 1) {
        let sum = 0;
        for (let c = 0; c < format.channels; c += 1) sum += view.getInt16(body + (i * format.channels + c) * 2, true);
        mono[i] = sum / format.channels;
      }
      return { pcm: toPcm16(resample(mono, format.sampleRate, 16_000)), sampleRate: format.sampleRate, channels: format.channels };
    }
    offset = body + size + (size % 2);
  }
  throw new TypeError('WAV file has no data chunk');
}

/** Linear resampling of mono samples. */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const length = Math.floor((samples.length * toRate) / fromRate);
  const out = new Float32Array(length);
  const step = fromRate / toRate;
  for (let i = 0; i < length; i += 1) {
    const position = i * step;
    const left = Math.floor(position);
    const right = Math.min(left + 1, samples.length - 1);
    const fraction = position - left;
    out[i] = (samples[left] ?? 0) * (1 - fraction) + (samples[right] ?? 0) * fraction;
  }
  return out;
}

/** Samples (in the int16 range) to little-endian PCM16 bytes, clipped. */
export function toPcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) {
    view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i] ?? 0))), true);
  }
  return bytes;
}

/**
 * A voice-like test signal at 16 kHz: syllables of a gliding tone, with short pauses between
 * them, so that it looks like speech to a level meter and is recognisably not silence.
 */
export function syntheticSpeech(durationMs: number): Uint8Array {
  const rate = 16_000;
  const samples = new Float32Array(Math.round((durationMs * rate) / 1000));
  for (let i = 0; i < samples.length; i += 1) {
    const t = i / rate;
    const syllable = (t * 4) % 1; // four syllables a second
    const envelope = syllable < 0.75 ? Math.sin((Math.PI * syllable) / 0.75) : 0;
    const pitch = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    samples[i] = 6000 * envelope * Math.sin(2 * Math.PI * pitch * t);
  }
  return toPcm16(samples);
}
