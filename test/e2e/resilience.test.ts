import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError } from '../../src/protocol/index.js';
import { defineTool } from '../../src/index.js';
import type { ClosedBy } from '../../src/machines/index.js';
import type { EmulatorConnection } from '../../src/testing/index.js';
import { CLOSE_TABLE } from '../closeTable.js';
import { deferred, nextEvent } from '../helpers.js';
import { emulator, fsmSession, SDK_VERSION } from './sdk.js';

afterEach(() => {
  vi.useRealTimers();
});

/** 100 ms of 16 kHz PCM16. */
const CHUNK = new Uint8Array(3_200);
const CHUNK_MS = 100;
const NO_WAIT = { baseDelayMs: 0 };

describe(`sessions that survive (SDK ${SDK_VERSION})`, () => {
  it('a 30-minute conversation across 3 goAways loses no input the policy keeps', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const emu = await emulator();
    const session = fsmSession(emu, [], { reconnect: NO_WAIT });
    const first = emu.nextConnection();
    await session.connect();
    let conn: EmulatorConnection = await first;
    let sentMs = 0;
    let turns = 0;
    session.on('turnComplete', () => (turns += 1));
    const speak = (ms: number) => {
      for (let i = 0; i < ms / CHUNK_MS; i += 1) session.sendAudio(CHUNK);
      sentMs += ms;
    };

    for (let minute = 1; minute <= 30; minute += 1) {
      speak(60_000);
      // The model answers once a minute; the emulator offers a handle after each turn.
      const turnSeen = nextEvent(session, 'turnComplete');
      conn.sendTurnComplete();
      await turnSeen;
      vi.setSystemTime(Date.now() + 60_000);
      if (minute % 10 === 0) {
        const handleIssued = conn.lastHandle;
        const next = emu.nextConnection();
        const reconnected = nextEvent(session, 'reconnected');
        conn.sendGoAway('50s');
        await nextEvent(session, 'goAway');
        speak(1_000); // the user keeps talking while the session changes connection
        conn = await next;
        await reconnected;
        expect(conn.resumedFrom).toBe(handleIssued);
      }
    }
    // Every connection's received audio, added up, is every millisecond the app sent.
    await vi.waitFor(() => expect(emu.connections.reduce((sum, c) => sum + c.counters.audioMs, 0)).toBe(sentMs));
    const m = session.metrics();
    expect(m).toMatchObject({ reconnects: 3, totalDropped: 0, buffered: 0 });
    expect(m.replayed).toBe(30); // 3 × 1 s said between connections, replayed
    expect(emu.connections).toHaveLength(4);
    expect(conn.conversation.turns).toBe(30);
    expect(turns).toBe(30);
    expect(emu.stats.violations1008).toBe(0);
    expect(session.gateViolations).toEqual([]);
  }, 60_000);

  it('an abnormal close mid tool call: reconnects, the late result reaches the conversation as context, and it goes on', async () => {
    const emu = await emulator();
    const stale = deferred<string>();
    const session = fsmSession(
      emu,
      [defineTool({ name: 'slow', execute: () => stale.promise }), defineTool({ name: 'fast', execute: () => 'fast' })],
      { reconnect: NO_WAIT },
    );
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    conn.sendTurnComplete(); // a resumption point
    await nextEvent(session, 'turnComplete');
    const handle = conn.lastHandle;
    conn.sendToolCall([{ name: 'slow' }]);
    await nextEvent(session, 'gate', (e) => e.state === 'closed');

    const next = emu.nextConnection();
    const reconnected = nextEvent(session, 'reconnected');
    conn.abort();
    const second = await next;
    await reconnected;
    expect(second.resumedFrom).toBe(handle);

    const delivered = nextEvent(session, 'toolResultDelivered');
    stale.resolve('too late');
    expect(await delivered).toMatchObject({ via: 'context', call: { name: 'slow' } });
    const context = await second.waitForMessage((message) => message.clientContent !== undefined);
    expect(context.clientContent?.turns?.[0]?.parts?.[0]?.text).toContain('returned "too late"');

    const [id] = second.sendToolCall([{ name: 'fast' }]);
    expect((await second.waitForToolResponse()).functionResponses).toEqual([{ id, name: 'fast', response: { output: 'fast' } }]);
    expect(emu.connections.flatMap((c) => c.frames).filter((f) => f.message?.toolResponse)).toHaveLength(1);
    expect(second.isOpen).toBe(true);
    expect(session.gateViolations).toEqual([]);
  });

  it('closes with the error when every attempt fails', async () => {
    const emu = await emulator({
      onConnection: (c) => {
        // Every connection after the first fails as soon as it is set up.
        if (c.id > 1) void c.ready.then(() => c.close(1011, 'The service is currently unavailable.'));
      },
    });
    const session = fsmSession(emu, [], { reconnect: { maxAttempts: 2, baseDelayMs: 0 } });
    const first = emu.nextConnection();
    await session.connect();
    const closed = nextEvent(session, 'closed');
    (await first).close(1011, 'Internal error encountered.');
    const { closedBy } = await closed;
    expect(closedBy).toMatchObject({ by: 'attemptsExhausted', attempts: 2, error: { closeCode: 1011, kind: 'unavailable' } });
    expect(emu.connections).toHaveLength(3);
  });

  it.each(CLOSE_TABLE)('a close %i "%s" is a ConnectionClosedError of kind %s, retryable %s', async (code, reason, kind, retryable) => {
    const emu = await emulator();
    const session = fsmSession(emu, [], { reconnect: false });
    const first = emu.nextConnection();
    await session.connect();
    const closed = nextEvent(session, 'closed');
    (await first).close(code, reason);
    const { closedBy } = await closed;
    const error = (closedBy as Extract<ClosedBy, { by: 'server' }>).error;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 'SERVER_CLOSED', closeCode: code, reason, kind, retryable });
  });

  it('a dropped socket (1006) is abnormal and retryable', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, [], { reconnect: false });
    const first = emu.nextConnection();
    await session.connect();
    const closed = nextEvent(session, 'closed');
    (await first).abort();
    expect((await closed).closedBy).toMatchObject({ by: 'server', error: { closeCode: 1006, kind: 'abnormal', retryable: true } });
  });
});
