/**
 * PCM helpers: how long received audio lasts, and a quiet tone to stand in for model speech.
 */

/** Sample rate of the model's audio on the wire. */
export const OUTPUT_SAMPLE_RATE = 24_000;

/** Sample rate assumed for client audio whose MIME type names none (16 kHz, as the API expects). */
export const DEFAULT_INPUT_SAMPLE_RATE = 16_000;

/**
 * Duration in milliseconds of `bytes` of 16-bit mono PCM of the given MIME type
 * (`audio/pcm;rate=16000` → 32 bytes per ms).
 */
export function pcmDurationMs(bytes: number, mimeType: string): number {
  const match = /rate=(\d+)/.exec(mimeType);
  const rate = match?.[1] === undefined ? DEFAULT_INPUT_SAMPLE_RATE : Number(match[1]);
  return (bytes / 2 / rate) * 1000;
}

/** Byte length of base64 text without decoding it (received audio is only measured, never used). */
export function base64ByteLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/**
 * A continuous sine tone as 24 kHz PCM16 little-endian. The generator keeps its phase so that
 * successive chunks join without clicks.
 */
export class ToneGenerator {
  private sample = 0;

  constructor(
    private readonly frequencyHz = 220,
    /** Peak amplitude as a fraction of full scale; quiet so that a demo speaker is not harsh. */
    private readonly amplitude = 0.1,
  ) {}

  /** The next `ms` milliseconds of tone. */
  next(ms: number): Uint8Array {
    const count = Math.max(0, Math.round((ms * OUTPUT_SAMPLE_RATE) / 1000));
    const pcm = new Uint8Array(count * 2);
    const view = new DataView(pcm.buffer);
    const step = (2 * Math.PI * this.frequencyHz) / OUTPUT_SAMPLE_RATE;
    const peak = this.amplitude * 32767;
    for (let i = 0; i < count; i++) {
      view.setInt16(i * 2, Math.round(peak * Math.sin(step * (this.sample + i))), true);
    }
    this.sample += count;
    return pcm;
  }
}
