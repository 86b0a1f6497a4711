/**
 * What happens to realtime input: forwarded on the current connection while streaming, dropped
 * with a reason, or put in the bounded buffer and replayed in order when streaming resumes. Every
 * input is counted (I4).
 */
import { assertEvent } from 'xstate';
import {
  countBuffered,
  countBufferLost,
  countDropped,
  countForwarded,
  countReplayed,
} from '../counters.js';
import { bufferingPolicy } from '../guards.js';
import { baseSetup, BUFFER_ID, connectionId } from '../setup.js';
import type { ConnectionCommand, DropReason, InputBufferCommand, InputEvent, SessionEvent } from '../types.js';
import { inputKind, toRealtimeInput } from '../wire.js';
import { opensBeforeReplay, reconcilingSignal } from './speech.js';

/** The event, if it is realtime input. */
export function asInput(event: SessionEvent): InputEvent | undefined {
  switch (event.type) {
    case 'input.audio':
    case 'input.video':
    case 'input.text':
    case 'input.activityStart':
    case 'input.activityEnd':
    case 'input.audioStreamEnd':
      return event;
    default:
      return undefined;
  }
}

/** An action that drops the input event, counted by reason, and tells the application. */
function dropInputAs(reason: DropReason) {
  return baseSetup.enqueueActions(({ context, event, enqueue }) => {
    const input = asInput(event);
    if (!input) return;
    const kind = inputKind(input);
    enqueue.assign({ counters: countDropped(context.counters, kind, reason) });
    enqueue.emit({ type: 'inputDropped', kind, reason });
  });
}

/** An action that puts the input event in the buffer, bounded by the policy's `maxMs`. */
function bufferInputFor(policy: 'inputWhileGated' | 'inputWhileReconnecting') {
  return baseSetup.enqueueActions(({ context, event, enqueue }) => {
    const input = asInput(event);
    const setting = context.settings[policy];
    // The guards bufferWhileGated/bufferWhileReconnecting chose this action: the policy buffers.
    if (!input || setting === 'drop') return;
    const realtime = toRealtimeInput(input);
    enqueue.sendTo(BUFFER_ID, { type: 'buffer.push', input: realtime, maxMs: setting.buffer.maxMs } satisfies InputBufferCommand);
    enqueue.assign({ counters: countBuffered(context.counters, realtime.kind) });
  });
}

/** The input actions, by name. */
export const inputActions = {
  spawnInputBuffer: baseSetup.enqueueActions(({ enqueue }) => enqueue.spawnChild('inputBuffer', { id: BUFFER_ID })),

  forwardInput: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    const input = asInput(event);
    if (!input) return;
    enqueue.sendTo(connectionId(context.generation), {
      type: 'send.realtimeInput',
      input: toRealtimeInput(input),
    } satisfies ConnectionCommand);
  }),

  countForwarded: baseSetup.assign(({ context, event }) => {
    const input = asInput(event);
    return input ? { counters: countForwarded(context.counters, inputKind(input)) } : {};
  }),

  dropGated: dropInputAs('gated'),
  dropNotStreaming: dropInputAs('notStreaming'),
  dropNoOpenActivity: dropInputAs('noOpenActivity'),
  dropActivityAlreadyOpen: dropInputAs('activityAlreadyOpen'),
  bufferGatedInput: bufferInputFor('inputWhileGated'),
  bufferReconnectingInput: bufferInputFor('inputWhileReconnecting'),

  /** Puts input behind the input the buffer holds, bounded as that input is (the guard checked a policy buffers). */
  bufferBehindBuffered: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    const input = asInput(event);
    const policy = bufferingPolicy(context);
    if (!input || !policy) return;
    const realtime = toRealtimeInput(input);
    enqueue.sendTo(BUFFER_ID, { type: 'buffer.push', input: realtime, maxMs: policy.buffer.maxMs } satisfies InputBufferCommand);
    enqueue.assign({ counters: countBuffered(context.counters, realtime.kind) });
  }),

  /** Asks the buffer for what it holds; it answers with one `buffer.replay` event. */
  flushBuffer: baseSetup.sendTo(BUFFER_ID, { type: 'buffer.flush' } satisfies InputBufferCommand),

  /** Sends buffered input in order, keeping the activity bracket well-formed as live input does. */
  replayInputs: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'buffer.replay');
    let { counters, activityOpen } = context;
    // An utterance going on from before (the `activity` option): its bracket opens first (speech.ts).
    if (opensBeforeReplay(context, event.inputs)) {
      enqueue.sendTo(connectionId(context.generation), { type: 'send.realtimeInput', input: { kind: 'activityStart' } } satisfies ConnectionCommand);
      counters = countForwarded(counters, 'activityStart');
      activityOpen = true;
    }
    for (const input of event.inputs) {
      let refused: DropReason | undefined;
      if (input.kind === 'activityStart') {
        if (activityOpen) refused = 'activityAlreadyOpen';
        else activityOpen = true;
      } else if (input.kind === 'activityEnd') {
        if (activityOpen) activityOpen = false;
        else refused = 'noOpenActivity';
      }
      counters = countReplayed(counters, input.kind, refused);
      if (refused) {
        enqueue.emit({ type: 'inputDropped', kind: input.kind, reason: refused });
        continue;
      }
      enqueue.sendTo(connectionId(context.generation), { type: 'send.realtimeInput', input } satisfies ConnectionCommand);
    }
    // And ends in line with the user's speech: a start or an end lost on the way is made up for.
    const reconciling = reconcilingSignal(context, activityOpen);
    if (reconciling) {
      enqueue.sendTo(connectionId(context.generation), { type: 'send.realtimeInput', input: { kind: reconciling } } satisfies ConnectionCommand);
      counters = countForwarded(counters, reconciling);
      activityOpen = reconciling === 'activityStart';
    }
    enqueue.assign({ counters, activityOpen });
  }),

  /** Buffered input that came back while no longer streaming goes back in the buffer. */
  restoreBuffer: baseSetup.enqueueActions(({ event, enqueue }) => {
    assertEvent(event, 'buffer.replay');
    enqueue.sendTo(BUFFER_ID, { type: 'buffer.restore', inputs: event.inputs } satisfies InputBufferCommand);
  }),

  countEvicted: baseSetup.enqueueActions(({ context, event, enqueue }) => {
    assertEvent(event, 'buffer.evicted');
    enqueue.assign({ counters: countBufferLost(context.counters, event.kinds.length, 'evicted') });
    for (const kind of event.kinds) enqueue.emit({ type: 'inputDropped', kind, reason: 'evicted' });
  }),

  /** An input counted as forwarded could not be sent after all: it was dropped. */
  recountFailedSend: baseSetup.assign(({ context, event }) => {
    assertEvent(event, 'transport.sendFailed');
    const { counters } = context;
    const { kind } = event;
    return {
      counters: {
        ...counters,
        forwarded: { ...counters.forwarded, [kind]: counters.forwarded[kind] - 1 },
        dropped: { ...counters.dropped, sendFailed: counters.dropped.sendFailed + 1 },
      },
    };
  }),

  /** The buffer dies with the session: what it still holds is lost, and counted so. */
  giveUpBuffered: baseSetup.assign(({ context }) => ({
    counters: countBufferLost(context.counters, context.counters.buffered, 'closed'),
  })),
};
