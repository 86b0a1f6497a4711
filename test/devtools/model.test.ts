import { describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { createInspectorModel, type InspectorUpdate } from '../../src/devtools/index.js';
import { connectedSession, deferred, FRAME, isToolResponse } from '../helpers.js';

/** A session over the scripted transport, watched by an inspector model. */
async function inspected(options: Parameters<typeof connectedSession>[0] = {}) {
  const updates: InspectorUpdate[] = [];
  const model = createInspectorModel({ onUpdate: (update) => updates.push(update) });
  const h = await connectedSession({ ...options, inspect: model.inspect, inspectFrames: true });
  return { ...h, model, updates };
}

describe('the inspector model', () => {
  it('follows the state, the gate, pending calls and input marks through a tool call', async () => {
    const result = deferred<{ tempC: number }>();
    const h = await inspected({ tools: [defineTool({ name: 'get_weather', execute: () => result.promise })] });
    expect(h.model.view()).toMatchObject({ state: 'streaming', gate: 'open', input: 'forwarded', status: 'active' });
    expect(h.model.view().activeIds).toEqual(['session', 'session.streaming']);

    h.session.sendAudio(FRAME);
    h.session.sendAudio(FRAME);
    h.server.toolCall([{ id: 'c1', name: 'get_weather', args: { city: 'Paris' } }]);
    const gated = h.model.view();
    expect(gated).toMatchObject({ state: 'awaitingToolResponse', gate: 'closed', input: 'dropped (gated)' });
    expect(gated.pending).toEqual([
      { key: 'c1', id: 'c1', name: 'get_weather', blocking: true, answered: false, since: expect.any(Number) },
    ]);
    expect(gated.gatedSince).toEqual(expect.any(Number));

    h.session.sendAudio(FRAME);
    h.session.sendAudio(FRAME);
    h.session.sendAudio(FRAME);
    result.resolve({ tempC: 21 });
    await h.server.waitForFrame(isToolResponse);
    h.session.sendAudio(FRAME);

    const lines = h.model.timeline().map((e) => [e.type, e.count, e.mark ?? '', e.reason ?? '', e.to ?? '']);
    expect(lines).toEqual([
      ['xstate.init', 1, '', '', ''],
      ['CONNECT', 1, '', '', 'idle.connecting'],
      ['server.setupComplete', 1, '', '', 'streaming'],
      ['input.audio', 2, 'forwarded', '', ''],
      ['server.toolCall', 1, '', '', 'awaitingToolResponse'],
      ['input.audio', 3, 'dropped', 'gated', ''],
      ['tool.result', 1, '', '', 'streaming'],
      ['input.audio', 1, 'forwarded', '', ''],
    ]);
    const toolCall = h.model.timeline().find((e) => e.type === 'server.toolCall');
    expect(toolCall?.detail).toBe('get_weather({"city":"Paris"}) [c1]');
    expect(toolCall?.from).toBe('streaming');
    expect(h.model.view()).toMatchObject({ state: 'streaming', gate: 'open', pending: [] });
    expect(h.model.view().counters?.forwarded.audio).toBe(3);
    expect(h.model.view().counters?.dropped.gated).toBe(3);
    expect(h.model.view().lastTransition).toMatchObject({ from: 'awaitingToolResponse', to: 'streaming', event: 'tool.result' });

    await h.session.close();
    expect(h.model.view()).toMatchObject({ state: 'closed', status: 'done', closedBy: { by: 'client' } });
  });

  it('marks buffered input and the deferred activityEnd', async () => {
    const result = deferred<{ ok: boolean }>();
    const h = await inspected({
      tools: [defineTool({ name: 'slow', execute: () => result.promise })],
      inputWhileGated: { buffer: { maxMs: 1000 } },
    });
    h.server.toolCall([{ id: 'c1', name: 'slow', args: {} }]);
    expect(h.model.view().input).toBe('buffered (up to 1000 ms)');
    h.session.sendAudio(FRAME);
    expect(h.model.timeline().at(-1)).toMatchObject({ type: 'input.audio', mark: 'buffered' });
    result.resolve({ ok: true });
    await h.server.waitForFrame(isToolResponse);
    await h.session.close();
  });

  it('starts afresh when another session is inspected with it, and keeps a bounded timeline', async () => {
    const model = createInspectorModel({ maxEntries: 3 });
    const first = await connectedSession({ inspect: model.inspect, inspectFrames: true });
    const firstId = model.view().sessionId;
    for (let i = 0; i < 3; i += 1) {
      first.session.sendText(`hello ${i}`);
    }
    // Texts differ, so each is its own line; only the last three are kept.
    expect(model.timeline().map((e) => e.detail)).toEqual(['"hello 0"', '"hello 1"', '"hello 2"']);
    await first.session.close();
    const second = await connectedSession({ inspect: model.inspect, inspectFrames: true });
    expect(model.view().session).toBe(2);
    expect(firstId).toBeDefined();
    expect(model.view().state).toBe('streaming');
    expect(model.timeline()[0]?.type).toBe('xstate.init');
    await second.session.close();
  });

  it('never lets a bad inspection event reach the session', () => {
    const model = createInspectorModel();
    const weird = {
      type: '@xstate.snapshot',
      rootId: 'x',
      actorRef: { sessionId: 'x' },
      event: { type: 'input.audio' },
      snapshot: {
        value: 'streaming',
        get context(): never {
          throw new Error('boom');
        },
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(() => model.inspect(weird as never)).not.toThrow();
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
  });
});
