/**
 * The three clients the bench compares, each forwarding 20 ms PCM frames through the real
 * `@google/genai` SDK to the emulator: the raw SDK, the boolean-flag client of
 * `examples/clients/naiveClients.ts`, and gemini-live-fsm.
 */
import { once } from 'node:events';
import { GoogleGenAI, Modality } from '@google/genai';
import { WebSocket } from 'ws';
import { connectPlainClient } from '../examples/clients/naiveClients.js';
import type { AnyTool, LiveSession } from '../src/index.js';
import { library } from './library.js';
import { audioFrameText } from '../src/adapters/genai.js';
import { INPUT_AUDIO_MIME_TYPE } from '../src/protocol/messages.js';
import { MODEL, PLAIN_KEY } from './config.js';

/** The clients, in the order the bench names them. */
export const CLIENT_KINDS = ['raw', 'flag', 'fsm'] as const;
/** One of the three clients. */
export type ClientKind = (typeof CLIENT_KINDS)[number];

/** A connected client that forwards audio frames. */
export interface BenchClient {
  readonly kind: ClientKind;
  /** Forwards one 20 ms frame of 16 kHz PCM16. */
  send(pcm: Uint8Array): void;
  close(): Promise<void>;
}

/** An SDK client for the emulator; one is shared by many sessions, as in a gateway. */
export function sdkClient(baseUrl: string, apiKey = PLAIN_KEY): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl } });
}

const CONFIG = { responseModalities: [Modality.AUDIO] };

/** The raw SDK: base64 and `sendRealtimeInput`, nothing else. */
async function rawClient(ai: GoogleGenAI): Promise<BenchClient> {
  const session = await ai.live.connect({ model: MODEL, config: CONFIG, callbacks: { onmessage: () => undefined } });
  return {
    kind: 'raw',
    send(pcm) {
      const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
      session.sendRealtimeInput({ audio: { data, mimeType: INPUT_AUDIO_MIME_TYPE } });
    },
    close: async () => session.close(),
  };
}

/** The boolean-flag client, exactly as the examples write it. */
async function flagClient(ai: GoogleGenAI): Promise<BenchClient> {
  const client = await connectPlainClient({ ai, model: MODEL, config: CONFIG, gate: 'flag', tools: {} });
  return {
    kind: 'flag',
    send(pcm) {
      client.sendAudio(pcm);
    },
    close: async () => client.close(),
  };
}

/** A gemini-live-fsm session. */
export async function fsmSession(ai: GoogleGenAI, tools: AnyTool[] = []): Promise<LiveSession> {
  const session = library.createLiveSession({ ai, model: MODEL, config: CONFIG, tools });
  await session.connect();
  return session;
}

async function fsmClient(ai: GoogleGenAI): Promise<BenchClient> {
  const session = await fsmSession(ai);
  return {
    kind: 'fsm',
    send(pcm) {
      session.sendAudio(pcm);
    },
    close: () => session.close(),
  };
}

/** Connects a client of the given kind. */
export function connectClient(kind: ClientKind, ai: GoogleGenAI): Promise<BenchClient> {
  switch (kind) {
    case 'raw':
      return rawClient(ai);
    case 'flag':
      return flagClient(ai);
    case 'fsm':
      return fsmClient(ai);
  }
}

/**
 * The floor under every client of this stack, for comparison: the `ws` package alone, on the
 * path the SDK opens, sending the very text gemini-live-fsm sends for a frame. No SDK, no session.
 */
export async function bareWsClient(baseUrl: string): Promise<{ send(pcm: Uint8Array): void; close(): Promise<void> }> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${PLAIN_KEY}`;
  const socket = new WebSocket(url);
  await once(socket, 'open');
  const setupComplete = once(socket, 'message');
  socket.send(JSON.stringify({ setup: { model: MODEL } }));
  await setupComplete;
  return {
    send: (pcm) => socket.send(audioFrameText(pcm)),
    close: async () => {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    },
  };
}
