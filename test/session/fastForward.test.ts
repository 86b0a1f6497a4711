import { describe, expect, it, vi } from 'vitest';
import { FAST_FORWARD_EVENTS, FastLane } from '../../src/session/fastLane.js';
import { FRAME, connectedSession, sentKinds } from '../helpers.js';

describe('the fast path of a streaming session', () => {
  it('applies to exactly the inputs whose only transition in streaming is forward and count', () => {
    expect([...FAST_FORWARD_EVENTS].sort()).toEqual(['input.audio', 'input.audioStreamEnd', 'input.text', 'input.video']);
  });

  it('forwards frames without sending the machine an event while it is at rest in streaming', async () => {
    const { session, server } = await connectedSession();
    const send = vi.spyOn(session.actor, 'send');
    session.sendAudio(FRAME);
    session.sendText('hi');
    session.activityStart();
    expect(sentKinds(server)).toEqual(['audio', 'text', 'activityStart']);
    // Only the activity bracket, which has a guard, went through the machine.
    expect(send.mock.calls.map(([event]) => event.type)).toEqual(['input.activityStart']);
    expect(session.metrics().forwarded).toMatchObject({ audio: 1, text: 1, activityStart: 1 });
  });

  it("takes a mic's frames the same way", async () => {
    const { session, server } = await connectedSession();
    const transition = vi.spyOn(session.actor.logic, 'transition');
    async function* mic() {
      for (let i = 0; i < 3; i += 1) yield new Uint8Array(640);
    }
    session.attachMic(mic());
    await vi.waitFor(() => expect(sentKinds(server)).toEqual(['audio', 'audio', 'audio']));
    const events = transition.mock.calls.map(([, event]) => (event as { type: string }).type);
    expect(events).toContain('mic.attach');
    expect(events).not.toContain('input.audio');
    expect(session.metrics().forwarded.audio).toBe(3);
    transition.mockRestore();
  });

  it('sends every frame through the machine while the gate is closed', async () => {
    const { session, server, of } = await connectedSession();
    const send = vi.spyOn(session.actor, 'send');
    server.toolCall([{ id: 'c1', name: 'slow', args: {} }]);
    expect(session.state).toBe('awaitingToolResponse');
    session.sendAudio(FRAME);
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ type: 'input.audio' }));
    expect(of('inputDropped')).toEqual([{ type: 'inputDropped', kind: 'audio', reason: 'gated' }]);
    expect(server.violations).toEqual([]);
  });

  it('queues a frame sent from inside a transition behind the toolCall the machine has yet to process', async () => {
    const { session, server, of } = await connectedSession();
    // The listener runs while the machine handles serverContent; the toolCall it provokes waits
    // in the machine's queue, so the frame must wait behind it and meet a closed gate.
    session.on('turnComplete', () => {
      server.toolCall([{ id: 'c1', name: 'slow', args: {} }]);
      session.sendAudio(FRAME);
    });
    server.send({ serverContent: { turnComplete: true } });
    expect(session.state).toBe('awaitingToolResponse');
    expect(sentKinds(server)).toEqual([]);
    expect(server.violations).toEqual([]);
    expect(of('inputDropped')).toEqual([{ type: 'inputDropped', kind: 'audio', reason: 'gated' }]);
    const metrics = session.metrics();
    expect(metrics.totalReceived).toBe(metrics.totalForwarded + metrics.totalDropped + metrics.deferred + metrics.buffered);
  });

  it('lets every frame reach the machine while something inspects it, and stops once it detaches', async () => {
    const { session } = await connectedSession();
    const seen: string[] = [];
    const subscription = session.actor.system.inspect((inspection) => {
      if (inspection.type === '@xstate.event') seen.push(inspection.event.type);
    });
    session.sendAudio(FRAME);
    expect(seen).toContain('input.audio');
    subscription.unsubscribe();
    const send = vi.spyOn(session.actor, 'send');
    session.sendAudio(FRAME);
    expect(send).not.toHaveBeenCalled();
    expect(session.metrics().forwarded.audio).toBe(2);
  });

  it('reports a failed send as the machine path does', async () => {
    const { session, server, of } = await connectedSession();
    server.failSends(new Error('socket gone'));
    session.sendAudio(FRAME);
    await vi.waitFor(() => expect(of('error').map((event) => event.error.code)).toContain('SEND_FAILED'));
  });
});

describe('FastLane', () => {
  it('forwards nothing for an actor whose internals it does not know', () => {
    const actor = {
      getSnapshot: () => ({ value: 'streaming', context: { generation: 1 } }),
      subscribe: () => ({ unsubscribe: () => undefined }),
      system: { inspect: () => ({ unsubscribe: () => undefined }) },
    };
    const counters = { audio: 0, video: 0, text: 0, activityStart: 0, activityEnd: 0, audioStreamEnd: 0 };
    const lane = new FastLane(actor as never, counters);
    const wire = { send: vi.fn(), sendAudioFrame: vi.fn(), failed: vi.fn() };
    lane.announce(1, wire);
    expect(lane.forwardAudio(FRAME)).toBe(false);
    expect(lane.forward({ type: 'input.text', text: 'hi' })).toBe(false);
    expect(wire.sendAudioFrame).not.toHaveBeenCalled();
    expect(counters.audio).toBe(0);
  });
});
