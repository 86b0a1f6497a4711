import { describe, expect, it } from 'vitest';
import { createActor, createMachine, sendTo } from 'xstate';
import { createInputBufferLogic } from '../../src/actors/inputBuffer.js';
import type { InputBufferCommand, SessionEvent } from '../../src/machines/types.js';
import type { RealtimeInput } from '../../src/protocol/messages.js';

const audio = (ms: number, tag: number): RealtimeInput => ({ kind: 'audio', data: new Uint8Array(ms * 32).fill(tag), mimeType: 'audio/pcm;rate=16000' });

/** A parent that forwards commands to the buffer and records what the buffer sends back. */
function harness(maxItems = 100) {
  const received: SessionEvent[] = [];
  const parent = createMachine({
    invoke: { id: 'buffer', src: createInputBufferLogic({ maxItems }) },
    on: {
      command: { actions: sendTo('buffer', ({ event }) => (event as unknown as { command: InputBufferCommand }).command) },
      '*': { actions: ({ event }) => received.push(event as SessionEvent) },
    },
  });
  const actor = createActor(parent).start();
  const command = (c: InputBufferCommand) => actor.send({ type: 'command', command: c } as never);
  return { received, command };
}

const tags = (event: SessionEvent | undefined) =>
  event?.type === 'buffer.replay' ? event.inputs.map((i) => (i.kind === 'audio' ? i.data[0] : i.kind)) : [];

describe('input buffer', () => {
  it('replays everything in order in one event, then is empty', () => {
    const { received, command } = harness();
    command({ type: 'buffer.push', input: audio(20, 1), maxMs: 1000 });
    command({ type: 'buffer.push', input: { kind: 'text', text: 'x' }, maxMs: 1000 });
    command({ type: 'buffer.push', input: audio(20, 2), maxMs: 1000 });
    command({ type: 'buffer.flush' });
    command({ type: 'buffer.flush' });
    expect(received.map((e) => e.type)).toEqual(['buffer.replay']);
    expect(tags(received[0])).toEqual([1, 'text', 2]);
  });

  it('evicts the oldest beyond maxMs of audio, and reports it', () => {
    const { received, command } = harness();
    for (let i = 1; i <= 4; i += 1) command({ type: 'buffer.push', input: audio(20, i), maxMs: 50 });
    command({ type: 'buffer.flush' });
    expect(received[0]).toEqual({ type: 'buffer.evicted', kinds: ['audio'] });
    expect(received[1]).toEqual({ type: 'buffer.evicted', kinds: ['audio'] });
    expect(tags(received[2])).toEqual([3, 4]);
  });

  it('bounds inputs without duration by count', () => {
    const { received, command } = harness(2);
    for (const text of ['a', 'b', 'c']) command({ type: 'buffer.push', input: { kind: 'text', text }, maxMs: 1000 });
    expect(received).toEqual([{ type: 'buffer.evicted', kinds: ['text'] }]);
  });

  it('puts restored inputs back at the front', () => {
    const { received, command } = harness();
    command({ type: 'buffer.push', input: audio(20, 3), maxMs: 1000 });
    command({ type: 'buffer.restore', inputs: [audio(20, 1), audio(20, 2)] });
    command({ type: 'buffer.flush' });
    expect(tags(received[0])).toEqual([1, 2, 3]);
  });
});
