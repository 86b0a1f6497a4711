import type { AddressInfo } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { sanitizeContext, sanitizeEvent } from '../../src/devtools/index.js';
import { connectedSession, FRAME } from '../helpers.js';

interface StatelyMessage {
  type: string;
  sessionId: string;
  rootId?: string;
  event?: { type: string; [key: string]: unknown };
  snapshot?: { value?: unknown; context?: Record<string, unknown> };
  definition?: string;
  name?: string;
}

/** A local receiver for `@statelyai/inspect`'s WebSocket inspector: what a relay to a UI would get. */
async function startReceiver() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const messages: StatelyMessage[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as StatelyMessage));
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the @statelyai/inspect recipe, offline', () => {
  it('createWebSocketInspector streams the session to a local receiver, audio bytes sanitised', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    // The recipe of docs/devtools.md.
    const inspector = createWebSocketInspector({ url: receiver.url, sanitizeEvent, sanitizeContext });
    cleanups.push(() => inspector.stop());

    const h = await connectedSession({ inspect: inspector.inspect, inspectFrames: true });
    h.session.sendAudio(FRAME);
    await h.session.close();

    await expect.poll(() => receiver.messages.some((m) => m.type === '@xstate.snapshot' && m.snapshot?.value === 'closed')).toBe(true);
    const root = receiver.messages.find((m) => m.type === '@xstate.actor' && m.name === 'session');
    expect(root?.definition).toContain('awaitingToolResponse');
    const rootId = root?.sessionId;
    const snapshots = receiver.messages.filter((m) => m.type === '@xstate.snapshot' && m.sessionId === rootId);
    expect(snapshots.map((m) => JSON.stringify(m.snapshot?.value))).toEqual(
      expect.arrayContaining(['{"idle":"disconnected"}', '{"idle":"connecting"}', '"streaming"', '"closed"']),
    );
    const audioEvent = receiver.messages.find((m) => m.type === '@xstate.event' && m.event?.type === 'input.audio');
    expect(audioEvent?.event?.['data']).toBe('[Uint8Array 640 bytes]');
    // The frame the connection actor was told to send is sanitised too.
    const sent = receiver.messages.find((m) => m.type === '@xstate.event' && m.event?.type === 'send.realtimeInput');
    expect(JSON.stringify(sent?.event)).toContain('[Uint8Array 640 bytes]');
    const last = snapshots.at(-1)?.snapshot?.context as { counters: { forwarded: { audio: number } } };
    expect(last.counters.forwarded.audio).toBe(1);
  });
});
