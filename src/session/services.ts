/**
 * The session machine as live sessions run it: one provided machine for the whole process.
 *
 * `sessionMachine.provide()` copies the statechart, about 48 KiB of state nodes and transitions,
 * so one provided machine per session was most of a session's heap. Here every session shares
 * one machine, and its child actors and lane actions find their own session's services
 * (transport, tools, limits, fast lane) through the actor system they run in, which XState makes
 * per root actor and hands to every actor and action.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction, type EventObject } from 'xstate';
import { activityCallback, type ActivityInput } from '../actors/activity.js';
import { micCallback } from '../actors/mic.js';
import type { ActivityChildInput, ActivityCommand } from '../machines/activityEvents.js';
import { sessionMachine } from '../machines/session.machine.js';
import type {
  ConnectionCommand,
  ConnectionInput,
  InputBufferCommand,
  MicInput,
  SessionEvent,
  ToolExecutorCommand,
  ToolExecutorInput,
} from '../machines/types.js';
import type { ActivityLane } from './activityLane.js';
import type { FastLane } from './fastLane.js';

/** What the child actors and lane actions of one session need from it. */
export interface SessionServices {
  connection: CallbackLogicFunction<ConnectionCommand, AnyEventObject, ConnectionInput>;
  toolExecutor: CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput>;
  inputBuffer: CallbackLogicFunction<InputBufferCommand, AnyEventObject, undefined>;
  lane: FastLane;
  /** With the `activity` option: the actor's input, and the lane every audio frame passes. */
  activity?: { input: ActivityInput; lane: ActivityLane } | undefined;
}

// Keyed by the actor system (an object XState makes per root actor); a session's is `actor.system`.
const servicesBySystem = new WeakMap<object, SessionServices>();

/** Makes `services` those of every actor in `system` (the system of a session's actor). */
export function provideServices(system: object, services: SessionServices): void {
  servicesBySystem.set(system, services);
}

function servicesOf(system: object): SessionServices {
  const services = servicesBySystem.get(system);
  if (!services) throw new Error('gemini-live-fsm: a session actor started without its services');
  return services;
}

/**
 * A callback actor that runs the callback its own session provides. What it sends back is a step
 * of the session's machine, counted as such by the lane (a frame sent from inside it queues).
 */
function perSession<TEvent extends EventObject, TInput>(
  pick: (services: SessionServices) => CallbackLogicFunction<TEvent, AnyEventObject, TInput>,
) {
  return fromCallback<TEvent, TInput>((args) => {
    const services = servicesOf(args.system);
    return pick(services)({ ...args, sendBack: steppedSendBack(services.lane, args.sendBack) });
  });
}

function steppedSendBack(lane: FastLane, sendBack: (event: AnyEventObject) => void) {
  return (event: AnyEventObject) => {
    lane.enter();
    try {
      sendBack(event);
    } finally {
      lane.leave();
    }
  };
}

const actors = {
  connection: perSession((services) => services.connection),
  toolExecutor: perSession((services) => services.toolExecutor),
  inputBuffer: perSession((services) => services.inputBuffer),
  // The mic's frames take the session's fast lane like `sendAudio`'s; the rest goes as events.
  // With an activity actor, they pass its lane first (chosen once per mic, not per frame).
  mic: fromCallback<SessionEvent, MicInput>((args) => {
    const { lane, activity } = servicesOf(args.system);
    const stepped = steppedSendBack(lane, args.sendBack);
    const isAudio = (event: AnyEventObject): event is { type: 'input.audio'; data: Uint8Array } =>
      event.type === 'input.audio' && 'data' in event && event.data instanceof Uint8Array;
    const sendBack = activity
      ? (event: AnyEventObject) => (isAudio(event) ? activity.lane.audio(event.data, () => stepped(event)) : stepped(event))
      : (event: AnyEventObject) => {
          if (!(isAudio(event) && lane.forwardAudio(event.data))) stepped(event);
        };
    return micCallback({ ...args, sendBack });
  }),
  // The activity actor runs with the session's options; the session hands it every frame through
  // its lane (a direct call), and sees its start and end before the machine does.
  activity: fromCallback<ActivityCommand, ActivityChildInput>((args) => {
    const { lane, activity } = servicesOf(args.system);
    if (!activity) throw new Error('gemini-live-fsm: the chart spawned an activity actor for a session without the activity option');
    const stepped = steppedSendBack(lane, args.sendBack);
    let handle: ((command: ActivityCommand) => void) | undefined;
    const stop = activityCallback({
      ...args,
      input: activity.input,
      sendBack: (event) => {
        activity.lane.observe(event);
        if (event.type !== 'activity.preRoll' || !('frames' in event) || !Array.isArray(event.frames)) {
          stepped(event);
          return;
        }
        // What the fast lane cannot take goes to the machine, behind the start, as the chart says.
        const rest = activity.lane.preRoll(event.frames as Uint8Array[]);
        if (rest.length > 0) stepped({ type: 'activity.preRoll', frames: rest });
      },
      receive: (listener) => {
        handle = listener;
        args.receive(listener);
      },
    });
    activity.lane.attach((command) => handle?.(command));
    return () => {
      activity.lane.attach(undefined);
      if (typeof stop === 'function') stop();
    };
  }),
};

/** The statechart every session runs: the session's actors, and its lane opened and shut by `streaming`. */
export const liveSessionMachine = sessionMachine.provide({
  actors,
  actions: {
    openLane: ({ context, system }) => servicesOf(system).lane.openFor(context.generation),
    shutLane: ({ system }) => servicesOf(system).lane.shut(),
  },
});
