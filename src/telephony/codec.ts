/**
 * The telephone's audio and the model's, converted both ways: G.711 μ-law at 8 kHz (what a phone
 * call carries) to 16 kHz PCM16 for the session, and the model's 24 kHz PCM16 to μ-law 8 kHz in
 * 20 ms frames. The codec is `alawmulaw` (the ITU G.711 tables); the resampling is the library's
 * own windowed-sinc resampler, whose low-pass keeps the model's content above 4 kHz from folding
 * back into the call's band.
 */
import alawmulaw from 'alawmulaw';
import { pcm16ToFloat } from '../audio/player.js';
import { createStreamResampler, floatToPcm16 } from '../audio/resample.js';

/** A call's sample rate. */
export const CALL_SAMPLE_RATE = 8_000;
/** The session's input rate. */
export const SESSION_INPUT_RATE = 16_000;
/** The model's output rate. */
export const MODEL_OUTPUT_RATE = 24_000;
/** One 20 ms frame of μ-law at 8 kHz: 160 bytes, one byte a sample. */
export const FRAME_BYTES = 160;
/** The duration of one frame. */
export const FRAME_MS = 20;
/** μ-law's code for silence (zero). */
export const MULAW_SILENCE = 0xff;

/** μ-law bytes to 16-bit samples. */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  return alawmulaw.mulaw.decode(bytes);
}

/** 16-bit samples to μ-law bytes. */
export function encodeMulaw(samples: Int16Array): Uint8Array {
  return alawmulaw.mulaw.encode(samples);
}

/** Floats in [-1, 1] to 16-bit samples, clipped. */
function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out[i] = Math.round(s < 0 ? s * 0x8000 : s * 0x7fff);
  }
  return out;
}

/** μ-law 8 kHz in, 16 kHz PCM16 out, with the resampler's state kept between chunks. */
export interface InboundConverter {
  /** Converts the next chunk of μ-law; returns the PCM16 bytes it completes (about twice as many samples). */
  push(mulaw: Uint8Array): Uint8Array;
}

/**
 * Creates the converter of a call's audio for `session.sendAudio`.
 *
 * @example
 * ```ts
 * const inbound = createInboundConverter();
 * session.sendAudio(inbound.push(mulawFrame)); // 160 bytes of μ-law → about 640 bytes of 16 kHz PCM16
 * ```
 */
export function createInboundConverter(): InboundConverter {
  const resampler = createStreamResampler(CALL_SAMPLE_RATE, SESSION_INPUT_RATE);
  return {
    push(mulaw) {
      const samples = decodeMulaw(mulaw);
      const floats = new Float32Array(samples.length);
      for (let i = 0; i < samples.length; i += 1) floats[i] = (samples[i] ?? 0) / 0x8000;
      return floatToPcm16(resampler.push(floats));
    },
  };
}

/** The model's 24 kHz PCM16 in, 20 ms frames of μ-law 8 kHz out. */
export interface OutboundConverter {
  /** Converts the next chunk of model audio; returns the whole frames it completes. */
  push(pcm24k: Uint8Array): Uint8Array[];
  /**
   * Ends a stretch of audio (a model turn): drains the resampler and pads the last frame with
   * silence, so no audio waits for the next turn. Returns the frames that completes.
   */
  flush(): Uint8Array[];
  /** Drops whatever is held (an interruption): the next audio starts clean. */
  reset(): void;
}

/** Input samples that drain the 24 → 8 kHz resampler's filter: 4 ms, more than its reach. */
const DRAIN_SAMPLES = (MODEL_OUTPUT_RATE * 4) / 1000;

/**
 * Creates the converter of the model's audio for a call.
 *
 * @example
 * ```ts
 * const outbound = createOutboundConverter();
 * for (const frame of outbound.push(modelPcm)) sendToCall(frame); // 160 bytes each
 * ```
 */
export function createOutboundConverter(): OutboundConverter {
  let resampler = createStreamResampler(MODEL_OUTPUT_RATE, CALL_SAMPLE_RATE);
  // μ-law bytes short of a whole frame, waiting for more.
  let partial = new Uint8Array(0);
  let held = false; // whether audio went in since the last flush or reset

  const frame = (floats: Float32Array): Uint8Array[] => {
    const encoded = encodeMulaw(floatToInt16(floats));
    const joined = new Uint8Array(partial.length + encoded.length);
    joined.set(partial);
    joined.set(encoded, partial.length);
    const frames: Uint8Array[] = [];
    let offset = 0;
    for (; offset + FRAME_BYTES <= joined.length; offset += FRAME_BYTES) frames.push(joined.slice(offset, offset + FRAME_BYTES));
    partial = joined.slice(offset);
    return frames;
  };

  const reset = () => {
    held = false;
    partial = new Uint8Array(0);
    resampler = createStreamResampler(MODEL_OUTPUT_RATE, CALL_SAMPLE_RATE);
  };

  return {
    push(pcm24k) {
      if (pcm24k.byteLength >= 2) held = true;
      return frame(resampler.push(pcm16ToFloat(pcm24k)));
    },
    flush() {
      if (!held) return [];
      const frames = frame(resampler.push(new Float32Array(DRAIN_SAMPLES)));
      if (partial.length > 0) {
        const last = new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
        last.set(partial);
        frames.push(last);
      }
      reset();
      return frames;
    },
    reset,
  };
}
