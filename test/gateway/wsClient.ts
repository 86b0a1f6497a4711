/**
 * A plain WebSocket client of the gateway, as a test drives it: it sends 16 kHz PCM16, and keeps
 * every event the gateway sends and the bytes of model audio it heard.
 */
import { once } from 'node:events';
import WebSocket from 'ws';

/** A client in a call. */
export interface GatewayClient {
  readonly events: Record<string, unknown>[];
  /** Bytes of model audio (24 kHz PCM16) received. */
  readonly audioBytes: number;
  /** Sends `ms` of 16 kHz PCM16 (a quiet tone) in 20 ms messages, all at once. */
  speak(ms: number): void;
  send(message: object): void;
  waitFor(description: string, predicate: (client: GatewayClient) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Opens a call for `sessionId` on the gateway at `url` (`http://…/`). */
export async function callGateway(url: string, sessionId: string): Promise<GatewayClient> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}session?id=${encodeURIComponent(sessionId)}`);
  socket.on('error', () => undefined);
  await once(socket, 'open');
  const events: Record<string, unknown>[] = [];
  let audioBytes = 0;
  const waiters = new Set<() => void>();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('message', (data, isBinary) => {
    if (isBinary) audioBytes += (data as Buffer).length;
    else events.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const waiter of [...waiters]) waiter();
  });
  const client: GatewayClient = {
    events,
    get audioBytes() {
      return audioBytes;
    },
    speak(ms) {
      for (let sent = 0; sent < ms; sent += 20) {
        const frame = Buffer.alloc(640);
        for (let i = 0; i < 320; i += 1) frame.writeInt16LE(Math.round(2_000 * Math.sin((2 * Math.PI * 440 * (sent * 16 + i)) / 16_000)), i * 2);
        socket.send(frame, { binary: true });
      }
    },
    send: (message) => socket.send(JSON.stringify(message)),
    waitFor: (description, predicate, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(client)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${description} within ${timeoutMs} ms; events: ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    closed,
    async close() {
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      await closed;
    },
  };
  return client;
}
