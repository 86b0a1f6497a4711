/**
 * The user's activity as one emulator connection hears it: whether its setup left the server's
 * automatic activity detection on, the brackets the client sent (`activityStart` … `activityEnd`)
 * with the audio received inside each, decoded, and the audio received outside any.
 *
 * With detection off (`setup.realtimeInputConfig.automaticActivityDetection.disabled: true`) the
 * model hears only what is inside a bracket, and answers once a bracket closes: a scenario
 * triggers on `{ activityEnd: true }`. That audio outside a bracket is then ignored, rather than
 * refused, is what the documentation implies and is unverified against the service. With
 * detection on, the service refuses explicit activity signals: field reports show the close
 * `1007 "Explicit activity control is not supported when automatic activity detection is
 * enabled."`; the emulator applies that rule when asked to (`LiveEmulatorOptions.strictActivity`).
 */
import { CLOSE_REASONS, type CloseSpec } from './closes.js';
import { pcmDurationMs } from './audio.js';
import type { RealtimeInputBody, SetupBody } from './types.js';

/** One activity bracket a client sent. */
export interface ActivityBracket {
  /** Index in the connection's `frames` of its `activityStart`. */
  readonly startFrame: number;
  /** Index of its `activityEnd`; undefined while it is open. */
  endFrame: number | undefined;
  /** Milliseconds of audio received inside it. */
  audioMs: number;
  /** The audio received inside it, as sent (16 kHz PCM16 from a session), in order. */
  readonly audio: Uint8Array;
}

/** What a connection heard of the user's activity. */
export interface ActivityView {
  /** Whether setup left the server's automatic activity detection on (the default). */
  readonly automaticDetection: boolean;
  /** Every bracket, in order; the last may be open. */
  readonly brackets: readonly ActivityBracket[];
  /** Milliseconds of audio received outside any bracket. */
  readonly audioOutsideMs: number;
}

/** Whether a setup leaves automatic activity detection on. */
export function automaticDetectionOf(setup: SetupBody | undefined): boolean {
  const realtime = setup?.['realtimeInputConfig'];
  const detection = typeof realtime === 'object' && realtime !== null ? (realtime as Record<string, unknown>)['automaticActivityDetection'] : undefined;
  return !(typeof detection === 'object' && detection !== null && (detection as Record<string, unknown>)['disabled'] === true);
}

/** The close an explicit activity signal gets under automatic detection, with `strictActivity`. */
export const EXPLICIT_ACTIVITY_REFUSED: CloseSpec = {
  code: CLOSE_REASONS.invalidArgument.code,
  reason: 'Explicit activity control is not supported when automatic activity detection is enabled.',
};

/** Why the service would refuse this input on a connection with detection on; undefined when it would not. */
export function explicitActivityProblem(input: RealtimeInputBody, automaticDetection: boolean): string | undefined {
  if (!automaticDetection || (input.activityStart === undefined && input.activityEnd === undefined)) return undefined;
  return `${input.activityStart !== undefined ? 'activityStart' : 'activityEnd'} with automatic activity detection on`;
}

/** Records the brackets and the audio of one connection. */
export class ActivityRecorder implements ActivityView {
  automaticDetection = true;
  readonly brackets: ActivityBracketRecord[] = [];
  audioOutsideMs = 0;

  /** Setup arrived. */
  setup(setup: SetupBody | undefined): void {
    this.automaticDetection = automaticDetectionOf(setup);
  }

  /** One accepted `realtimeInput`, the `frame`-th frame of the connection. */
  record(input: RealtimeInputBody, frame: number): void {
    const open = this.brackets.at(-1)?.endFrame === undefined ? this.brackets.at(-1) : undefined;
    if (input.activityStart !== undefined && !open) this.brackets.push(new ActivityBracketRecord(frame));
    if (input.activityEnd !== undefined && open) open.endFrame = frame;
    if (!input.audio) return;
    const decoded = Buffer.from(input.audio.data, 'base64');
    const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.length);
    const ms = pcmDurationMs(bytes.length, input.audio.mimeType);
    if (open) open.add(bytes, ms);
    else this.audioOutsideMs += ms;
  }
}

/** A bracket being recorded: its audio kept in chunks, joined when read. */
class ActivityBracketRecord implements ActivityBracket {
  endFrame: number | undefined;
  audioMs = 0;
  private chunks: Uint8Array[] = [];

  constructor(readonly startFrame: number) {}

  add(bytes: Uint8Array, ms: number): void {
    this.chunks.push(bytes);
    this.audioMs += ms;
  }

  get audio(): Uint8Array {
    if (this.chunks.length !== 1) {
      const joined = new Uint8Array(this.chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      let offset = 0;
      for (const chunk of this.chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      this.chunks = [joined];
    }
    return this.chunks[0] as Uint8Array;
  }
}
