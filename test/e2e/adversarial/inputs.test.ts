/**
 * Adversarial input through the public API, against the strict emulator over the real SDK (issue
 * 11): values from the application that used to kill the session, or reach the wire and have the
 * service close the connection.
 */
import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../../../src/index.js';
import type { LiveEmulator } from '../../../src/testing/index.js';
import { FRAME, nextEvent } from '../../helpers.js';
import { emulator, fsmSession, SDK_VERSION } from '../sdk.js';

/** What the application may hand over by mistake (or a JS caller, untyped). */
const BAD_AUDIO: unknown[] = [null, undefined, 123, 'pcm', [1, 2], {}, new Uint8Array(0), new Uint8Array(641)];

async function connected(emu: LiveEmulator, session: LiveSession) {
  const first = emu.nextConnection();
  await session.connect();
  return first;
}

describe(`input that used to kill a session (SDK ${SDK_VERSION})`, () => {
  /**
   * The bug: `sendAudio(null)` while reconnecting threw inside the input buffer, a child actor;
   * XState turned that into a dead root actor: no `closed` event, `state` still `idle`, and the
   * due reconnect never happened.
   */
  it('refuses a bad audio value while reconnecting, and the reconnect still happens', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, [], { reconnect: { baseDelayMs: 0 } });
    const conn = await connected(emu, session);
    const errors: string[] = [];
    session.on('error', ({ error }) => errors.push(error.code));
    const reconnecting = nextEvent(session, 'reconnecting');
    const next = emu.nextConnection();
    conn.abort();
    await reconnecting;
    session.sendAudio(null as unknown as Uint8Array);
    await next;
    await nextEvent(session, 'reconnected');
    expect(session.state).toBe('streaming');
    expect(errors).toContain('INVALID_INPUT');
    expect(session.metrics().dropped.invalid).toBe(1);
  });

  /** The bug: `attachMic` given a Buffer, an array or `null` threw inside the mic actor: the same silent death. */
  it('refuses a mic source that is not an async iterable, and streams on', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const conn = await connected(emu, session);
    const errors: string[] = [];
    session.on('error', ({ error }) => errors.push(`${error.code}: ${error.reason}`));
    for (const source of [Buffer.alloc(640), [new Uint8Array(640)], null]) session.attachMic(source as never);
    expect(errors).toHaveLength(3);
    expect(errors.every((error) => error.startsWith('INVALID_INPUT: attachMic: a mic source must be an async iterable'))).toBe(true);
    session.sendAudio(FRAME);
    await conn.waitForMessage((message) => message.realtimeInput?.audio !== undefined);
    expect(session.actor.getSnapshot().status).toBe('active');
  });

  /** The bug: `sendText(123)` went out as it was, and the service closed the connection with 1007. */
  it('never sends a value that is not text, so the service never closes with 1007', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const conn = await connected(emu, session);
    for (const text of [123, null, {}, '']) session.sendText(text as string);
    session.sendText('hello');
    const message = await conn.waitForMessage((candidate) => candidate.realtimeInput?.text !== undefined);
    expect(message.realtimeInput?.text).toBe('hello');
    expect(conn.counters.texts).toBe(1);
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.closes).toEqual({});
    expect(session.metrics()).toMatchObject({ dropped: { invalid: 4 }, forwarded: { text: 1 } });
  });

  /** The bug: bad `sendAudio` values while streaming were counted as forwarded although nothing was sent. */
  it('counts as forwarded only what was sent', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const conn = await connected(emu, session);
    for (const value of BAD_AUDIO) session.sendAudio(value as Uint8Array);
    session.sendAudio(FRAME);
    await conn.waitForMessage((message) => message.realtimeInput?.audio !== undefined);
    const m = session.metrics();
    expect(m.forwarded.audio).toBe(1);
    expect(m.dropped.invalid).toBe(BAD_AUDIO.length);
    expect(m.received.audio).toBe(BAD_AUDIO.length + 1);
    expect(conn.counters.audioFrames).toBe(1);
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
  });
});
