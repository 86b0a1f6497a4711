/**
 * The running totals of one emulator connection: what the client sent, counted as it arrives.
 */
import { base64ByteLength, pcmDurationMs } from './audio.js';
import type { ClientContentBody, ConnectionCounters, ConversationState, RealtimeInputBody } from './types.js';

/** Totals of a connection that has received nothing. */
export function emptyConnectionCounters(): ConnectionCounters {
  return {
    framesReceived: 0,
    setups: 0,
    audioMs: 0,
    audioFrames: 0,
    videoFrames: 0,
    texts: 0,
    activityStarts: 0,
    activityEnds: 0,
    audioStreamEnds: 0,
    clientContents: 0,
    toolResponses: 0,
    toolResponsesSettled: 0,
    toolCallsSent: 0,
    graceTolerated: 0,
    callsCancelledByInput: 0,
    lateAnswers: 0,
    toolUpdates: 0,
  };
}

/** Counts one `realtimeInput` message; client text joins the conversation. */
export function countRealtimeInput(counters: ConnectionCounters, state: ConversationState, input: RealtimeInputBody): void {
  if (input.audio) {
    counters.audioFrames += 1;
    counters.audioMs += pcmDurationMs(base64ByteLength(input.audio.data), input.audio.mimeType);
  }
  if (input.video) counters.videoFrames += 1;
  if (input.text !== undefined) {
    counters.texts += 1;
    state.transcript.push({ role: 'user', text: input.text });
  }
  if (input.activityStart) counters.activityStarts += 1;
  if (input.activityEnd) counters.activityEnds += 1;
  if (input.audioStreamEnd) counters.audioStreamEnds += 1;
}

/** Counts one `clientContent` message; its text parts join the conversation. */
export function countClientContent(counters: ConnectionCounters, state: ConversationState, content: ClientContentBody): void {
  counters.clientContents += 1;
  for (const turn of content.turns ?? []) {
    // Only the shape of `turns` is checked on arrival; anything odd inside is simply not text.
    if (typeof turn !== 'object' || turn === null || !Array.isArray(turn.parts)) continue;
    const role = turn.role === 'model' ? 'model' : 'user';
    for (const part of turn.parts) {
      if (typeof part === 'object' && part !== null && typeof part.text === 'string') state.transcript.push({ role, text: part.text });
    }
  }
}
