/**
 * Adversarial scenarios through the real SDK against the strict emulator: the tool-call defects an
 * independent run found (issue 11), each pinned. Every test's name says the bug it pins.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { nextEvent } from '../../helpers.js';
import { emulator, fsmSession, SDK_VERSION } from '../sdk.js';
import { watchUnhandled } from './unhandled.js';

const unhandled = watchUnhandled();

afterEach(() => {
  vi.useRealTimers();
});

describe(`tool calls under attack (SDK ${SDK_VERSION})`, () => {
  /**
   * The bug: after a goAway the session opened a new connection; a toolCall that came on the old
   * one (still open) while the new setup was pending was ignored as stale, never answered, never
   * counted, and the old socket was closed with it pending.
   */
  it('answers a toolCall that comes on the old connection while the new one is opening', async () => {
    const emu = await emulator({ holdSetup: (connection) => connection.id === 2 });
    // A model whose old connection stays open while the new one opens (the default closes it first).
    const session = fsmSession(emu, [defineTool({ name: 'lookup', execute: async () => ({ found: true }) })], {
      reconnect: { baseDelayMs: 0 },
      modelProfile: { closeBeforeResume: false },
    });
    const first = emu.nextConnection();
    await session.connect();
    const old = await first;
    const second = emu.nextConnection();
    old.sendGoAway('30s');
    const fresh = await second;
    await vi.waitFor(() => expect(fresh.isSetupHeld).toBe(true));

    const answered = nextEvent(session, 'toolResult');
    const [id] = old.sendToolCall([{ name: 'lookup', args: {} }]);
    await answered;
    expect((await old.waitForToolResponse()).functionResponses).toEqual([{ id, name: 'lookup', response: { output: { found: true } } }]);
    expect(session.metrics()).toMatchObject({ toolCalls: 1, toolCallsAnswered: 1, toolCallsLost: 0 });

    const reconnected = nextEvent(session, 'reconnected');
    fresh.completeSetup();
    await reconnected;
    // The old connection is let go once nothing waits on it; nothing was refused anywhere.
    expect((await old.closed).by).toBe('client');
    expect(session.state).toBe('streaming');
    expect(emu.stats.violations1008).toBe(0);
    expect(session.gateViolations).toEqual([]);
  });

  /**
   * By default the old connection is closed before the new one's setup goes out (a resume sent
   * while the old socket was still open got 1011): no toolCall can come on it then.
   */
  it('closes the old connection before the new setup after a goAway, by default', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, [], { reconnect: { baseDelayMs: 0 } });
    const first = emu.nextConnection();
    await session.connect();
    const old = await first;
    let oldClosedAt = Number.POSITIVE_INFINITY;
    void old.closed.then(() => (oldClosedAt = performance.now()));
    const second = emu.nextConnection();
    old.sendGoAway('30s');
    const fresh = await second;
    await fresh.waitForMessage((message) => message.setup !== undefined);
    const setupAt = fresh.frames[0]?.at ?? 0;
    expect((await old.closed).by).toBe('client');
    expect(oldClosedAt).toBeLessThanOrEqual(setupAt);
  });

  /**
   * The bug: the executor sent a result before marking the call settled; the machine then stopped
   * the executor, whose cleanup aborted every call it still thought was running, so the signal of
   * every single-call toolCall fired 0.4 to 4 ms after it had succeeded.
   */
  it('never fires the signal of a call that succeeded, even once the session closes', async () => {
    const emu = await emulator();
    const signals: AbortSignal[] = [];
    const session = fsmSession(emu, [
      defineTool({
        name: 'refund',
        execute: async (_args, { signal }) => {
          signals.push(signal);
          return { refunded: true };
        },
      }),
    ]);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    conn.sendToolCall([{ name: 'refund', args: {} }]);
    await conn.waitForToolResponse();
    await vi.waitFor(() => expect(session.state).toBe('streaming'));
    await session.close();
    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(false);
  });

  /**
   * The bug: the executor's promise could reject and nothing handled it: validating against a
   * parameter schema whose `type` is an array threw, and so did describing a thrown value that can
   * be neither serialized nor stringified. The call was never answered, the gate stuck for good.
   */
  it('answers a call whose schema or thrown value breaks the executor, and the gate reopens', async () => {
    const emu = await emulator();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const session = fsmSession(emu, [
      defineTool({
        name: 'nullable',
        // JSON Schema's nullable form, which the SDK turns into anyOf: any app may write it.
        parameters: { type: 'object', properties: { note: { type: ['string', 'null'] as unknown as string } } },
        execute: () => 'ok',
      }),
      defineTool({
        name: 'hostile',
        execute: () => {
          // A revoked proxy: `instanceof`, JSON.stringify and String() all throw on it.
          throw proxy;
        },
      }),
    ]);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    conn.sendToolCall([
      { name: 'nullable', args: { note: null } },
      { name: 'hostile', args: {} },
    ]);
    const { functionResponses } = await conn.waitForToolResponse();
    expect(functionResponses).toHaveLength(2);
    expect(functionResponses[1]?.response).toEqual({ error: expect.stringContaining('unprintable') });
    await vi.waitFor(() => expect(session.state).toBe('streaming'));
    expect(unhandled()).toEqual([]);
  });

  /**
   * The bug: after a goAway the session waited for "no calls pending", which counted NON_BLOCKING
   * calls, and no timer moved it before the deadline: the server closed the connection (1011 on
   * the real service) and a reconnect attempt was spent.
   */
  it('leaves a goAway connection in time with a NON_BLOCKING call still running', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, [
      defineTool({ name: 'background', behavior: 'NON_BLOCKING', timeoutMs: 60_000, execute: () => new Promise(() => undefined) }),
    ]);
    const first = emu.nextConnection();
    await session.connect();
    const old = await first;
    old.sendToolCall([{ name: 'background', args: {} }]);
    await nextEvent(session, 'toolCall');
    const second = emu.nextConnection();
    const reconnecting = nextEvent(session, 'reconnecting');
    old.sendGoAway('2s');
    expect((await reconnecting).cause).toBe('goAway');
    const fresh = await second;
    await nextEvent(session, 'reconnected');
    // The new connection was set up while the old one was still open: before its deadline.
    expect(fresh.setup).toBeDefined();
    const closed = await old.closed;
    expect(closed.by === 'client' || closed.code === 1001).toBe(true);
    expect(session.actor.getSnapshot().context.reconnectAttempts).toBe(0);
    expect(session.state).toBe('streaming');
    expect(emu.stats.violations1008).toBe(0);
  });

  /**
   * The bug: push-to-talk across a tool call. The user released during the gate, pressed again
   * during the gate and released after it: the server saw start, end, and nothing more (the
   * second start was dropped as gated, its release as "no open activity").
   */
  it('keeps a push-to-talk bracket pressed and released across a tool call', async () => {
    const emu = await emulator();
    let finish: (value: string) => void = () => undefined;
    const session = fsmSession(emu, [defineTool({ name: 'slow', execute: () => new Promise<string>((resolve) => (finish = resolve)) })], {
      config: { realtimeInputConfig: { automaticActivityDetection: { disabled: true } } },
    });
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    session.activityStart();
    session.sendAudio(new Uint8Array(640));
    // The toolCall leaves the server after the audio reached it (the emulator has no grace window).
    await conn.waitForMessage((message) => message.realtimeInput?.audio !== undefined);
    conn.sendToolCall([{ name: 'slow', args: {} }]);
    await nextEvent(session, 'gate', (event) => event.state === 'closed');
    session.activityEnd(); // released during the gate
    session.activityStart(); // pressed again during the gate
    const reopened = nextEvent(session, 'gate', (event) => event.state === 'opened');
    finish('done');
    await reopened;
    session.sendAudio(new Uint8Array(640));
    session.activityEnd(); // released after the gate
    const order = () =>
      conn.frames.flatMap(({ message }) => {
        const input = message?.realtimeInput;
        if (input?.activityStart) return ['start'];
        if (input?.activityEnd) return ['end'];
        return message?.toolResponse ? ['toolResponse'] : [];
      });
    await vi.waitFor(() => expect(order()).toEqual(['start', 'toolResponse', 'end', 'start', 'end']));
    expect(emu.stats.violations1008).toBe(0);
  });
});
