/**
 * The front door: every value the application hands a session is checked before the machine sees
 * it. A value that is not input of its kind is dropped (counted `invalid`) with an
 * `InvalidInputError`, and never sent: the service would close the connection on it (1007), or
 * a child actor would fail on it.
 */
import type { InputEvent } from '../machines/types.js';
import { INPUT_AUDIO_MIME_TYPE } from '../protocol/messages.js';

/** The input event for a value, or why the value is refused. */
export type Checked = { event: InputEvent } | { problem: string };

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `a ${typeof value}`;
}

/** A chunk of 16 kHz PCM16: bytes, whole samples, not empty. */
export function checkAudio(pcm: unknown): Checked {
  if (!(pcm instanceof Uint8Array)) return { problem: `audio must be a Uint8Array of 16 kHz PCM16, got ${describeValue(pcm)}` };
  if (pcm.byteLength === 0) return { problem: 'an audio chunk is empty' };
  if (pcm.byteLength % 2 !== 0) return { problem: `an audio chunk of ${pcm.byteLength} bytes splits a 16-bit sample` };
  return { event: { type: 'input.audio', data: pcm, mimeType: INPUT_AUDIO_MIME_TYPE } };
}

/** A video frame: image bytes with an `image/*` MIME type. */
export function checkVideo(frame: unknown, mimeType: unknown): Checked {
  if (!(frame instanceof Uint8Array)) return { problem: `a video frame must be a Uint8Array, got ${describeValue(frame)}` };
  if (frame.byteLength === 0) return { problem: 'a video frame is empty' };
  if (typeof mimeType !== 'string' || !/^image\/[\w.+-]+$/.test(mimeType)) {
    return { problem: `a video frame needs an image/* MIME type, got ${describeValue(mimeType)}` };
  }
  return { event: { type: 'input.video', data: frame, mimeType } };
}

/** Realtime text: a string with something in it. */
export function checkText(text: unknown): Checked {
  if (typeof text !== 'string') return { problem: `text must be a string, got ${describeValue(text)}` };
  if (text === '') return { problem: 'text is empty' };
  return { event: { type: 'input.text', text } };
}

/** Why a mic source cannot be read, if it cannot: it must be an async iterable of byte chunks. */
export function micSourceProblem(source: unknown, maxChunkBytes: unknown): string | undefined {
  const iterable = typeof source === 'object' && source !== null && typeof Reflect.get(source, Symbol.asyncIterator) === 'function';
  if (!iterable) {
    return `a mic source must be an async iterable of PCM16 chunks (a Node Readable is one), got ${describeValue(source)}`;
  }
  if (maxChunkBytes !== undefined && (typeof maxChunkBytes !== 'number' || !Number.isInteger(maxChunkBytes) || maxChunkBytes < 2)) {
    return `maxChunkBytes must be an integer of at least 2, got ${String(maxChunkBytes)}`;
  }
  return undefined;
}

/** Why conversation turns cannot be sent, if they cannot: each needs a role and parts of text or inline data. */
export function contentProblem(turns: unknown): string | undefined {
  if (!Array.isArray(turns) || turns.length === 0) return `clientContent needs a non-empty array of turns, got ${describeValue(turns)}`;
  for (const [index, turn] of turns.entries()) {
    const role: unknown = typeof turn === 'object' && turn !== null ? Reflect.get(turn, 'role') : undefined;
    const parts: unknown = typeof turn === 'object' && turn !== null ? Reflect.get(turn, 'parts') : undefined;
    if (role !== 'user' && role !== 'model') return `turn ${index} needs a role of 'user' or 'model'`;
    if (!Array.isArray(parts) || parts.length === 0 || !parts.every(isPart)) return `turn ${index} needs parts of text or inline data`;
  }
  return undefined;
}

function isPart(part: unknown): boolean {
  if (typeof part !== 'object' || part === null) return false;
  const text: unknown = Reflect.get(part, 'text');
  const inline: unknown = Reflect.get(part, 'inlineData');
  if (typeof text === 'string') return true;
  return typeof inline === 'object' && inline !== null && typeof Reflect.get(inline, 'data') === 'string' && typeof Reflect.get(inline, 'mimeType') === 'string';
}
