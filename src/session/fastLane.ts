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
import { sessionMachine, toRealtimeInput } from '../machines/session.machine.js';
import type { InputEvent } from '../machines/types.js';
import type { ConnectionWire } from '../actors/connection.js';
import { INPUT_AUDIO_MIME_TYPE, type RealtimeInputKind } from '../protocol/messages.js';

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

/** Whether audio frames are among them (read once: the check is on every frame). */
const AUDIO_FORWARDS_PLAINLY = FAST_FORWARD_EVENTS.has('input.audio');

/**
 * The actor's mailbox, where XState keeps whether it has an event in hand (being processed or
 * queued). XState does not export it; if it is not there in the shape known (another XState
 * version), there is no fast path and every frame goes through the machine.
 */
function mailboxOf(actor: AnyActorRef): { _current: unknown } | undefined {
  const mailbox = (actor as unknown as { mailbox?: unknown }).mailbox;
  return typeof mailbox === 'object' && mailbox !== null && '_current' in mailbox ? (mailbox as { _current: unknown }) : undefined;
}

/**
 * A session's fast path. Whether it is open is worked out when something changes (a snapshot, a
 * connection, an inspector), not per frame; and it is one object with its methods on the
 * prototype. With a thousand sessions a frame's cost is mostly the memory it has to reach, so a
 * frame reads this object, the actor's mailbox and the connection's send, and little else.
 */
export class FastLane {
  private open = false;
  private inspectors = 0;
  private streamingGeneration: number | undefined;
  private wire: (ConnectionWire & { generation: number }) | undefined;
  private readonly mailbox: { _current: unknown } | undefined;

  /** `forwarded` is the meter the metered machine's `countForwarded` adds to. */
  constructor(
    actor: AnyActorRef,
    private readonly forwarded: Record<RealtimeInputKind, number>,
  ) {
    this.mailbox = mailboxOf(actor);
    const watch = (snapshot: { value: unknown; context: { generation: number } }) => {
      this.streamingGeneration = snapshot.value === 'streaming' ? snapshot.context.generation : undefined;
      this.update();
    };
    const shut = () => {
      this.streamingGeneration = undefined;
      this.update();
    };
    watch(actor.getSnapshot() as Parameters<typeof watch>[0]);
    actor.subscribe({ next: watch, error: shut, complete: shut });
    this.countInspectors(actor);
  }

  /**
   * Forwards one 16 kHz PCM16 frame directly if the machine, at rest in `streaming`, would do
   * nothing else with it; false when it must go through the machine as an `input.audio` event.
   */
  forwardAudio(pcm: Uint8Array): boolean {
    // The flag is exact only between events: while the machine is busy, the mailbox says so.
    if (!AUDIO_FORWARDS_PLAINLY || !this.open || this.mailbox?._current !== null) return false;
    const wire = this.wire as ConnectionWire;
    this.forwarded.audio += 1;
    try {
      wire.sendAudioFrame(pcm);
    } catch (error) {
      wire.failed(error);
    }
    return true;
  }

  /** {@link forwardAudio} for any input event: false for those the machine must take. */
  forward(event: InputEvent): boolean {
    if (event.type === 'input.audio' && (event.mimeType ?? INPUT_AUDIO_MIME_TYPE) === INPUT_AUDIO_MIME_TYPE) {
      return this.forwardAudio(event.data);
    }
    if (!this.open || !FAST_FORWARD_EVENTS.has(event.type) || this.mailbox?._current !== null) return false;
    const input = toRealtimeInput(event);
    this.forwarded[input.kind] += 1;
    (this.wire as ConnectionWire).send(input);
    return true;
  }

  /** The connection of `generation` opened (`wire`) or is gone (`undefined`). */
  announce(generation: number, wire: ConnectionWire | undefined): void {
    if (wire) this.wire = { ...wire, generation };
    else if (this.wire?.generation === generation) this.wire = undefined;
    this.update();
  }

  private update(): void {
    this.open =
      this.inspectors === 0 &&
      this.mailbox !== undefined &&
      this.wire !== undefined &&
      this.wire.generation === this.streamingGeneration;
  }

  /** Anything that inspects the actor from now on (the Redux DevTools adapter does) sees every frame. */
  private countInspectors(actor: AnyActorRef): void {
    const system = actor.system as { inspect: (observer: never) => Subscription };
    const inspect = system.inspect.bind(system);
    system.inspect = (observer) => {
      const subscription = inspect(observer);
      this.inspectors += 1;
      this.update();
      let attached = true;
      return {
        unsubscribe: () => {
          if (attached) this.inspectors -= 1;
          attached = false;
          this.update();
          subscription.unsubscribe();
        },
      };
    };
  }
}
