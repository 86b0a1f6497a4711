/**
 * What the fuzz world hands the session that it should not: bad values from the application (the
 * front door must refuse them, count them and send nothing), bad mic sources, and server frames
 * that are not JSON or not the shape of any message. And the mic's own frames, each marked with a
 * serial number so that the world can count them wherever they go (see {@link MicMeter}).
 */
import type { InspectionEvent } from 'xstate';
import type { LiveSession } from '../../src/index.js';
import type { RecordedFrame } from '../../src/testing/index.js';

/** A call that takes whatever it is given, as an application without types might make it. */
function loosely<F>(method: F): (...args: unknown[]) => void {
  return method as unknown as (...args: unknown[]) => void;
}

/** Bad values the application hands the session, by name, and the input kind each is counted as. */
export const BAD_INPUTS = {
  audioNull: { kind: 'audio', send: (s: LiveSession) => loosely(s.sendAudio)(null) },
  audioNumber: { kind: 'audio', send: (s: LiveSession) => loosely(s.sendAudio)(42) },
  audioArray: { kind: 'audio', send: (s: LiveSession) => loosely(s.sendAudio)([0, 0]) },
  audioOdd: { kind: 'audio', send: (s: LiveSession) => s.sendAudio(new Uint8Array(641)) },
  audioEmpty: { kind: 'audio', send: (s: LiveSession) => s.sendAudio(new Uint8Array(0)) },
  textNumber: { kind: 'text', send: (s: LiveSession) => loosely(s.sendText)(123) },
  textEmpty: { kind: 'text', send: (s: LiveSession) => s.sendText('') },
  videoMime: { kind: 'video', send: (s: LiveSession) => s.sendVideo(new Uint8Array([0xff, 0xd8]), 'audio/pcm') },
  videoNotBytes: { kind: 'video', send: (s: LiveSession) => loosely(s.sendVideo)('jpeg', 'image/jpeg') },
} as const;
export type BadInput = keyof typeof BAD_INPUTS;

/** A source whose iterator throws as it is opened: the front door takes it, the mic actor fails. */
const throwsOnOpen: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]() {
    throw new Error('the microphone could not be opened');
  },
};

/** A source that yields something that is not bytes. */
async function* yieldsText(): AsyncGenerator<unknown> {
  yield 'not audio';
}

/**
 * Bad mic sources, by name. `refused`: the front door refuses it (an INVALID_INPUT error, nothing
 * counted, the mic attached before keeps running). The others are taken, replace the mic attached
 * before, and fail inside the mic actor, which the session must survive.
 */
export const BAD_MICS = {
  buffer: { refused: true, attach: (s: LiveSession) => loosely(s.attachMic)(Buffer.from([0, 0])) },
  null: { refused: true, attach: (s: LiveSession) => loosely(s.attachMic)(null) },
  array: { refused: true, attach: (s: LiveSession) => loosely(s.attachMic)([new Uint8Array(2)]) },
  chunkSize: { refused: true, attach: (s: LiveSession) => s.attachMic(yieldsNothing(), { maxChunkBytes: 1 }) },
  throwsOnOpen: { refused: false, attach: (s: LiveSession) => s.attachMic(throwsOnOpen) },
  yieldsText: { refused: false, attach: (s: LiveSession) => loosely(s.attachMic)(yieldsText()) },
} as const;
export type BadMic = keyof typeof BAD_MICS;

async function* yieldsNothing(): AsyncGenerator<Uint8Array> {
  // A source with nothing in it: refused for its chunk size before it is read.
}

/** Server frames that are not JSON, or not the shape of any message (each must become `server.malformed`). */
export const JUNK = {
  notJson: 'not json',
  number: 42,
  null: null,
  array: [1, 2],
  badCancel: { toolCallCancellation: { ids: 'c1' } },
  badGoAway: { goAway: 5 },
  badParts: { serverContent: { modelTurn: { parts: 'audio' } } },
  badUsage: { usageMetadata: 3 },
  badCallId: { toolCall: { functionCalls: [{ id: 7, name: 'work', args: {} }] } },
  callWithoutName: { toolCall: { functionCalls: [{ id: 'x', args: {} }] } },
} as const;
export type Junk = keyof typeof JUNK;

/** What rides beside a good toolCall in a `withJunk` message: a bad cancellation and a call with no name. */
export const JUNK_BESIDE_CALLS = { toolCallCancellation: { ids: [3] }, badCall: { name: 5 } } as const;

/** 20 ms of 16 kHz PCM16 from the application: silence. */
export const APP_FRAME = new Uint8Array(640);

/** The first byte of a mic frame; the next four are its serial number. */
const MIC_TAG = 0x7f;

/** A mic frame: 20 ms of 16 kHz PCM16 marked with its serial number. */
export function micFrame(serial: number): Uint8Array {
  const frame = new Uint8Array(640);
  frame[0] = MIC_TAG;
  new DataView(frame.buffer).setUint32(1, serial, true);
  return frame;
}

function serialOf(data: unknown): number | undefined {
  if (!(data instanceof Uint8Array) || data.length < 5 || data[0] !== MIC_TAG) return undefined;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1, true);
}

/**
 * Counts the mic frames handed to the session, exactly, whichever way each went: as an event the
 * machine processed (seen by inspection), or through the fast lane straight to the wire (seen
 * there). A frame the mic actor read but never handed over (it was stopped meanwhile) is in
 * neither, as it is in no count of the session's.
 */
export class MicMeter {
  /** Serials the machine processed as `input.audio` events. */
  readonly byMachine = new Set<number>();
  /** Serials that reached the wire. */
  readonly onWire = new Set<number>();
  private cursor = 0;

  /** Every mic frame handed over, by either way. */
  get handed(): number {
    let count = this.byMachine.size;
    for (const serial of this.onWire) if (!this.byMachine.has(serial)) count += 1;
    return count;
  }

  /** Mic frames that took the fast lane (reached the wire without being an event). */
  get throughLane(): number {
    return this.handed - this.byMachine.size;
  }

  /** The session's inspection observer calls this with every inspection event. */
  inspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.event' || event.actorRef.sessionId !== event.rootId) return;
    const serial = event.event.type === 'input.audio' ? serialOf((event.event as { data?: unknown }).data) : undefined;
    if (serial !== undefined) this.byMachine.add(serial);
  }

  /** Reads the frames the server got since the last call. */
  read(frames: readonly RecordedFrame[]): void {
    for (; this.cursor < frames.length; this.cursor += 1) {
      const { frame } = frames[this.cursor] as RecordedFrame;
      const serial = frame.type === 'realtimeInput' && frame.input.kind === 'audio' ? serialOf(frame.input.data) : undefined;
      if (serial !== undefined) this.onWire.add(serial);
    }
  }
}
