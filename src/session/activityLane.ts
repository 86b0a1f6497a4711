/**
 * The session's side of its activity actor (the `activity` option): every audio frame, from
 * `sendAudio` or the mic, passes here. The frame is handled first (sent by the fast lane, or handed
 * to the machine; in `'vad'` mode only while the user speaks, else dropped `outsideActivity`), and
 * then the actor hears it, called directly rather than through an XState event (the frame is the
 * hot path; `activity.frame` is the same command). So the frame on which the detector decides
 * speech began was handled outside the bracket, and comes again in the pre-roll, inside it.
 *
 * The lane knows whether the actor's bracket is open from the events the actor sends its parent
 * (`input.activityStart` / `input.activityEnd`), before the machine handles them, so the frame
 * after a start follows it into the bracket. The pre-roll that follows a start takes the fast lane
 * when the session is at rest and streaming (the start is then on the wire already), like every frame
 * does; otherwise the machine handles it, as it handles any audio.
 *
 * A session without the `activity` option has no lane: its frames take exactly the path they took
 * before.
 */
import type { AnyEventObject } from 'xstate';
import type { ActivityCommand, ActivityMode } from '../machines/activityEvents.js';

/** What the lane does with a frame, once it knows where it goes. */
export interface ActivityLaneRoutes {
  /** Sends the frame on the fast lane; false when it must go through the machine. */
  forwardAudio(pcm: Uint8Array): boolean;
  /** Counts a frame dropped because the user is not speaking (`'vad'`). */
  dropOutside(): void;
  /** Counts pre-roll frames the fast lane sent (the machine counts the others in `counters.preRoll`). */
  countPreRoll(frames: number): void;
}

/** One session's activity lane. */
export class ActivityLane {
  /** The actor's bracket is open: it sent a start and no end since. */
  private speaking = false;
  private port: ((command: ActivityCommand) => void) | undefined;

  constructor(
    readonly mode: ActivityMode,
    private readonly routes: ActivityLaneRoutes,
  ) {}

  /** The running actor's command handler (set when the chart spawns it, cleared when it stops). */
  attach(port: ((command: ActivityCommand) => void) | undefined): void {
    this.port = port;
  }

  /** An event the actor sends its parent, seen before the machine handles it. */
  observe(event: AnyEventObject): void {
    if (event.type === 'input.activityStart') this.speaking = true;
    else if (event.type === 'input.activityEnd') this.speaking = false;
  }

  /**
   * The pre-roll the actor sends after a start: each frame the fast lane can take, in order; the
   * rest (all of it, unless the session is at rest and streaming), for the machine.
   */
  preRoll(frames: readonly Uint8Array[]): Uint8Array[] {
    let sent = 0;
    while (sent < frames.length && this.routes.forwardAudio(frames[sent] as Uint8Array)) sent += 1;
    if (sent > 0) this.routes.countPreRoll(sent);
    return sent === 0 ? [...frames] : frames.slice(sent);
  }

  /**
   * One checked frame of 16 kHz PCM16. `viaMachine` hands it to the machine as an `input.audio`
   * event, for when the fast lane cannot take it.
   */
  audio(pcm: Uint8Array, viaMachine: () => void): void {
    if (this.mode !== 'vad' || this.speaking) {
      if (!this.routes.forwardAudio(pcm)) viaMachine();
    } else {
      this.routes.dropOutside();
    }
    this.port?.({ type: 'activity.frame', pcm });
  }

  /**
   * The application's `activityStart()` / `activityEnd()`. `'manual'`: the actor takes it (and
   * sends the start or end back, with the speech event); one it would ignore (a second press, a
   * release with nothing pressed) goes to the machine instead, which counts it dropped. Other
   * modes: `refuse` (the detector or the server owns the bracket).
   */
  signal(signal: 'start' | 'end', toMachine: () => void, refuse: () => void): void {
    if (this.mode !== 'manual') {
      refuse();
      return;
    }
    const port = this.port;
    if (!port || (signal === 'start') === this.speaking) toMachine();
    else port({ type: 'activity.manual', signal });
  }
}
