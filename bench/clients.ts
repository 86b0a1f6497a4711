/**
 * The three clients the bench compares, each forwarding 20 ms PCM frames through the real
 * `@google/genai` SDK to the emulator: the raw SDK, the boolean-flag client of
 * `examples/clients/naiveClients.ts`, and gemini-live-fsm.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { connectPlainClient } from '../examples/clients/naiveClients.js';
import { createLiveSession, type AnyTool, type LiveSession } from '../src/index.js';
import { INPUT_AUDIO_MIME_TYPE } from '../src/protocol.js';
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
  const session = createLiveSession({ ai, model: MODEL, config: CONFIG, tools });
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
