/**
 * Sockets and causes under attack (issue 11): every socket is closed on every path, and an error
 * carries what caused it. Through the real SDK against the emulator.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, LiveSessionError } from '../../../src/protocol/index.js';
import { createLiveSession } from '../../../src/index.js';
import { FRAME, nextEvent } from '../../helpers.js';
import { clientFor, emulator, fsmSession, MODEL, onCleanup, SDK_VERSION } from '../sdk.js';
import { watchUnhandled } from './unhandled.js';

const unhandled = watchUnhandled();

/** Every cause down an error's chain. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at = error; at !== undefined && chain.length < 5; at = (at as { cause?: unknown }).cause) chain.push(at);
  return chain;
}

/** The status of each child actor of a session (the input buffer and the connection). */
function childStatuses(session: { actor: { getSnapshot(): { children: Record<string, { getSnapshot(): { status: string } } | undefined> } } }) {
  return Object.values(session.actor.getSnapshot().children).map((child) => child?.getSnapshot().status);
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(`sockets and causes (SDK ${SDK_VERSION})`, () => {
  /**
   * The bug: a socket whose setup never completes stayed open after `close()`, and after each
   * connect timeout: three sockets were left open after the session gave up.
   */
  it('closes the socket of every connect that times out, and reports the attempts exhausted', async () => {
    const emu = await emulator({ holdSetup: true });
    const session = fsmSession(emu, [], { connectTimeoutMs: 300, reconnect: { maxAttempts: 2, baseDelayMs: 0 } });
    const closed = nextEvent(session, 'closed');
    await expect(session.connect()).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    expect((await closed).closedBy).toMatchObject({ by: 'attemptsExhausted', attempts: 2 });
    expect(emu.connections).toHaveLength(3);
    const ends = await Promise.all(emu.connections.map((connection) => connection.closed));
    expect(ends.map((end) => end.by)).toEqual(['client', 'client', 'client']);
  });

  it('closes a socket whose setup is pending when the session closes, before close() resolves', async () => {
    const emu = await emulator({ holdSetup: true });
    const session = fsmSession(emu, []);
    const first = emu.nextConnection();
    const connecting = session.connect();
    connecting.catch(() => undefined);
    const conn = await first;
    let socketClosed = false;
    void conn.closed.then(() => (socketClosed = true));
    await conn.waitForMessage((message) => message.setup !== undefined);
    await session.close();
    await conn.closed;
    expect(socketClosed).toBe(true);
    expect(childStatuses(session)).toEqual(['stopped', 'stopped']);
  });

  it('resolves close() once the socket is closed and every child actor is stopped', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    session.sendAudio(FRAME);
    await session.close();
    expect(session.actor.getSnapshot().status).toBe('done');
    expect(childStatuses(session)).toEqual(['stopped', 'stopped']);
    expect((await conn.closed).by).toBe('client');
  });

  /** The bug: ECONNREFUSED surfaced as "1006 abnormal, retryable" with no cause: the real error was dropped. */
  it('carries ECONNREFUSED as the cause of the failure', async () => {
    const port = await closedPort();
    const session = createLiveSession({
      ai: clientFor({ baseUrl: `http://127.0.0.1:${port}` } as never),
      model: MODEL,
      reconnect: false,
    });
    onCleanup(() => session.close());
    const failure = await session.connect().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LiveSessionError);
    expect((failure as LiveSessionError).retryable).toBe(true);
    expect(causes(failure).some((cause) => String((cause as { code?: unknown })?.code ?? cause).includes('ECONNREFUSED'))).toBe(true);
  });

  /** The bug: an HTTP 401 on the upgrade surfaced as "1006 abnormal, retryable": retried three times, cause dropped. */
  it('does not retry a refusal of the credentials, and says why', async () => {
    let upgrades = 0;
    const emu = await emulator({
      refuseUpgrade: () => {
        upgrades += 1;
        return 401;
      },
    });
    const session = fsmSession(emu, [], { reconnect: { maxAttempts: 3, baseDelayMs: 0 } });
    const failure = await session.connect().catch((error: unknown) => error);
    expect(failure).toMatchObject({ retryable: false });
    const kind = failure instanceof ConnectionClosedError ? failure.kind : undefined;
    expect(kind === 'unauthenticated' || (failure as LiveSessionError).code === 'CONNECT_FAILED').toBe(true);
    expect(causes(failure).some((cause) => /401/.test(String((cause as Error)?.message ?? cause)))).toBe(true);
    expect(upgrades).toBe(1);
  });

  /**
   * The bug: a server frame that is not JSON made the SDK reject inside its own message handler,
   * an unhandled rejection nothing outside the SDK could catch.
   */
  it('turns a frame that is not JSON into a typed MALFORMED error, and goes on', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    const error = nextEvent(session, 'error');
    conn.sendRaw('this is not JSON');
    expect((await error).error.code).toBe('MALFORMED_MESSAGE');
    conn.sendRaw('[1, 2, 3]');
    await nextEvent(session, 'error', (event) => event.error.code === 'MALFORMED_MESSAGE');
    session.sendAudio(FRAME);
    await conn.waitForMessage((message) => message.realtimeInput?.audio !== undefined);
    expect(conn.isOpen).toBe(true);
    expect(unhandled()).toEqual([]);
  });
});
