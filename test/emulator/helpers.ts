/**
 * Test helpers: an emulator that closes itself after each test, and a raw `ws` client that keeps
 * every server message so tests can wait for one (past or future) instead of sleeping.
 */
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import {
  startLiveEmulator,
  type EmulatorConnection,
  type LiveEmulator,
  type LiveEmulatorOptions,
} from '../../src/testing/emulator/index.js';

/** The path @google/genai 2.x opens (with its double slash). */
export const LIVE_PATH = '//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=test';

export const MODEL = 'models/gemini-2.5-flash-native-audio-preview-09-2025';

/** A server message as the raw client saw it. */
export interface Received {
  binary: boolean;
  text: string;
  message: Record<string, unknown>;
}

export interface RawClient {
  ws: WebSocket;
  received: Received[];
  /** Resolves with the `count`-th server message matching `predicate`, received before or after the call. */
  waitFor(predicate: (message: Record<string, unknown>) => boolean, count?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

/** Starts an emulator that is closed when the current test finishes. */
export async function emulator(options?: LiveEmulatorOptions): Promise<LiveEmulator> {
  const started = await startLiveEmulator(options);
  onTestFinished(() => started.close());
  return started;
}

/** Opens a raw WebSocket to the emulator (no setup sent). */
export async function openRaw(baseUrl: string, path = LIVE_PATH): Promise<RawClient> {
  const ws = new WebSocket(baseUrl.replace('http:', 'ws:') + path);
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      message = { unparsable: text };
    }
    received.push({ binary: isBinary, text, message });
    for (const waiter of [...waiters]) waiter();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  onTestFinished(() => ws.terminate());
  return {
    ws,
    received,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    waitFor(predicate, count = 1) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const matches = received.filter((entry) => predicate(entry.message));
          const found = matches[count - 1];
          if (!found) return false;
          waiters.delete(check);
          resolve(found.message);
          return true;
        };
        if (check()) return;
        waiters.add(check);
        void closed.then(() => {
          if (waiters.delete(check)) reject(new Error('socket closed before the expected server message'));
        });
      });
    },
  };
}

/** Opens a raw client, sends setup and waits for setupComplete; returns both ends. */
export async function connectRaw(
  live: LiveEmulator,
  setup: Record<string, unknown> = {},
): Promise<{ client: RawClient; connection: EmulatorConnection }> {
  const client = await openRaw(live.baseUrl);
  client.send({ setup: { model: MODEL, ...setup } });
  await client.waitFor((message) => 'setupComplete' in message);
  const connection = await live.nextConnection();
  return { client, connection };
}

/** Base64 of `ms` of silent 16 kHz PCM16 (32 bytes per ms). */
export function pcm16k(ms: number): string {
  return Buffer.alloc(ms * 32).toString('base64');
}

/** A `realtimeInput.audio` message of `ms` of silence. */
export function audio(ms: number): { realtimeInput: { audio: { data: string; mimeType: string } } } {
  return { realtimeInput: { audio: { data: pcm16k(ms), mimeType: 'audio/pcm;rate=16000' } } };
}

/** A function call of a server `toolCall` message. */
export interface WireCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
}

/** The function calls of a server `toolCall` message. */
export function callsOf(message: Record<string, unknown>): WireCall[] {
  return (message.toolCall as { functionCalls: WireCall[] }).functionCalls;
}

export const isToolCall = (message: Record<string, unknown>): boolean => 'toolCall' in message;

/** Whether a server message carries `serverContent.<field>`. */
export function hasContent(field: string): (message: Record<string, unknown>) => boolean {
  return (message) => {
    const content = message.serverContent;
    return typeof content === 'object' && content !== null && field in content;
  };
}

/** Model names of each profile, as the SDK writes them in setup. */
export const MODELS = {
  native25: 'models/gemini-2.5-flash-native-audio-preview-09-2025',
  flash31: 'models/gemini-3.1-flash-live-preview',
  live38: 'models/gemini-3.8-live',
  thinking38: 'models/gemini-3.8-live-extended-thinking',
  translate: 'models/gemini-3.5-live-translate-preview',
  unknown: 'models/gemini-live-test',
} as const;

/** Waits until the server has received and handled `count` client frames. */
export async function handled(connection: EmulatorConnection, count: number): Promise<void> {
  await connection.waitForMessage(() => connection.frames.length >= count);
}

let markers = 0;

/**
 * Resolves once every server message sent so far has reached the client: the server sends a
 * marker after them, and frames arrive in order. Lets a test assert that something was NOT sent.
 */
export async function drained(client: RawClient, connection: EmulatorConnection): Promise<void> {
  const marker = ++markers;
  connection.sendRaw({ marker });
  await client.waitFor((message) => message.marker === marker);
}

/** A tool list declaring `name` with `behavior` (none when undefined). */
export function declare(...functions: { name: string; behavior?: string }[]): { functionDeclarations: { name: string; behavior?: string }[] }[] {
  return [{ functionDeclarations: functions }];
}

/** A `toolResponse` answering one call. */
export function answer(id: string | undefined, name: string): { toolResponse: { functionResponses: Record<string, unknown>[] } } {
  return { toolResponse: { functionResponses: [{ id, name, response: { output: 'ok' } }] } };
}
