/**
 * The hot path of a streaming session. `streaming` opens the lane on entry and shuts it on exit
 * (the chart's `openLane` and `shutLane` actions); while it is open, a frame handed to a session
 * at rest takes the effect of `streaming`'s transition for it (send it on the current connection,
 * count it) without being processed as an event, which is where most of a frame's CPU went (see
 * docs/performance.md).
 *
 * "At rest" is the session's own bookkeeping: it counts the machine steps it is inside (`enter`
 * and `leave` around every event it or a child actor hands the machine, and around every listener
 * it calls), so a frame sent from inside a step, by a listener or a tool's synchronous start,
 * queues behind that step as an event, exactly as it would without the lane. An inspector that
 * wants to see every frame as an event opts in with `observeEveryFrame()`, which keeps the lane
 * shut while it holds.
 */
import type { ConnectionWire } from '../actors/connection.js';
import type { InputEvent } from '../machines/types.js';
import { INPUT_AUDIO_MIME_TYPE, REALTIME_INPUT_KINDS, type RealtimeInput, type RealtimeInputKind } from '../protocol/messages.js';

/** What the lane counted: frames sent, and frames whose send failed (dropped `sendFailed`). */
export interface LaneMeter {
  forwarded: Record<RealtimeInputKind, number>;
  sendFailed: Record<RealtimeInputKind, number>;
}

function zeroes(): Record<RealtimeInputKind, number> {
  return Object.fromEntries(REALTIME_INPUT_KINDS.map((kind) => [kind, 0])) as Record<RealtimeInputKind, number>;
}

/**
 * One session's fast lane. Whether it is open is worked out when something changes (the chart,
 * a connection, an observer), not per frame: a frame reads one flag, the depth and the wire.
 */
export class FastLane {
  /** What went through the lane, by kind. */
  readonly meter: LaneMeter = { forwarded: zeroes(), sendFailed: zeroes() };
  private depth = 0;
  private open = false;
  private observers = 0;
  private streamingGeneration: number | undefined;
  private wire: (ConnectionWire & { generation: number }) | undefined;

  /** The session is about to run a machine step (hand it an event, or call a listener). */
  enter(): void {
    this.depth += 1;
  }

  /** The step entered last is over. */
  leave(): void {
    this.depth -= 1;
  }

  /** The chart entered `streaming` on the connection of `generation`. */
  openFor(generation: number): void {
    this.streamingGeneration = generation;
    this.update();
  }

  /** The chart left `streaming`. */
  shut(): void {
    this.streamingGeneration = undefined;
    this.update();
  }

  /** The connection of `generation` opened (`wire`) or is gone (`undefined`). */
  announce(generation: number, wire: ConnectionWire | undefined): void {
    if (wire) this.wire = { ...wire, generation };
    else if (this.wire?.generation === generation) this.wire = undefined;
    this.update();
  }

  /** Every frame goes through the machine as an event until the returned function is called. */
  observeEveryFrame(): () => void {
    this.observers += 1;
    this.update();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.observers -= 1;
      this.update();
    };
  }

  /**
   * Sends one 16 kHz PCM16 frame directly if the lane is open and the session at rest; false when
   * it must go through the machine as an `input.audio` event.
   */
  forwardAudio(pcm: Uint8Array): boolean {
    const wire = this.wire;
    if (!this.open || this.depth !== 0 || !wire) return false;
    try {
      wire.sendAudioFrame(pcm);
    } catch (error) {
      this.meter.sendFailed.audio += 1;
      wire.failed(error);
      return true;
    }
    this.meter.forwarded.audio += 1;
    return true;
  }

  /**
   * {@link forwardAudio} for an input event whose transition in `streaming` is a plain forward
   * (audio, video, text, audioStreamEnd; activity signals keep the bracket in the machine).
   */
  forward(event: InputEvent): boolean {
    if (event.type === 'input.audio' && (event.mimeType ?? INPUT_AUDIO_MIME_TYPE) === INPUT_AUDIO_MIME_TYPE) {
      return this.forwardAudio(event.data);
    }
    const wire = this.wire;
    if (!this.open || this.depth !== 0 || !wire) return false;
    const input = plainForward(event);
    if (!input) return false;
    try {
      wire.send(input);
    } catch (error) {
      this.meter.sendFailed[input.kind] += 1;
      wire.failed(error);
      return true;
    }
    this.meter.forwarded[input.kind] += 1;
    return true;
  }

  private update(): void {
    this.open = this.observers === 0 && this.wire !== undefined && this.wire.generation === this.streamingGeneration;
  }
}

/**
 * The input events the lane may take: those whose transition in `streaming` only forwards and
 * counts once nothing is left in the buffer, as is always so at rest (a test holds this to the chart).
 */
export const LANE_EVENTS: ReadonlySet<InputEvent['type']> = new Set(['input.audio', 'input.video', 'input.text', 'input.audioStreamEnd']);

/** The wire form of an input that `streaming` only forwards and counts; undefined for the others. */
function plainForward(event: InputEvent): RealtimeInput | undefined {
  switch (event.type) {
    case 'input.audio':
      return { kind: 'audio', data: event.data, mimeType: event.mimeType ?? INPUT_AUDIO_MIME_TYPE };
    case 'input.video':
      return { kind: 'video', data: event.data, mimeType: event.mimeType };
    case 'input.text':
      return { kind: 'text', text: event.text };
    case 'input.audioStreamEnd':
      return { kind: 'audioStreamEnd' };
    default:
      return undefined;
  }
}
