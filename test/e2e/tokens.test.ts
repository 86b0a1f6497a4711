/**
 * `tokenProvider`: a session that never holds the API key, through the real SDK to the emulator.
 * A token for every connection; a refused one fetched again once; a typed error after that.
 */
import { describe, expect, it, vi } from 'vitest';
import { defineTool, LiveSessionError } from '../../src/index.js';
import { TokenError } from '../../src/protocol/index.js';
import type { SessionEmitted } from '../../src/machines/index.js';
import type { EmulatorConnection } from '../../src/testing/index.js';
import { nextEvent } from '../helpers.js';
import { emulator, SDK_VERSION } from './sdk.js';
import { tokenServer, tokenSession } from './tokenSession.js';

// The SDK warns on every token connection that the feature is experimental.
vi.spyOn(console, 'warn').mockImplementation(() => undefined);

const NO_WAIT = { baseDelayMs: 0 };

/** Records every event a session emits. */
function record(session: ReturnType<typeof tokenSession>): SessionEmitted[] {
  const events: SessionEmitted[] = [];
  session.actor.on('*', (event) => events.push(event as SessionEmitted));
  return events;
}

describe(`sessions on ephemeral tokens (SDK ${SDK_VERSION})`, () => {
  it('fetches a token for every connection and resumes after a goAway with a fresh one', async () => {
    const emu = await emulator();
    const server = tokenServer(emu);
    const session = tokenSession(emu, () => server.mint(), [defineTool({ name: 'get_time', execute: () => ({ time: '12:00' }) })], {
      reconnect: NO_WAIT,
    });
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    expect(server.minted).toHaveLength(1);
    expect(conn.token).toBe(server.minted[0]?.name);
    expect(conn.path).toMatch(/v1alpha\.GenerativeService\.BidiGenerateContentConstrained\?access_token=auth_tokens\//);
    expect(conn.setup?.model).toBe('models/gemini-live-2.5-flash-preview');

    // The token locks the model and config; the session's setup keeps to them, tools included.
    conn.sendToolCall([{ name: 'get_time' }]);
    await conn.waitForToolResponse();
    conn.sendTurnComplete();
    await nextEvent(session, 'turnComplete');
    const handle = conn.lastHandle;

    const next = emu.nextConnection();
    const reconnected = nextEvent(session, 'reconnected');
    conn.sendGoAway('5s');
    const resumed = await next;
    expect(await reconnected).toMatchObject({ resumed: true });
    expect(server.minted).toHaveLength(2);
    expect(resumed.token).toBe(server.minted[1]?.name);
    expect(resumed.token).not.toBe(conn.token);
    expect(resumed.resumedFrom).toBe(handle);
    expect(emu.tokens.map((token) => token.used)).toEqual([1, 1]);
  });

  it('a token refused as used up is fetched again once, and the session never sees the refusal', async () => {
    const emu = await emulator();
    const server = tokenServer(emu, { uses: 1 });
    const spent = await server.mint();
    let calls = 0;
    // A provider that caches its token: the first resume gets the spent one again.
    const session = tokenSession(emu, async () => (++calls <= 2 ? spent : server.mint()), [], { reconnect: NO_WAIT });
    const events = record(session);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    const reconnected = nextEvent(session, 'reconnected');
    conn.sendGoAway('5s');
    expect(await reconnected).toMatchObject({ resumed: true });
    expect(calls).toBe(3);
    expect(emu.connections.map((c) => c.refusal?.reason)).toEqual([undefined, 'Token has been used too many times', undefined]);
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
  });

  it('a second refusal fails with a TokenError that no retry repeats', async () => {
    const emu = await emulator();
    const server = tokenServer(emu, { uses: 1 });
    const spent = await server.mint();
    const first = emu.nextConnection();
    const opened = tokenSession(emu, () => spent);
    await opened.connect(); // uses the token up
    await first;

    let calls = 0;
    const session = tokenSession(emu, () => {
      calls += 1;
      return spent;
    });
    const events = record(session);
    const failure = await session.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TokenError);
    expect(failure).toMatchObject({ code: 'TOKEN_REFUSED', retryable: false });
    expect((failure as TokenError).reason).toBe('the service refused a fresh token too (1011 Token has been used too many times)');
    expect(calls).toBe(2);
    expect(session.state).toBe('closed');
    expect(events.find((event) => event.type === 'closed')).toMatchObject({ closedBy: { by: 'server', error: { code: 'TOKEN_REFUSED' } } });
  });

  it('a token that expires mid-session: the service closes, the session resumes on a fresh one', async () => {
    const emu = await emulator();
    let calls = 0;
    const server = tokenServer(emu);
    const shortLived = tokenServer(emu, { expireAfterMs: 400 });
    const session = tokenSession(emu, () => (++calls === 1 ? shortLived.mint() : server.mint()), [], { reconnect: NO_WAIT });
    const first = emu.nextConnection();
    await session.connect();
    const conn: EmulatorConnection = await first;
    conn.sendTurnComplete();
    await nextEvent(session, 'turnComplete');
    const reconnecting = nextEvent(session, 'reconnecting');
    const reconnected = nextEvent(session, 'reconnected');
    expect(await reconnecting).toMatchObject({ cause: 'connectionLost', error: { closeCode: 1008, kind: 'tokenExpired' } });
    expect(await reconnected).toMatchObject({ resumed: true });
    expect(calls).toBe(2);
    expect(emu.connections[1]?.resumedFrom).toBe(conn.lastHandle);
  });

  it('a token refused at the WebSocket upgrade (HTTP 401) is fetched again once too', async () => {
    const emu = await emulator({ tokens: { refuse: 'http' } });
    const server = tokenServer(emu, { uses: 1 });
    const spent = await server.mint();
    let calls = 0;
    const session = tokenSession(emu, async () => (++calls <= 2 ? spent : server.mint()), [], { reconnect: NO_WAIT });
    const events = record(session);
    const first = emu.nextConnection();
    await session.connect();
    const reconnected = nextEvent(session, 'reconnected');
    (await first).sendGoAway('5s');
    expect(await reconnected).toMatchObject({ resumed: true });
    expect(calls).toBe(3);
    expect(emu.connections).toHaveLength(2);
    expect(events.filter((event) => event.type === 'error')).toEqual([]);
  });

  it('a provider that fails is retried as a failed connection, and the session connects once it recovers', async () => {
    const emu = await emulator();
    const server = tokenServer(emu);
    let calls = 0;
    const session = tokenSession(
      emu,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('token server unreachable');
        return server.mint();
      },
      [],
      { reconnect: NO_WAIT },
    );
    const reconnecting = nextEvent(session, 'reconnecting');
    const connected = session.connect();
    expect(await reconnecting).toMatchObject({
      error: { code: 'TOKEN_PROVIDER_FAILED', reason: 'the token provider failed: token server unreachable', retryable: true },
    });
    await connected;
    expect(calls).toBe(2);
    expect(session.state).toBe('streaming');
  });

  it('a provider that returns something other than a token (an API key, say) closes the session at once', async () => {
    const emu = await emulator();
    const session = tokenSession(emu, () => 'AIzaSyNotATokenButAKey-0123456789012345');
    const failure = await session.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(LiveSessionError);
    expect(failure).toMatchObject({ code: 'TOKEN_INVALID', retryable: false });
    expect(String((failure as Error).message)).not.toContain('AIza');
    expect(emu.connections).toHaveLength(0);
  });
});
