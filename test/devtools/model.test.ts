import { describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { createInspectorModel, describeChart, type InspectorUpdate } from '../../src/devtools/index.js';
import { sessionMachine } from '../../src/machines/index.js';
import { connectedSession, deferred, FRAME, isToolResponse, waitForState } from '../helpers.js';

const chart = describeChart(sessionMachine);

/** The diagram's id of a state's transition on `event` (the first, or the one with `guard`). */
/** The id of `stateId`'s first transition on `event` with `guard` (any guard when undefined, none when null). */
function transition(stateId: string, event: string, guard?: string | null): string {
  const state = [chart, ...chart.states, ...chart.states.flatMap((s) => s.states)].find((s) => s.id === stateId);
  const matches = (t: { guard?: string | undefined }) => guard === undefined || t.guard === (guard ?? undefined);
  const index = state?.transitions.findIndex((t) => t.event === event && matches(t)) ?? -1;
  if (index < 0) throw new Error(`no ${event} in ${stateId}`);
  return `${stateId}#${index}`;
}

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
    // The toolCall is taken at the root; the gate closes by streaming's eventless transition, the
    // arrow the diagram draws from streaming.
    const toolCallArrow = transition('session.streaming', 'always', 'hasBlockingCallsPending');
    expect(gated.lastTransition).toMatchObject({ from: 'streaming', to: 'awaitingToolResponse', event: 'server.toolCall' });
    expect(gated.lastTransition?.ids).toContain(toolCallArrow);
    expect(gated.taken).toContain(toolCallArrow);

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

    // What the last audio frame did: streaming's forward, drawn inside the streaming box.
    expect(h.model.view().taken).toEqual([transition('session.streaming', 'input.audio', null)]);
    // The gate reopened through awaitingToolResponse's eventless transition.
    const reopened = h.model.timeline().find((e) => e.type === 'tool.result');
    expect(reopened?.frame?.lastTransition?.ids).toContain(transition('session.awaitingToolResponse', 'always', 'not hasBlockingCallsPending'));

    // Each line keeps the session as it was right after it: time travel.
    const frames = h.model.timeline().map((e) => e.frame);
    expect(frames[4]).toMatchObject({ state: 'awaitingToolResponse', gate: 'closed', pending: [expect.objectContaining({ key: 'c1' })] });
    expect(frames[3]?.counters?.forwarded.audio).toBe(2);
    expect(frames[5]?.counters?.dropped.gated).toBe(3);
    expect(frames[7]).toMatchObject({ state: 'streaming', gate: 'open', pending: [] });

    await h.session.close();
    const closed = h.model.view();
    expect(closed).toMatchObject({ state: 'closed', status: 'done', gate: 'ended', closedBy: { by: 'client' } });
    expect(closed.ending?.reason).toBe('Closed by the application (close()).');
    expect(closed.ending?.summary).toEqual([
      '6 inputs received: 3 forwarded, 3 dropped (3 while a tool call was pending).',
      '1 tool call: 1 answered with a result, 0 with an error, 0 cancelled; 1 toolResponse sent.',
      expect.stringMatching(/^The gate was closed for \d+\.\d\d s in all\.$/),
      'No reconnects.',
      'No errors.',
    ]);
    expect(h.model.timeline().at(-1)?.frame?.ending).toEqual(closed.ending);
  });

  it('says in words why a session the server closed ended', async () => {
    const h = await inspected({ reconnect: false });
    h.server.serverClose(1008, 'Operation is not implemented, or supported, or enabled.');
    await waitForState(h.session, 'closed');
    expect(h.model.view().ending?.reason).toBe(
      'Closed by the server: 1008 “Operation is not implemented, or supported, or enabled.” (unsupportedOperation).',
    );
    expect(h.model.view().ending?.summary).toContain('1 error reported.');
  });

  it('says in words when reconnecting gave up', async () => {
    const h = await inspected({ reconnect: { maxAttempts: 1, baseDelayMs: 0 }, transport: { open: 'manual' } });
    h.server.serverClose(1011, 'Internal error');
    (await h.transport.nextConnection()).reject(new Error('no route to host'));
    await waitForState(h.session, 'closed');
    expect(h.model.view().ending?.reason).toMatch(/^Gave up reconnecting after 1 failed attempt; the last: .*no route to host/);
  });

  it('shows the tool-call ledger when the machine keeps one, oldest call first', () => {
    const model = createInspectorModel();
    const actorRef = { sessionId: 'x:0' };
    const snapshot = (context: Record<string, unknown>) =>
      ({ type: '@xstate.snapshot', rootId: 'x:0', actorRef, event: { type: 'tool.result' }, snapshot: { value: 'streaming', status: 'active', context } }) as never;
    model.inspect(snapshot({}));
    expect(model.view().ledger).toBeUndefined();
    model.inspect(
      snapshot({
        ledger: {
          b: { key: 'b', name: 'get_headlines', args: { city: 'Paris' }, generation: 1, state: 'running', startedAt: 200 },
          a: { key: 'a', id: 'fc-1', name: 'get_weather', args: { audio: new Uint8Array(4) }, generation: 1, state: 'answered', startedAt: 100, endedAt: 1300 },
          junk: { key: 'junk', state: 'exploded' },
        },
      }),
    );
    expect(model.view().ledger).toEqual([
      { key: 'a', id: 'fc-1', name: 'get_weather', args: { audio: '[Uint8Array 4 bytes]' }, generation: 1, state: 'answered', startedAt: 100, endedAt: 1300 },
      { key: 'b', name: 'get_headlines', args: { city: 'Paris' }, generation: 1, state: 'running', startedAt: 200 },
    ]);
    expect(model.timeline().at(-1)?.frame?.ledger).toHaveLength(2);
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
