/**
 * The hot path of a streaming session: a frame handed to a session whose machine is at rest in
 * `streaming` takes that transition's effect (send it, count it) without being processed as an
 * event, which is where most of a frame's CPU went (see docs/performance.md).
 *
 * The statechart still decides. The event types this applies to are read off the chart itself:
 * those whose only transition in `streaming` is the unguarded, targetless
 * `forwardInput` + `countForwarded`, so a change to the chart changes the fast path with it.
 * Anything else, and every frame while the machine is busy with an event (one a listener or a
 * tool sends from inside a transition, which must queue behind whatever the machine has not yet
 * processed) or in any other state, goes through the machine as before. So does every frame
 * while something inspects the actor (`actor.system.inspect`, as the Redux DevTools adapter
 * does), so that inspectors see every event.
 */
import type { AnyActorRef, Subscription } from 'xstate';
import { sessionMachine, toRealtimeInput } from './machines/session.machine.js';
import type { InputEvent } from './machines/types.js';
import type { RealtimeInput, RealtimeInputKind } from './protocol.js';

/** The actions of a transition the fast path may stand in for, in order. */
const FORWARD_ACTIONS = ['forwardInput', 'countForwarded'];

interface TransitionShape {
  actions: readonly unknown[];
  guard?: unknown;
  target?: unknown;
}

function isPlainForward(transitions: readonly TransitionShape[] | undefined): boolean {
  if (transitions?.length !== 1) return false;
  const [only] = transitions as [TransitionShape];
  const names = only.actions.map((action) => (typeof action === 'string' ? action : (action as { type?: unknown }).type));
  return (
    only.guard === undefined &&
    only.target === undefined &&
    names.length === FORWARD_ACTIONS.length &&
    names.every((name, index) => name === FORWARD_ACTIONS[index])
  );
}

/** The input event types whose handling in `streaming` is nothing but forward and count. */
export const FAST_FORWARD_EVENTS: ReadonlySet<InputEvent['type']> = new Set(
  Object.entries((sessionMachine.states.streaming?.on ?? {}) as Record<string, readonly TransitionShape[]>)
    .filter(([type, transitions]) => type.startsWith('input.') && isPlainForward(transitions))
    .map(([type]) => type as InputEvent['type']),
);

/**
 * Whether `actor` has no event in hand: none being processed and none queued. XState keeps this
 * in its actor's mailbox, which it does not export; if that is not there in the shape known
 * (another XState version), the answer is always "busy", and every frame takes the machine path.
 */
export function restProbe(actor: AnyActorRef): () => boolean {
  const mailbox = (actor as unknown as { mailbox?: unknown }).mailbox;
  if (typeof mailbox !== 'object' || mailbox === null || !('_current' in mailbox)) return () => false;
  const box = mailbox as { _current: unknown };
  return () => box._current === null;
}

/** A session's fast path: the function that forwards, and the seam the connection actor announces its send through. */
export interface FastForward {
  /**
   * Forwards `event` directly when the machine, at rest in `streaming` on the announced
   * connection, would do nothing else with it; false when it must go through the machine.
   */
  forward(event: InputEvent): boolean;
  /** The connection of `generation` opened (`send`) or is gone (`undefined`). */
  announce(generation: number, send: ((input: RealtimeInput) => void) | undefined): void;
}

/**
 * Creates a session's fast path. Whether it is open is worked out when something changes (a
 * snapshot, a connection, an inspector), not per frame: with a thousand sessions, what a frame
 * costs is mostly the objects it has to reach, so a frame reads a flag, the mailbox and the send.
 */
export function createFastForward(actor: AnyActorRef, forwarded: Record<RealtimeInputKind, number>): FastForward {
  const atRest = restProbe(actor);
  let inspectors = 0;
  let streamingGeneration: number | undefined;
  let wire: { generation: number; send: (input: RealtimeInput) => void } | undefined;
  let open = false;
  let send: (input: RealtimeInput) => void = () => undefined;
  const update = () => {
    open = inspectors === 0 && wire !== undefined && wire.generation === streamingGeneration;
    if (open && wire) send = wire.send;
  };

  const watch = (snapshot: { value: unknown; context: { generation: number } }) => {
    streamingGeneration = snapshot.value === 'streaming' ? snapshot.context.generation : undefined;
    update();
  };
  const shut = () => {
    streamingGeneration = undefined;
    update();
  };
  watch(actor.getSnapshot() as Parameters<typeof watch>[0]);
  actor.subscribe({ next: watch, error: shut, complete: shut });

  // Anything that inspects the actor from now on (the Redux DevTools adapter does) sees every frame.
  const system = actor.system as { inspect: (observer: never) => Subscription };
  const inspect = system.inspect.bind(system);
  system.inspect = (observer) => {
    const subscription = inspect(observer);
    inspectors += 1;
    update();
    let attached = true;
    return {
      unsubscribe() {
        if (attached) inspectors -= 1;
        attached = false;
        update();
        subscription.unsubscribe();
      },
    };
  };

  return {
    // The flag is exact only between events: while the machine is busy, the mailbox says so.
    forward(event) {
      if (!open || !FAST_FORWARD_EVENTS.has(event.type) || !atRest()) return false;
      const input = toRealtimeInput(event);
      forwarded[input.kind] += 1;
      send(input);
      return true;
    },
    announce(generation, announced) {
      if (announced) wire = { generation, send: announced };
      else if (wire?.generation === generation) wire = undefined;
      update();
    },
  };
}
