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

/** The current connection's send, as the connection actor announced it. */
export interface InputWire {
  readonly generation: number;
  readonly send: (input: RealtimeInput) => void;
}

/** What the fast path reads and counts into. */
export interface FastForwardDeps {
  actor: AnyActorRef;
  /** The open connection, if any. */
  wire(): InputWire | undefined;
  /** Where the metered machine counts forwarded input (`countForwarded`). */
  forwarded: Record<RealtimeInputKind, number>;
}

/**
 * Returns the function that forwards `event` directly when the machine, at rest in `streaming`
 * on the wire's connection, would do nothing else with it; it returns false when the event must
 * go through the machine.
 */
export function createFastForward({ actor, wire, forwarded }: FastForwardDeps): (event: InputEvent) => boolean {
  const atRest = restProbe(actor);
  const inspectors = countInspectors(actor);
  return (event) => {
    if (!FAST_FORWARD_EVENTS.has(event.type) || inspectors.count > 0 || !atRest()) return false;
    const snapshot = actor.getSnapshot() as { value: unknown; context: { generation: number } };
    if (snapshot.value !== 'streaming') return false;
    const current = wire();
    if (current?.generation !== snapshot.context.generation) return false;
    const input = toRealtimeInput(event);
    forwarded[input.kind] += 1;
    current.send(input);
    return true;
  };
}

/** Counts the inspectors attached to `actor.system` from now on, while they stay attached. */
function countInspectors(actor: AnyActorRef): { readonly count: number } {
  const counter = { count: 0 };
  const system = actor.system as { inspect: (observer: never) => Subscription };
  const inspect = system.inspect.bind(system);
  system.inspect = (observer) => {
    const subscription = inspect(observer);
    counter.count += 1;
    let attached = true;
    return {
      unsubscribe() {
        if (attached) counter.count -= 1;
        attached = false;
        subscription.unsubscribe();
      },
    };
  };
  return counter;
}
