/** Settings every part of the bench shares. */

/** 20 ms of 16 kHz PCM16: 320 samples of 2 bytes. */
export const FRAME_BYTES = 640;
/** One frame every 20 ms: 50 frames per second. */
export const FRAME_INTERVAL_MS = 20;
/** Any model name: the emulator accepts them all. */
export const MODEL = 'models/gemini-live-2.5-flash-preview';
/** The API key of connections that should play the `tool-call` scenario. */
export const GATE_KEY = 'bench-gate';
/** The API key of connections that should play a conversation (`TALK_SCENARIO`: the store's bench). */
export const TALK_KEY = 'bench-talk';
/** The API key of every other connection. */
export const PLAIN_KEY = 'bench';

/** A frame of quiet noise (not silence, so no layer can special-case zeroes). */
export function pcmFrame(seed = 1): Uint8Array {
  const frame = new Uint8Array(FRAME_BYTES);
  let x = seed;
  for (let i = 0; i < frame.length; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    frame[i] = (x >>> 24) & 0x0f;
  }
  return frame;
}
