import { describe, expect, it } from 'vitest';
import { FRAME, connectedSession } from '../helpers.js';

describe('counting forwarded input', () => {
  it('metrics() counts every forwarded frame, though the snapshots of an uninspected session do not', async () => {
    const { session } = await connectedSession();
    for (let i = 0; i < 3; i += 1) session.sendAudio(FRAME);
    session.sendText('hi');
    const metrics = session.metrics();
    expect(metrics.forwarded.audio).toBe(3);
    expect(metrics.received.audio).toBe(3);
    expect(metrics.forwarded.text).toBe(1);
    expect(metrics.totalReceived).toBe(metrics.totalForwarded + metrics.totalDropped + metrics.deferred + metrics.buffered);
    expect(session.actor.getSnapshot().context.counters.forwarded.audio).toBe(0);
  });

  it('an inspected session that asks for every frame counts each one in its snapshots too', async () => {
    const { session } = await connectedSession({ inspect: () => undefined, inspectFrames: true });
    for (let i = 0; i < 3; i += 1) session.sendAudio(FRAME);
    expect(session.actor.getSnapshot().context.counters.forwarded.audio).toBe(3);
    expect(session.metrics().forwarded.audio).toBe(3);
    expect(session.metrics().received.audio).toBe(3);
  });

  it('sessions share one machine, each with its own transport', async () => {
    const first = await connectedSession();
    const second = await connectedSession();
    expect(first.session.actor.logic).toBe(second.session.actor.logic);
    first.session.sendAudio(FRAME);
    expect(first.server.frames).toHaveLength(1);
    expect(second.server.frames).toHaveLength(0);
    expect(second.session.metrics().forwarded.audio).toBe(0);
  });
});
