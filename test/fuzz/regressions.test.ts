/**
 * Defects the fuzzers found, each pinned by the smallest case that showed it.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defineTool, type LiveSession } from '../../src/index.js';
import { SessionClosedError } from '../../src/protocol/index.js';
import { parseDuration, toServerEvents } from '../../src/adapters/serverMessages.js';
import { connectedSession, FRAME, isToolResponse } from '../helpers.js';

describe('found by fuzzing', () => {
  // Shrunk counterexample: a toolCall whose tool closes the session from inside execute (a
  // hang-up tool), and a `gate` listener that streams audio. The CLOSE waited in the machine's
  // mailbox behind the toolCall, the audio waited behind the CLOSE, and XState discards what is
  // still queued once the session is done: the audio was neither sent nor counted (I4).
  it('counts inputs handed over after a close() made from inside a tool as dropped, not lost', async () => {
    const app: { session?: LiveSession } = {};
    const hangUp = defineTool({
      name: 'hang_up',
      execute: () => {
        void app.session?.close();
        return { ok: true };
      },
    });
    const h = await connectedSession({ tools: [hangUp] });
    app.session = h.session;
    h.session.on('gate', () => h.session.sendAudio(FRAME));
    h.server.toolCall([{ id: 'bye', name: 'hang_up', args: {} }]);

    expect(h.session.state).toBe('closed');
    const m = h.session.metrics();
    expect(m.received.audio).toBe(1);
    expect(m.dropped.closed).toBe(1);
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred);
    expect(h.server.frames).toEqual([]);
  });

  it('treats the session as closed from the moment close() is called inside a listener', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => new Promise(() => undefined) })] });
    const errors: unknown[] = [];
    h.session.on('error', ({ error }) => errors.push(error));
    const source = Readable.from([FRAME]);
    let connecting: Promise<void> | undefined;
    h.session.on('toolCall', () => {
      void h.session.close();
      h.session.activityStart();
      h.session.attachMic(source);
      connecting = h.session.connect();
    });
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);

    expect(h.session.state).toBe('closed');
    await expect(connecting).rejects.toBeInstanceOf(SessionClosedError);
    expect(errors.map((error) => (error as SessionClosedError).reason)).toEqual([
      'send activityStart after the session closed',
      'attachMic after the session closed',
    ]);
    expect(h.session.metrics()).toMatchObject({ totalReceived: 1, totalDropped: 1 });
    expect(source.readableFlowing).toBeNull();
  });

  // Shrunk counterexample: {"goAway":{"timeLeft":{"nanos":{"toString":1,"valueOf":1}}}}. Number()
  // of that object throws, so the whole message failed to decode: a toolCall beside it was lost,
  // the gate never closed and the call was never answered (I1, I2).
  it('decodes a toolCall beside a goAway whose timeLeft no number can be made of', async () => {
    const odd: unknown = JSON.parse('{"toString":1,"valueOf":1}');
    expect(toServerEvents({ goAway: { timeLeft: { seconds: odd, nanos: odd } } }, 1)).toEqual([
      { type: 'server.goAway', generation: 1, timeLeftMs: undefined },
    ]);

    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => 'done' })] });
    h.server.send({ toolCall: { functionCalls: [{ id: 'c', name: 'f', args: {} }] }, goAway: { timeLeft: { seconds: odd } } });
    expect(h.session.state).toBe('awaitingToolResponse');
    expect(await h.server.waitForFrame(isToolResponse)).toEqual({
      type: 'toolResponse',
      responses: [{ id: 'c', name: 'f', response: { output: 'done' } }],
    });
    expect(h.of('goAway')).toEqual([{ type: 'goAway', timeLeftMs: undefined }]);
  });

  // Shrunk counterexample: server.toolCall(hang), then server.cancel(#0,#0): a cancellation that
  // lists the same id twice. The second time the id was no longer pending, the cancellation read
  // a call that was not there, and the session actor failed (I6).
  it('survives a cancellation that lists the same id twice', async () => {
    let signal: AbortSignal | undefined;
    const h = await connectedSession({
      tools: [
        defineTool({
          name: 'f',
          execute: (_args, context) => {
            signal = context.signal;
            return new Promise(() => undefined);
          },
        }),
      ],
    });
    h.server.toolCall([{ id: 'c', name: 'f', args: {} }]);
    h.server.cancel(['c', 'c']);

    expect(h.session.actor.getSnapshot().status).toBe('active');
    expect(h.session.state).toBe('streaming');
    expect(signal?.aborted).toBe(true);
    expect(h.of('toolCancelled')).toEqual([{ type: 'toolCancelled', ids: ['c'] }]);
    expect(h.session.metrics().toolCancellations).toBe(1);
    h.session.sendAudio(FRAME);
    expect(h.server.frames.map(({ frame }) => frame.type)).toEqual(['realtimeInput']);
  });

  // Shrunk counterexample: {"goAway":{"timeLeft":{"seconds":1.797693134862316e+305}}}. The time
  // left overflowed to Infinity milliseconds and reached the application as `timeLeftMs: Infinity`.
  it('reads a goAway whose time left overflows as an unknown time left', () => {
    expect(parseDuration({ seconds: 1.797693134862316e305 })).toBeUndefined();
    expect(parseDuration(`${'9'.repeat(400)}s`)).toBeUndefined();
    expect(parseDuration({ seconds: '50', nanos: 5e8 })).toBe(50_500);
    expect(parseDuration('1.5s')).toBe(1_500);
  });
});
