import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { connectReduxDevTools, type ReduxDevToolsExtension } from '../../src/devtools/index.js';
import { connectedSession, deferred, FRAME, isToolResponse } from '../helpers.js';

/** A stand-in for the browser extension that records what it is sent. */
function fakeExtension() {
  const sent: { action: { type: string; [key: string]: unknown }; state: { value: unknown; context: Record<string, unknown> } }[] = [];
  const inits: unknown[] = [];
  const names: (string | undefined)[] = [];
  let unsubscribed = false;
  const extension: ReduxDevToolsExtension = {
    connect: (options) => {
      names.push(options?.name);
      return {
        init: (state) => inits.push(state),
        send: (action, state) => sent.push({ action, state: state as (typeof sent)[number]['state'] }),
        unsubscribe: () => (unsubscribed = true),
      };
    },
  };
  return { extension, sent, inits, names, unsubscribed: () => unsubscribed };
}

afterEach(() => {
  vi.restoreAllMocks();
  delete (globalThis as { __REDUX_DEVTOOLS_EXTENSION__?: unknown }).__REDUX_DEVTOOLS_EXTENSION__;
});

describe('connectReduxDevTools', () => {
  it('sends each transition as an action with the state it led to, audio bytes left out', async () => {
    const fake = fakeExtension();
    const result = deferred<{ tempC: number }>();
    const h = await connectedSession({ tools: [defineTool({ name: 'get_weather', execute: () => result.promise })] });
    const handle = connectReduxDevTools(h.session, { name: 'agent', extension: fake.extension });
    expect(handle.connected).toBe(true);
    expect(fake.names).toEqual(['agent']);
    expect(fake.inits).toEqual([expect.objectContaining({ value: 'streaming', status: 'active' })]);

    h.session.sendAudio(FRAME); // a media frame that changes nothing: not sent by default
    h.server.toolCall([{ id: 'c1', name: 'get_weather', args: {} }]);
    h.session.sendText('hi');
    result.resolve({ tempC: 21 });
    await h.server.waitForFrame(isToolResponse);

    const types = fake.sent.map((s) => s.action.type);
    expect(types.slice(0, 3)).toEqual(['server.toolCall', 'input.text', 'tool.result']);
    expect(types).not.toContain('input.audio');
    const toolCall = fake.sent[0];
    expect(toolCall?.state.value).toBe('awaitingToolResponse');
    expect(toolCall?.state.context['pending']).toEqual({
      c1: { key: 'c1', id: 'c1', name: 'get_weather', args: {}, generation: 1, batch: 1, blocking: true },
    });
    expect(fake.sent[2]?.state.value).toBe('streaming');
    // Everything sent is plain JSON.
    for (const { action, state } of fake.sent) expect(JSON.parse(JSON.stringify({ action, state }))).toEqual({ action, state });

    handle.disconnect();
    expect(fake.unsubscribed()).toBe(true);
    const count = fake.sent.length;
    h.session.sendText('after disconnect');
    expect(fake.sent.length).toBe(count);
    await h.session.close();
  });

  it('can send media frames too, sanitised', async () => {
    const fake = fakeExtension();
    const h = await connectedSession();
    connectReduxDevTools(h.session, { extension: fake.extension, includeMediaFrames: true });
    h.session.sendAudio(FRAME);
    expect(fake.sent[0]?.action).toEqual({ type: 'input.audio', data: '[Uint8Array 640 bytes]', mimeType: 'audio/pcm;rate=16000' });
    expect((fake.sent[0]?.state.context['counters'] as { forwarded: { audio: number } }).forwarded.audio).toBe(1);
    await h.session.close();
  });

  it('finds the extension on the global object', async () => {
    const fake = fakeExtension();
    (globalThis as { __REDUX_DEVTOOLS_EXTENSION__?: unknown }).__REDUX_DEVTOOLS_EXTENSION__ = fake.extension;
    const h = await connectedSession();
    connectReduxDevTools(h.session);
    await h.session.close();
    expect(fake.names).toEqual(['gemini-live-fsm']);
    expect(fake.sent.at(-1)).toMatchObject({ action: { type: 'CLOSE' }, state: { value: 'closed', status: 'done' } });
  });

  it('warns and does nothing without the extension', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const h = await connectedSession();
    const handle = connectReduxDevTools(h.session);
    expect(handle.connected).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redux DevTools extension is not installed'));
    handle.disconnect();
    await h.session.close();
  });

  it('never lets a failing extension break the session', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const extension: ReduxDevToolsExtension = {
      connect: () => ({
        init: () => undefined,
        send: () => {
          throw new Error('extension gone');
        },
      }),
    };
    const h = await connectedSession();
    connectReduxDevTools(h.session, { extension });
    h.session.sendText('still works');
    expect(h.session.metrics().forwarded.text).toBe(1);
    expect(warn).toHaveBeenCalled();
    await h.session.close();
  });
});
