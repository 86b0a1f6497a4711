/**
 * What is not realtime input but still goes out in order with it: conversation content
 * (`clientContent`), held while it cannot be sent, and a new set of tools (`contextUpdate`). And
 * what the model says about itself: whether it is idle, waiting for the user, or still working.
 */
import { assertEvent } from 'xstate';
import { hasBlockingPending } from '../guards.js';
import { baseSetup, connectionId } from '../setup.js';
import type { ConnectionCommand } from '../types.js';

/** Most content messages held at once; the oldest goes first past it. */
export const MAX_HELD_CONTENT = 100;

/** The content actions, by name. */
export const contentActions = {
  forwardContent: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'input.clientContent');
    enqueue.sendTo(connectionId(context.generation), {
      type: 'send.clientContent',
      turns: event.turns,
      turnComplete: event.turnComplete,
    } satisfies ConnectionCommand);
    // A handle issued before this content would resume a session that never saw it.
    enqueue.assign({ handleIsFresh: false, counters: { ...context.counters, contentSent: context.counters.contentSent + 1 } });
  }),

  /** Content that cannot go out now waits, in order, bounded. */
  holdContent: baseSetup.assign(({ context, event }) => {
    assertEvent(event, 'input.clientContent');
    const held = [...context.heldContent, { turns: event.turns, turnComplete: event.turnComplete }];
    const over = Math.max(0, held.length - MAX_HELD_CONTENT);
    return {
      heldContent: held.slice(over),
      counters: { ...context.counters, contentDropped: context.counters.contentDropped + over },
    };
  }),

  /**
   * Streaming again: the held content goes out, in order. Not while a blocking call is pending
   * (one taken before setup completed): the gate closes again at once, and it goes out when the
   * gate reopens.
   */
  sendHeldContent: baseSetup.enqueueActions(({ context, enqueue }) => {
    if (context.heldContent.length === 0 || hasBlockingPending(context)) return;
    for (const content of context.heldContent) {
      enqueue.sendTo(connectionId(context.generation), { type: 'send.clientContent', ...content } satisfies ConnectionCommand);
    }
    enqueue.assign({
      heldContent: [],
      handleIsFresh: false,
      counters: { ...context.counters, contentSent: context.counters.contentSent + context.heldContent.length },
    });
  }),

  /** The session closes with content still held: it is dropped, and counted so. */
  dropHeldContent: baseSetup.assign(({ context }) =>
    context.heldContent.length === 0
      ? {}
      : { heldContent: [], counters: { ...context.counters, contentDropped: context.counters.contentDropped + context.heldContent.length } },
  ),

  /**
   * New tools, in order with the input: which run NON_BLOCKING changes now, and every open
   * connection hears of them (`contextUpdate.tools`): the current one, and one a goAway left,
   * where calls are still taken and answered, so that each server and the session agree on how a
   * call is answered. A new connection declares them in its setup.
   */
  updateTools: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'tools.update');
    enqueue.assign({ settings: { ...context.settings, nonBlockingTools: event.nonBlockingTools } });
    for (const generation of context.openConnections) {
      enqueue.sendTo(connectionId(generation), { type: 'send.contextUpdate', update: { tools: event.declarations } } satisfies ConnectionCommand);
    }
  }),

  /**
   * Whether the model is idle: busy once it says anything, idle when its turn completes, or, on
   * models that report their interaction status, only when that status is IDLE.
   */
  trackModelActivity: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'server.content');
    const { content } = event;
    if (content.waitingForInput) enqueue.emit({ type: 'waitingForInput' });
    if (content.interactionStatus) enqueue.emit({ type: 'interactionStatus', status: content.interactionStatus });
    let idle = context.modelIdle;
    if (content.audio.length > 0 || content.text.length > 0 || content.outputTranscription) idle = false;
    if (context.settings.interactionStatus) {
      if (content.interactionStatus) idle = content.interactionStatus === 'IDLE';
    } else if (content.turnComplete || content.interrupted) {
      idle = true;
    }
    if (idle !== context.modelIdle) enqueue.assign({ modelIdle: idle });
  }),

  /** The input goes round again, once the gate it met is gone (`whileBlockingCall: 'interrupt'`). */
  reraiseInput: baseSetup.enqueueActions(({ event, enqueue }) => {
    if (event.type.startsWith('input.')) enqueue.raise(event);
  }),
};
