/**
 * The session machine as live sessions run it, built once for the whole process.
 *
 * `sessionMachine.provide()` copies the statechart, about 48 KiB of state nodes and transitions,
 * so one provided machine per session was most of a session's heap. Here every session shares
 * one machine, and its child actors find their own session's services (transport, tools, limits)
 * through the actor system they run in.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction, type EventObject } from 'xstate';
import { micCallback } from '../actors/mic.js';
import { inputKind, sessionMachine } from '../machines/session.machine.js';
import type {
  ConnectionCommand,
  ConnectionInput,
  InputBufferCommand,
  InputEvent,
  MicInput,
  SessionEvent,
  ToolExecutorCommand,
  ToolExecutorInput,
} from '../machines/types.js';
import type { RealtimeInputKind } from '../protocol/messages.js';
import type { FastLane } from './fastLane.js';

/** What the child actors of one session need from it. */
export interface SessionServices {
  connection: CallbackLogicFunction<ConnectionCommand, AnyEventObject, ConnectionInput>;
  toolExecutor: CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput>;
  inputBuffer: CallbackLogicFunction<InputBufferCommand, AnyEventObject, undefined>;
  /**
   * Realtime inputs forwarded while streaming, by kind, counted by the metered machine instead of
   * in its snapshots (see {@link meteredSessionMachine}).
   */
  forwarded: Record<RealtimeInputKind, number>;
  /**
   * The session's fast path (src/fastForward.ts), which forwards an input directly when the
   * machine would do nothing else with it; none for an inspected session.
   */
  lane?: FastLane;
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

/** A callback actor that runs the callback its own session provides. */
function perSession<TEvent extends EventObject, TInput>(
  pick: (services: SessionServices) => CallbackLogicFunction<TEvent, AnyEventObject, TInput>,
) {
  return fromCallback<TEvent, TInput>((args) => pick(servicesOf(args.system))(args));
}

const actors = {
  connection: perSession((services) => services.connection),
  toolExecutor: perSession((services) => services.toolExecutor),
  inputBuffer: perSession((services) => services.inputBuffer),
  // The mic's frames take the session's fast path like `sendAudio`'s; the rest goes as events.
  mic: fromCallback<SessionEvent, MicInput>((args) => {
    const services = servicesOf(args.system);
    const sendBack = (event: AnyEventObject) => {
      if (!(event.type === 'input.audio' && services.lane?.forward(event as InputEvent))) args.sendBack(event);
    };
    return micCallback({ ...args, sendBack });
  }),
};

/**
 * For sessions that are inspected: every count in every snapshot, exactly as the pure machine
 * keeps them, so that an inspector can read what became of each input off the counters.
 */
export const inspectedSessionMachine = sessionMachine.provide({ actors });

/**
 * For the others: the same statechart, but `countForwarded` adds to the session's meter instead
 * of assigning new counters. An `assign` per frame copied the context and made a new snapshot 50
 * times a second per session, and that garbage lived just long enough for V8 to move it to the
 * old generation, which made young-generation GC pauses of several milliseconds (see
 * docs/performance.md). `session.metrics()` adds the meter to the snapshot's counters.
 */
export const meteredSessionMachine = sessionMachine.provide({
  actors,
  actions: {
    countForwarded: ({ event, system }) => {
      servicesOf(system).forwarded[inputKind(event as InputEvent)] += 1;
    },
  },
});
