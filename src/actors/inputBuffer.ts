/**
 * The input buffer actor: holds realtime input while the session cannot send it (gated, or
 * between connections) so that it can be replayed, in order, when streaming resumes. It owns the
 * bytes, so they never sit in the machine's context. It is bounded: past the `maxMs` of audio
 * that the latest push allows (or `maxItems` inputs of any kind) the oldest input is evicted, and
 * every eviction is reported.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction } from 'xstate';
import type { InputBufferCommand, SessionEvent } from '../machines/types.js';
import type { RealtimeInput } from '../protocol/messages.js';

/** Bounds of a buffer beyond the audio duration that each push states. */
export interface InputBufferLimits {
  /** Most inputs of any kind to keep (video frames and text have no duration). */
  maxItems: number;
}

/** Milliseconds of 16 kHz PCM16 audio in an input (0 for anything else). */
export function audioMs(input: RealtimeInput): number {
  return input.kind === 'audio' ? input.data.length / 32 : 0;
}

/**
 * The input buffer actor logic. Commands: `buffer.push` (append, evicting the oldest beyond the
 * bounds; each push says how much audio may be kept), `buffer.restore` (put inputs back at the front, in order), `buffer.flush` (send every
 * input back in one `buffer.replay` event and forget them).
 *
 * @example
 * ```ts
 * sessionMachine.provide({ actors: { inputBuffer: createInputBufferLogic({ maxItems: 500 }) } });
 * ```
 */
export function createInputBufferLogic(limits: InputBufferLimits) {
  return fromCallback<InputBufferCommand, undefined>(inputBufferCallback(limits));
}

/** The body of {@link createInputBufferLogic}: what a session's input buffer runs. */
export function inputBufferCallback(limits: InputBufferLimits): CallbackLogicFunction<InputBufferCommand, AnyEventObject, undefined> {
  return ({ sendBack, receive }) => {
    let items: RealtimeInput[] = [];
    let bufferedMs = 0;
    let maxMs = Infinity;

    const evictOverflow = () => {
      const evicted: RealtimeInput['kind'][] = [];
      while (items.length > 0 && (bufferedMs > maxMs || items.length > limits.maxItems)) {
        const oldest = items.shift() as RealtimeInput;
        bufferedMs -= audioMs(oldest);
        evicted.push(oldest.kind);
      }
      if (evicted.length > 0) sendBack({ type: 'buffer.evicted', kinds: evicted } satisfies SessionEvent);
    };

    receive((command) => {
      switch (command.type) {
        case 'buffer.push':
          maxMs = command.maxMs;
          items.push(command.input);
          bufferedMs += audioMs(command.input);
          evictOverflow();
          break;
        case 'buffer.restore':
          items = [...command.inputs, ...items];
          bufferedMs += command.inputs.reduce((sum, input) => sum + audioMs(input), 0);
          evictOverflow();
          break;
        case 'buffer.flush': {
          if (items.length === 0) break;
          const inputs = items;
          items = [];
          bufferedMs = 0;
          sendBack({ type: 'buffer.replay', inputs } satisfies SessionEvent);
          break;
        }
      }
    });
  };
}
