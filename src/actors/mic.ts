/**
 * The mic actor: reads a source of 16 kHz PCM16 audio and sends one `input.audio` event per
 * chunk. Chunks longer than `maxChunkBytes` (a file stream reads 64 KiB at a time) are cut into
 * pieces, and an odd trailing byte waits for the next chunk, so that no event splits a sample.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction } from 'xstate';
import { TransportError, describe, type LiveSessionError } from '../protocol/errors.js';
import type { MicInput, SessionEvent } from '../machines/types.js';

/** 40 ms of 16 kHz PCM16: the longest chunk the mic actor sends in one event. */
export const DEFAULT_MAX_CHUNK_BYTES = 1280;

/**
 * The mic actor logic.
 *
 * @example
 * ```ts
 * session.attachMic(fs.createReadStream('speech-16k.pcm'));
 * ```
 */
export const micLogic = fromCallback<SessionEvent, MicInput>((args) => micCallback(args));

/** The body of {@link micLogic}, for a session that hands its mic's events on its own way. */
export const micCallback: CallbackLogicFunction<SessionEvent, AnyEventObject, MicInput> = ({ input, sendBack }) => {
  const maxChunkBytes = evenAtLeastTwo(input.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES);
  let stopped = false;
  const iterator = input.source[Symbol.asyncIterator]();

  void (async () => {
    let carry: Uint8Array | undefined;
    let error: LiveSessionError | undefined;
    try {
      for (;;) {
        const next = await iterator.next();
        if (stopped || next.done) break;
        let chunk = toBytes(next.value);
        if (carry) {
          chunk = concat(carry, chunk);
          carry = undefined;
        }
        const whole = chunk.length - (chunk.length % 2);
        for (let offset = 0; offset < whole && !stopped; offset += maxChunkBytes) {
          sendBack({ type: 'input.audio', data: chunk.subarray(offset, Math.min(offset + maxChunkBytes, whole)) });
        }
        if (whole < chunk.length) carry = chunk.subarray(whole);
      }
    } catch (cause) {
      if (!stopped) error = new TransportError('TRANSPORT_ERROR', `the audio source failed: ${describe(cause)}`, { cause });
    }
    if (!stopped) sendBack({ type: 'mic.ended', error });
  })();

  return () => {
    stopped = true;
    // A Node stream is destroyed outright: its iterator's return() would wait behind a pending
    // read that may never complete. Other sources are asked to finish; their errors no longer matter.
    const destroyable = input.source as { destroy?: () => void };
    if (typeof destroyable.destroy === 'function') destroyable.destroy();
    else void Promise.resolve().then(() => iterator.return?.()).catch(() => undefined);
  };
};

function evenAtLeastTwo(n: number): number {
  return Math.max(2, Math.floor(n / 2) * 2);
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`audio chunks must be Uint8Array, got ${typeof value}`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
