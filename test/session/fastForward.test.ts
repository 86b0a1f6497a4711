import { describe, expect, it, vi } from 'vitest';
import { sessionMachine } from '../../src/machines/session.machine.js';
import { FastLane, LANE_EVENTS } from '../../src/session/fastLane.js';
import { FRAME, connectedSession, sentKinds } from '../helpers.js';

/**
 * The input events whose transition in `streaming` is the unguarded, targetless forward and count,
 * once nothing is left in the buffer (its first branch, `holdsBufferedInput`, never holds at rest:
 * the replay is done within the step that entered streaming).
 */
function plainForwardsOfTheChart(): string[] {
  const streaming = sessionMachine.states.streaming;
  if (!streaming) throw new Error('no streaming state');
  const names = (transition: { actions: readonly unknown[] }) =>
    transition.actions.map((action) => (typeof action === 'string' ? action : (action as { type?: string }).type));
  const guardOf = (transition: { guard?: unknown }) => (transition.guard as { type?: string } | undefined)?.type ?? transition.guard;
  return [...streaming.transitions.entries()]
    .filter(([type, transitions]) => {
      if (!type.startsWith('input.') || transitions.length !== 2) return false;
      const [behind, plain] = transitions;
      return (
        behind !== undefined &&
        plain !== undefined &&
        guardOf(behind) === 'holdsBufferedInput' &&
        plain.guard === undefined &&
        plain.target === undefined &&
        JSON.stringify(names(plain)) === JSON.stringify(['forwardInput', 'countForwarded'])
      );
    })
    .map(([type]) => type)
    .sort();
}

describe('the fast path of a streaming session', () => {
  it('applies to exactly the inputs whose only transition in streaming is forward and count', () => {
    expect([...LANE_EVENTS].sort()).toEqual(['input.audio', 'input.audioStreamEnd', 'input.text', 'input.video']);
    expect([...LANE_EVENTS].sort()).toEqual(plainForwardsOfTheChart());
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

  it('lets every frame reach the machine while an inspector opts in, and stops once it lets go', async () => {
    const { session } = await connectedSession();
    const seen: string[] = [];
    session.actor.system.inspect((inspection) => {
      if (inspection.type === '@xstate.event') seen.push(inspection.event.type);
    });
    // Inspecting alone changes nothing: XState is not patched, and frames keep the lane.
    session.sendAudio(FRAME);
    expect(seen).not.toContain('input.audio');
    const release = session.observeEveryFrame();
    session.sendAudio(FRAME);
    expect(seen).toContain('input.audio');
    release();
    const send = vi.spyOn(session.actor, 'send');
    session.sendAudio(FRAME);
    expect(send).not.toHaveBeenCalled();
    expect(session.metrics().forwarded.audio).toBe(3);
  });

  it('reports a failed send as the machine path does', async () => {
    const { session, server, of } = await connectedSession();
    server.failSends(new Error('socket gone'));
    session.sendAudio(FRAME);
    await vi.waitFor(() => expect(of('error').map((event) => event.error.code)).toContain('SEND_FAILED'));
  });
});

describe('FastLane', () => {
  const lane = () => {
    const fast = new FastLane();
    const wire = { send: vi.fn(), sendAudioFrame: vi.fn(), failed: vi.fn() };
    return { fast, wire };
  };

  it('is open only while the chart holds it open for the connection that has a wire', () => {
    const { fast, wire } = lane();
    expect(fast.forwardAudio(FRAME)).toBe(false);
    fast.announce(1, wire);
    expect(fast.forwardAudio(FRAME)).toBe(false);
    fast.openFor(2);
    expect(fast.forwardAudio(FRAME)).toBe(false);
    fast.openFor(1);
    expect(fast.forwardAudio(FRAME)).toBe(true);
    fast.shut();
    expect(fast.forwardAudio(FRAME)).toBe(false);
    expect(wire.sendAudioFrame).toHaveBeenCalledTimes(1);
    expect(fast.meter.forwarded.audio).toBe(1);
  });

  it('refuses frames inside a step of the session and while an observer holds it', () => {
    const { fast, wire } = lane();
    fast.announce(1, wire);
    fast.openFor(1);
    fast.enter();
    expect(fast.forward({ type: 'input.text', text: 'hi' })).toBe(false);
    fast.leave();
    const release = fast.observeEveryFrame();
    expect(fast.forwardAudio(FRAME)).toBe(false);
    release();
    release();
    expect(fast.forward({ type: 'input.text', text: 'hi' })).toBe(true);
    expect(fast.forward({ type: 'input.activityStart' })).toBe(false);
    expect(wire.send).toHaveBeenCalledTimes(1);
  });

  it('counts a frame whose send failed as failed, not forwarded, and reports it', () => {
    const { fast, wire } = lane();
    wire.sendAudioFrame.mockImplementation(() => {
      throw new Error('socket gone');
    });
    fast.announce(1, wire);
    fast.openFor(1);
    expect(fast.forwardAudio(FRAME)).toBe(true);
    expect(fast.meter).toMatchObject({ forwarded: { audio: 0 }, sendFailed: { audio: 1 } });
    expect(wire.failed).toHaveBeenCalledWith(expect.objectContaining({ message: 'socket gone' }));
  });
});
