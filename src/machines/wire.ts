/**
 * What the machine puts on the wire: the realtime input of an input event, and the function
 * response of a settled call. Pure mappings, kept out of the chart.
 */
import type { FunctionCall, FunctionResponse, RealtimeInput, RealtimeInputKind } from '../protocol/messages.js';
import type { InputEvent, ToolResultEvent } from './types.js';

/** The input kind of an input event: `input.audio` → `audio`. */
export function inputKind(event: InputEvent): RealtimeInputKind {
  return event.type.slice('input.'.length) as RealtimeInputKind;
}

/** The wire form of an input event. */
export function toRealtimeInput(event: InputEvent): RealtimeInput {
  switch (event.type) {
    case 'input.audio':
      return { kind: 'audio', data: event.data, mimeType: event.mimeType ?? 'audio/pcm;rate=16000' };
    case 'input.video':
      return { kind: 'video', data: event.data, mimeType: event.mimeType };
    case 'input.text':
      return { kind: 'text', text: event.text };
    case 'input.activityStart':
      return { kind: 'activityStart' };
    case 'input.activityEnd':
      return { kind: 'activityEnd' };
    case 'input.audioStreamEnd':
      return { kind: 'audioStreamEnd' };
  }
}

/** The function response the server gets for a settled call. */
export function toFunctionResponse(result: Pick<ToolResultEvent, 'call' | 'outcome' | 'scheduling'>): FunctionResponse {
  const { call, outcome, scheduling } = result;
  const response: FunctionResponse['response'] =
    outcome.status === 'ok' ? { output: outcome.output } : { error: outcome.error.reason };
  const answer: FunctionResponse = call.id === undefined ? { name: call.name, response } : { id: call.id, name: call.name, response };
  if (scheduling) answer.scheduling = scheduling;
  return answer;
}

/** The pending set's key of a call: its id, or (Vertex AI may send none) a key of our own. */
export function callKey(call: FunctionCall, batch: number, index: number): string {
  return call.id ?? `${call.name}#${batch}.${index}`;
}
