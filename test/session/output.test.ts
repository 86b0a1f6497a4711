import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createLiveSession, defineTool } from '../../src/index.js';
import { createStateLogger } from '../../src/devtools/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { connectedSession, FRAME, sentKinds } from '../helpers.js';

describe('what the session tells the application', () => {
  it('emits model audio, text, transcriptions and turn events in order', async () => {
    const h = await connectedSession();
    const audio: number[][] = [];
    h.session.on('audio', ({ data }) => audio.push([...data]));
    h.server.send({
      serverContent: {
        inputTranscription: { text: 'what is the weather' },
        modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AAE=' } }, { text: 'Sunny' }] },
        outputTranscription: { text: 'Sunny' },
      },
    });
    h.server.send({ serverContent: { interrupted: true } });
    h.server.send({ serverContent: { generationComplete: true, turnComplete: true }, usageMetadata: { totalTokenCount: 9 } });
    expect(audio).toEqual([[0, 1]]);
    expect(
      h.emitted.filter((e) => !['connected', 'gate'].includes(e.type)).map((e) => e.type),
    ).toEqual(['inputTranscription', 'audio', 'text', 'outputTranscription', 'interrupted', 'generationComplete', 'turnComplete', 'usage']);
    expect(h.of('usage')).toEqual([{ type: 'usage', usage: { totalTokenCount: 9 } }]);
  });

  it('keeps only resumable handles', async () => {
    const h = await connectedSession();
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h2', resumable: false } });
    expect(h.session.actor.getSnapshot().context.resumptionHandle).toBe('h1');
  });

  it('stops calling a listener once unsubscribed', async () => {
    const h = await connectedSession();
    const texts: string[] = [];
    const off = h.session.on('text', ({ text }) => texts.push(text));
    h.server.send({ serverContent: { modelTurn: { parts: [{ text: 'a' }] } } });
    off();
    h.server.send({ serverContent: { modelTurn: { parts: [{ text: 'b' }] } } });
    expect(texts).toEqual(['a']);
  });

  it('streams an attached mic until it ends, then says so', async () => {
    const h = await connectedSession();
    h.session.attachMic(Readable.from([FRAME, FRAME, FRAME]));
    await vi.waitFor(() => expect(h.of('micEnded')).toHaveLength(1));
    expect(sentKinds(h.server)).toEqual(['audio', 'audio', 'audio']);
    expect(h.of('micEnded')[0]?.error).toBeUndefined();
  });

  it('drops mic audio while gated, like any other input', async () => {
    const h = await connectedSession({ tools: [defineTool({ name: 'f', execute: () => new Promise(() => undefined) })] });
    h.server.toolCall([{ id: '1', name: 'f', args: {} }]);
    h.session.attachMic(Readable.from([FRAME, FRAME]));
    await vi.waitFor(() => expect(h.of('micEnded')).toHaveLength(1));
    expect(h.server.frames).toEqual([]);
    expect(h.session.metrics().dropped.gated).toBe(2);
  });

  it('detaches the mic on request', async () => {
    const h = await connectedSession();
    const stream = new Readable({ read() {} });
    h.session.attachMic(stream);
    h.session.detachMic();
    await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    expect(h.session.actor.getSnapshot().children).not.toHaveProperty('mic');
  });

  it('passes the inspect option to the actor', async () => {
    const inspected: InspectionEvent[] = [];
    const lines: string[] = [];
    const logger = createStateLogger({ log: (line) => lines.push(line) });
    const session = createLiveSession({
      transport: createScriptedTransport(),
      inspect: (event) => {
        inspected.push(event);
        logger(event);
      },
    });
    await session.connect();
    expect(inspected.some((e) => e.type === '@xstate.event' && e.event.type === 'CONNECT')).toBe(true);
    expect(lines).toEqual([
      'state: (start) → idle.disconnected (xstate.init)',
      'state: idle.disconnected → idle.connecting (CONNECT)',
      'state: idle.connecting → streaming (server.setupComplete)',
    ]);
  });

  it('refuses two tools with the same name', () => {
    const f = defineTool({ name: 'f', execute: () => 1 });
    expect(() => createLiveSession({ transport: createScriptedTransport(), tools: [f, f] })).toThrow(/two tools are named 'f'/);
  });

  it('declares the tools in setup', async () => {
    const transport = createScriptedTransport();
    const session = createLiveSession({
      transport,
      tools: [defineTool({ name: 'f', description: 'does f', execute: () => 1 })],
    });
    await session.connect();
    expect(transport.connections[0]?.request).toEqual({
      // Its behaviour stated: the conservative profile's default, for a transport with no model named.
      functionDeclarations: [{ name: 'f', description: 'does f', behavior: 'BLOCKING' }],
      sessionResumption: true,
      resumptionHandle: undefined,
    });
  });
});
