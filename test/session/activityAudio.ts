/**
 * Audio for the tests of the `activity` option: 20 ms frames that a plain energy detector calls
 * speech or silence, each carrying its index so that the bytes on the wire can be traced back to
 * where they were in the stream.
 */
import type { VoiceActivityDetector } from '../../src/audio/index.js';
import type { ScriptedConnection } from '../../src/testing/index.js';

/** Bytes of one 20 ms frame of 16 kHz PCM16. */
export const FRAME_BYTES = 640;

/** A detector that calls a 20 ms frame speech when its RMS is over 500: deterministic, no WASM. */
export function energyDetector(): VoiceActivityDetector {
  return {
    name: 'energy',
    frameSamples: 320,
    process(frame) {
      let sum = 0;
      for (const sample of frame) sum += sample * sample;
      return Math.sqrt(sum / frame.length) > 500 ? 1 : 0;
    },
    reset: () => undefined,
    dispose: () => undefined,
  };
}

/** Frame `index` of a stream: loud (speech to the energy detector) or quiet, its samples marked with the index. */
export function frame(index: number, loud: boolean): Uint8Array {
  const samples = new Int16Array(FRAME_BYTES / 2).fill((loud ? 3000 : 0) + (index % 200));
  return new Uint8Array(samples.buffer);
}

/** A stream described as runs: `[quiet frames, loud frames, quiet frames, …]`. */
export function stream(runs: readonly number[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  runs.forEach((count, run) => {
    for (let i = 0; i < count; i += 1) frames.push(frame(frames.length, run % 2 === 1));
  });
  return frames;
}

/** The bytes of frames `from` (inclusive) to `to` (exclusive) of a stream, as one array. */
export function bytesOf(frames: readonly Uint8Array[], from: number, to: number): Uint8Array {
  return concat(frames.slice(from, to));
}

/** Chunks joined into one array. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/** The audio a connection received inside each activity bracket, in order. */
export function bracketsOn(server: ScriptedConnection): Uint8Array[] {
  const brackets: Uint8Array[][] = [];
  let open: Uint8Array[] | undefined;
  for (const { frame: sent } of server.frames) {
    if (sent.type !== 'realtimeInput') continue;
    const { input } = sent;
    if (input.kind === 'activityStart') brackets.push((open = []));
    else if (input.kind === 'activityEnd') open = undefined;
    else if (input.kind === 'audio') {
      if (!open) throw new Error('audio outside a bracket');
      open.push(input.data);
    }
  }
  return brackets.map(concat);
}
