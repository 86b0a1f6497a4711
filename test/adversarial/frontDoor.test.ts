/**
 * Every bad value the application can hand a session, in every state (issue 11): never a throw,
 * never a dead actor, never on the wire; a typed `INVALID_INPUT` error and a drop counted
 * `invalid` (I4), or `SESSION_CLOSED` once the session is closed.
 */
import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../../src/index.js';
import { connectedSession, FRAME } from '../helpers.js';

type Attack = { name: string; run(session: LiveSession): void; counted: boolean };

const ATTACKS: Attack[] = [
  ...[null, undefined, 7, 'pcm', [0, 0], new ArrayBuffer(2), new Uint8Array(0), new Uint8Array(3), new Int16Array(2)].map((value) => ({
    name: `sendAudio(${Object.prototype.toString.call(value)})`,
    run: (session: LiveSession) => session.sendAudio(value as Uint8Array),
    counted: true,
  })),
  ...[
    [null, 'image/jpeg'],
    [new Uint8Array(0), 'image/jpeg'],
    [new Uint8Array(2), 'audio/pcm'],
    [new Uint8Array(2), undefined],
  ].map(([frame, type]) => ({
    name: `sendVideo(${String(frame)}, ${String(type)})`,
    run: (session: LiveSession) => session.sendVideo(frame as Uint8Array, type as string),
    counted: true,
  })),
  ...[123, null, {}, ''].map((text) => ({
    name: `sendText(${JSON.stringify(text)})`,
    run: (session: LiveSession) => session.sendText(text as string),
    counted: true,
  })),
  ...[Buffer.alloc(4), [FRAME], null, 'mic', { [Symbol.asyncIterator]: 1 }].map((source) => ({
    name: `attachMic(${Object.prototype.toString.call(source)})`,
    run: (session: LiveSession) => session.attachMic(source as never),
    counted: false,
  })),
  {
    name: 'attachMic(source, { maxChunkBytes: 1 })',
    run: (session: LiveSession) => session.attachMic((async function* () {})(), { maxChunkBytes: 1 }),
    counted: false,
  },
];

/** Brings a connected session into a state. */
const STATES: Record<string, (h: Awaited<ReturnType<typeof connectedSession>>) => void> = {
  streaming: () => undefined,
  awaitingToolResponse: (h) => h.server.toolCall([{ id: 'c1', name: 'hang', args: {} }]),
  reconnecting: (h) => h.server.serverClose(1011, 'Internal error encountered.'),
  closed: (h) => void h.session.close(),
};

describe('the front door, in every state', () => {
  for (const [state, enter] of Object.entries(STATES)) {
    it(`refuses every bad value while ${state}`, async () => {
      const h = await connectedSession({
        tools: [{ name: 'hang', execute: () => new Promise(() => undefined) }],
        reconnect: { maxAttempts: 1, baseDelayMs: 60_000 },
        transport: { open: 'manual' },
      });
      const codes: string[] = [];
      h.session.on('error', ({ error }) => codes.push(error.code));
      enter(h);
      const sentBefore = h.transport.frames.filter(({ frame }) => frame.type === 'realtimeInput').length;
      for (const attack of ATTACKS) {
        const errorsBefore = codes.length;
        expect(() => attack.run(h.session), attack.name).not.toThrow();
        const errors = codes.slice(errorsBefore);
        expect(errors, attack.name).toEqual([state === 'closed' ? 'SESSION_CLOSED' : 'INVALID_INPUT']);
      }
      expect(h.session.actor.getSnapshot().status).toBe(state === 'closed' ? 'done' : 'active');
      expect(h.transport.frames.filter(({ frame }) => frame.type === 'realtimeInput')).toHaveLength(sentBefore);
      const m = h.session.metrics();
      if (state !== 'closed') expect(m.dropped.invalid).toBe(ATTACKS.filter((attack) => attack.counted).length);
      expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
    });
  }
});
