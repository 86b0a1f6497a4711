/**
 * The fuzz world's tools: `work` (its behaviour stated in its declaration, or the profile's
 * default) and `strict` (with a parameter schema), each call behaving as the server's record of
 * it says (`tools.ts`), its result released by the fast-check scheduler.
 */
import { defineTool, type AnyTool } from '../../src/index.js';
import { FAILURE, STRICT_TOOL, TOOL } from './tools.js';
import type { World } from './world.js';
import type { WorldOptions } from './worldOptions.js';

/** The tools a world's session gets, with `work` declared with `behavior`. */
export function worldTools(world: World, behavior: WorldOptions['workBehavior']): AnyTool[] {
  const run = (context: { callId: string | undefined; signal: AbortSignal }) => runTool(world, context);
  return [
    defineTool({ name: TOOL, ...(behavior ? { behavior } : {}), execute: (_args, context) => run(context) }),
    defineTool({
      name: STRICT_TOOL,
      parameters: { type: 'object', properties: { n: { type: 'number' }, k: { type: 'number' } }, required: ['n'] },
      execute: (_args, context) => run(context),
    }),
  ];
}

/** Runs one call's tool as its record says: at once, later, failing, hanging, or calling the session back. */
function runTool(world: World, { callId, signal }: { callId: string | undefined; signal: AbortSignal }): unknown {
  const call = world.ledger.toolOf(callId ?? '');
  if (!call) {
    world.inspectionFailure ??= new Error(`a tool ran for a call the session never heard: ${callId}`);
    throw new Error(`a tool ran for a call the session never heard: ${callId}`);
  }
  call.signal = signal;
  const done = () => {
    call.toolDone = true;
  };
  const { scheduler } = world.options;
  switch (call.behaviour) {
    case 'async':
      return scheduler.schedule(Promise.resolve({ done: call.id }), `${call.id} resolves`).finally(done);
    case 'reject':
      return scheduler
        .schedule(Promise.resolve(), `${call.id} rejects`)
        .finally(done)
        .then(() => {
          throw new Error(FAILURE);
        });
    case 'hang':
      return new Promise(() => undefined);
    default:
      done();
  }
  switch (call.behaviour) {
    case 'throw':
      throw new Error(FAILURE);
    case 'hangUp':
      void world.close();
      return { done: call.id };
    case 'chatty':
      world.input('audio');
      world.input('activityEnd');
      return { done: call.id };
    default:
      // sync (unknown and badArgs never run: the executor answers those itself).
      return { done: call.id };
  }
}
