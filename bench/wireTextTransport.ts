/**
 * A transport with no network for measuring a session's own cost: it answers setup at once and
 * turns every audio frame into its wire text, as the SDK adapter does before the socket.
 */
import { audioFrameText } from '../src/adapters/genai.js';
import type { LiveTransport } from '../src/protocol/transport.js';

/** The transport, and how many bytes of wire text it has built (so the work cannot be optimised away). */
export function wireTextTransport(): { transport: LiveTransport; bytes: () => number } {
  let bytes = 0;
  const transport: LiveTransport = {
    connect(request) {
      queueMicrotask(() => request.handlers.onMessage({ setupComplete: {} }));
      return Promise.resolve({
        sendRealtimeInput(input) {
          if (input.kind === 'audio') bytes += audioFrameText(input.data).length;
        },
        sendToolResponse: () => undefined,
        close: () => undefined,
      });
    },
  };
  return { transport, bytes: () => bytes };
}
