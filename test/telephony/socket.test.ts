/**
 * The adapter on a socket of the browser's shape (`addEventListener`, as undici's and Deno's
 * WebSockets are too), with text that arrives as strings, Buffers, ArrayBuffers or fragments.
 */
import { describe, expect, it } from 'vitest';
import { connectTwilioCall, type CallSession, type DomStyleSocket } from '../../src/telephony/index.js';

/** A socket of the DOM shape that the test feeds, and the session side it talks to. */
function domSocket() {
  const target = new EventTarget();
  const sent: string[] = [];
  const listeners = new Map<(event: { data?: unknown }) => void, EventListener>();
  const socket: DomStyleSocket = {
    send: (data) => sent.push(data),
    close: () => target.dispatchEvent(new Event('close')),
    addEventListener(type, listener) {
      const wrapped: EventListener = (event) => listener(event as MessageEvent);
      listeners.set(listener, wrapped);
      target.addEventListener(type, wrapped);
    },
    removeEventListener(type, listener) {
      const wrapped = listeners.get(listener);
      if (wrapped) target.removeEventListener(type, wrapped);
    },
  };
  const deliver = (data: unknown) => target.dispatchEvent(new MessageEvent('message', { data }));
  return { socket, sent, deliver };
}

describe('connectTwilioCall on a DOM-style socket', () => {
  it('reads text in any of its forms, forwards the audio, and unwires on close', async () => {
    const { socket, deliver } = domSocket();
    const audio: Uint8Array[] = [];
    const session: CallSession = { on: () => () => undefined, sendAudio: (pcm) => audio.push(pcm) };
    const call = connectTwilioCall(socket, session, { onError: (error) => expect.fail(error.message) });
    const start = { event: 'start', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid: 'CA1', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } };
    deliver(JSON.stringify(start));
    const media = JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: '20', payload: Buffer.alloc(160, 0xff).toString('base64') } });
    deliver(media);
    deliver(Buffer.from(media));
    deliver(new TextEncoder().encode(media).buffer);
    deliver([Buffer.from(media.slice(0, 30)), Buffer.from(media.slice(30))]);
    expect(call.stats().inboundFrames).toBe(4);
    expect(audio.length).toBe(4);
    socket.close();
    expect(await call.ended).toEqual({ reason: 'socketClosed' });
    deliver(media);
    expect(call.stats().inboundFrames).toBe(4);
  });

  it('detach() unwires the call from the session and the socket, and leaves the socket open', async () => {
    const { socket, deliver, sent } = domSocket();
    const offs: string[] = [];
    const session: CallSession = { on: (type) => () => offs.push(type), sendAudio: () => undefined };
    const call = connectTwilioCall(socket, session);
    deliver(JSON.stringify({ event: 'start', start: { streamSid: 'MZ2', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
    call.detach();
    call.detach();
    expect(await call.ended).toEqual({ reason: 'detached' });
    expect(offs.sort()).toEqual(['audio', 'interrupted', 'turnComplete']);
    deliver(JSON.stringify({ event: 'dtmf', dtmf: { digit: '1' } }));
    expect(sent).toEqual([]);
  });
});
