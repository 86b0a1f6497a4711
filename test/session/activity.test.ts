import { describe, expect, it } from 'vitest';
import { defineTool } from '../../src/index.js';
import { connectedSession, deferred, FRAME, isToolResponse, sentKinds } from '../helpers.js';

describe('I5: the activity bracket', () => {
  it('defers an activityEnd that arrives while gated and sends it right after the toolResponse', async () => {
    const result = deferred<string>();
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => result.promise })] });
    h.session.activityStart();
    h.session.sendAudio(FRAME);
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.sendAudio(FRAME);
    h.session.activityEnd();
    expect(sentKinds(h.server)).toEqual(['activityStart', 'audio']);
    expect(h.session.metrics().deferred).toBe(1);

    result.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    expect(sentKinds(h.server)).toEqual(['activityStart', 'audio', 'toolResponse', 'activityEnd']);
    expect(h.session.metrics().deferred).toBe(0);
    expect(h.server.violations).toEqual([]);

    // The bracket is closed: a second end has no start.
    h.session.activityEnd();
    expect(sentKinds(h.server)).toHaveLength(4);
    expect(h.of('inputDropped').at(-1)).toEqual({ type: 'inputDropped', kind: 'activityEnd', reason: 'noOpenActivity' });
  });

  it('never sends an activityEnd without a start', async () => {
    const h = await connectedSession();
    h.session.activityEnd();
    expect(h.server.frames).toEqual([]);
    expect(h.session.metrics().dropped.noOpenActivity).toBe(1);
  });

  it('drops a second activityStart while one is open, so that one end closes the bracket', async () => {
    const h = await connectedSession();
    h.session.activityStart();
    h.session.activityStart();
    h.session.activityEnd();
    expect(sentKinds(h.server)).toEqual(['activityStart', 'activityEnd']);
    expect(h.session.metrics().dropped.activityAlreadyOpen).toBe(1);
  });

  it('sends one deferred activityEnd only, however many arrive while gated', async () => {
    const result = deferred<string>();
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => result.promise })] });
    h.session.activityStart();
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.activityEnd();
    h.session.activityEnd();
    result.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    expect(sentKinds(h.server)).toEqual(['activityStart', 'toolResponse', 'activityEnd']);
  });

  it('does not send a deferred activityEnd when the session closes while gated, and counts it dropped', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => new Promise(() => undefined) })] });
    h.session.activityStart();
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.activityEnd();
    await h.session.close();
    expect(sentKinds(h.server)).toEqual(['activityStart']);
    const m = h.session.metrics();
    expect(m.deferred).toBe(0);
    expect(m.dropped.closed).toBe(1);
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped);
  });
});
