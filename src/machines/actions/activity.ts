/**
 * The activity bracket (I5): an activityStart that went out is followed by exactly one
 * activityEnd, never an end without a start. While the gate is closed, activity signals wait and
 * go out in order when it reopens, so a push-to-talk press and release across a tool call keep
 * their bracket.
 */
import { assertEvent } from 'xstate';
import { countDeferred, countDeferredLost, countDeferredSent, countDropped } from '../counters.js';
import { bracketOpenAfter } from '../guards.js';
import { baseSetup, connectionId } from '../setup.js';
import type { ActivitySignal, ConnectionCommand, DropReason } from '../types.js';

/** The activity actions, by name. */
export const activityActions = {
  openActivity: baseSetup.assign({ activityOpen: true }),
  closeActivity: baseSetup.assign({ activityOpen: false }),

  /**
   * Holds an activity signal back until the gate reopens (the guards checked the bracket). A press
   * that follows a release which itself followed a press, all while gated, takes that release
   * back: the bracket between them would be empty (its audio was dropped as gated), so the two
   * are dropped (`gated`) and the utterance goes on. At most end, start, end are ever held.
   */
  deferActivity: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, ['input.activityStart', 'input.activityEnd']);
    const signal: ActivitySignal = event.type === 'input.activityStart' ? 'activityStart' : 'activityEnd';
    const held = context.deferredActivity;
    if (signal === 'activityStart' && held.at(-1) === 'activityEnd' && held.at(-2) === 'activityStart') {
      enqueue.assign({
        deferredActivity: held.slice(0, -1),
        counters: countDropped(countDeferredLost(context.counters, 1, 'gated'), 'activityStart', 'gated'),
      });
      enqueue.emit({ type: 'inputDropped', kind: 'activityEnd', reason: 'gated' });
      enqueue.emit({ type: 'inputDropped', kind: 'activityStart', reason: 'gated' });
      return;
    }
    enqueue.assign({ deferredActivity: [...held, signal], counters: countDeferred(context.counters, signal) });
  }),

  /** Sends the signals held back while gated, in order. Runs after the toolResponse went out. */
  sendDeferredActivity: baseSetup.enqueueActions(({ context, enqueue }) => {
    if (context.deferredActivity.length === 0) return;
    let counters = context.counters;
    for (const signal of context.deferredActivity) {
      enqueue.sendTo(connectionId(context.generation), {
        type: 'send.realtimeInput',
        input: { kind: signal },
      } satisfies ConnectionCommand);
      counters = countDeferredSent(counters, signal);
    }
    enqueue.assign({
      activityOpen: bracketOpenAfter(context.activityOpen, context.deferredActivity),
      deferredActivity: [],
      counters,
    });
  }),

  /** Signals held back for a connection the session leaves are given up, and counted so. */
  giveUpDeferredActivity: giveUpDeferredAs('notStreaming'),
  /** And those held back when the session closes. */
  giveUpDeferredActivityOnClose: giveUpDeferredAs('closed'),
};

function giveUpDeferredAs(reason: DropReason) {
  return baseSetup.assign(({ context }) =>
    context.deferredActivity.length === 0
      ? {}
      : { deferredActivity: [], counters: countDeferredLost(context.counters, context.deferredActivity.length, reason) },
  );
}
