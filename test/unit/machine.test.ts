import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import { sessionMachine } from '../../src/machines/index.js';

/** The pure machine, with its stand-in actors, connected and gated on call `a` of batch 1. */
function gatedMachine(bufferCommands: unknown[] = []) {
  const machine = sessionMachine.provide({
    actors: { inputBuffer: fromCallback(({ receive }) => receive((command) => bufferCommands.push(command))) },
  });
  const actor = createActor(machine, { input: {} }).start();
  actor.send({ type: 'CONNECT' });
  actor.send({ type: 'server.setupComplete', generation: 1 });
  actor.send({ type: 'server.toolCall', generation: 1, calls: [{ id: 'a', name: 'f', args: {} }] });
  expect(actor.getSnapshot().value).toBe('awaitingToolResponse');
  return actor;
}

describe('the pure machine, on events its actors never send at those times', () => {
  it('keeps an executor whose batch is still waited on, even if it says it is idle', () => {
    const actor = gatedMachine();
    actor.send({ type: 'tool.executorIdle', batch: 1 });
    expect(actor.getSnapshot().children).toHaveProperty('tools-1');
  });

  it('puts a replay that arrives while gated back in the buffer instead of sending it', () => {
    const sent: unknown[] = [];
    const actor = gatedMachine(sent);
    const inputs = [{ kind: 'text' as const, text: 'later' }];
    actor.send({ type: 'buffer.replay', inputs });
    expect(sent.at(-1)).toEqual({ type: 'buffer.restore', inputs });
  });
});
