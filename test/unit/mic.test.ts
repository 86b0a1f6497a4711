import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { micLogic } from '../../src/actors/mic.js';
import type { AudioSource, SessionEvent } from '../../src/machines/types.js';

/** Runs the mic actor under a parent that records what it sends back, until the source ends. */
async function collect(source: AudioSource, maxChunkBytes?: number) {
  const events: SessionEvent[] = [];
  const done = new Promise<void>((resolve) => {
    const parent = createMachine({
      invoke: { src: micLogic, input: { source, maxChunkBytes } },
      on: {
        '*': {
          actions: ({ event }) => {
            events.push(event as SessionEvent);
            if (event.type === 'mic.ended') resolve();
          },
        },
      },
    });
    createActor(parent).start();
  });
  await done;
  return events;
}

describe('mic actor', () => {
  it('sends one event per chunk of an async iterable', async () => {
    async function* chunks() {
      yield new Uint8Array(640);
      yield new Uint8Array(640);
    }
    const events = await collect(chunks());
    expect(events.map((e) => (e.type === 'input.audio' ? e.data.length : e.type))).toEqual([640, 640, 'mic.ended']);
  });

  it('cuts the 64 KiB chunks of a Node stream into pieces of at most maxChunkBytes', async () => {
    const events = await collect(Readable.from([new Uint8Array(3000)]), 1280);
    expect(events.map((e) => (e.type === 'input.audio' ? e.data.length : e.type))).toEqual([1280, 1280, 440, 'mic.ended']);
  });

  it('never splits a sample: an odd trailing byte waits for the next chunk', async () => {
    async function* chunks() {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array([4, 5, 6]);
    }
    const events = await collect(chunks());
    const audio = events.flatMap((e) => (e.type === 'input.audio' ? [[...e.data]] : []));
    expect(audio).toEqual([[1, 2], [3, 4, 5, 6]]);
  });

  it('reports a failing source as mic.ended with a typed error', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(2);
      throw new Error('device unplugged');
    }
    const events = await collect(failing());
    const ended = events.at(-1);
    expect(ended?.type === 'mic.ended' && ended.error?.reason).toBe('the audio source failed: device unplugged');
  });

  it('refuses chunks that are not bytes', async () => {
    async function* wrong() {
      yield 'text' as unknown as Uint8Array;
    }
    const events = await collect(wrong());
    expect(events.at(-1)).toMatchObject({ type: 'mic.ended', error: { code: 'TRANSPORT_ERROR' } });
  });

  it('stops reading and closes the stream when stopped', async () => {
    const stream = new Readable({ read() {} });
    stream.push(new Uint8Array(4));
    const parent = createMachine({
      initial: 'on',
      states: { on: { invoke: { id: 'mic', src: micLogic, input: { source: stream, maxChunkBytes: undefined } }, on: { STOP: 'off' } }, off: {} },
    });
    const actor = createActor(parent).start();
    actor.send({ type: 'STOP' });
    await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    expect(stream.destroyed).toBe(true);
  });
});
