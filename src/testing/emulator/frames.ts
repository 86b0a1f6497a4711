/**
 * Client frame parsing and server frame building: the only place that knows the JSON shapes.
 *
 * Parsing checks shape only (is this a well-formed client message?); whether it is allowed right
 * now is the job of `rules.ts`.
 */
import type {
  ClientMessage,
  FunctionResponseBody,
  InteractionStatus,
  MediaBlob,
  ToolCallSpec,
  UsageInput,
} from './types.js';

/** The MIME type the real service puts on model audio: 24 kHz, 16-bit little-endian PCM. */
export const OUTPUT_AUDIO_MIME_TYPE = 'audio/pcm;rate=24000';

/** Top-level keys of a client message; a message carries exactly one of them. */
const CLIENT_KEYS = ['setup', 'realtimeInput', 'toolResponse', 'clientContent', 'contextUpdate'] as const;

/** `realtimeInput` fields the current API accepts. `mediaChunks` is deliberately absent. */
const REALTIME_KEYS = new Set(['audio', 'video', 'text', 'activityStart', 'activityEnd', 'audioStreamEnd']);

/** A JSON message the emulator sends. */
export type ServerMessage = Record<string, unknown>;

/** The outcome of parsing one client frame. */
export type ParsedFrame =
  | { ok: true; message: ClientMessage }
  | { ok: false; problem: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMediaBlob(value: unknown): value is MediaBlob {
  return isObject(value) && typeof value.data === 'string' && typeof value.mimeType === 'string';
}

function realtimeProblem(body: Record<string, unknown>): string | undefined {
  if ('mediaChunks' in body) return 'realtimeInput.mediaChunks is not supported';
  for (const key of Object.keys(body)) {
    if (!REALTIME_KEYS.has(key)) return `unknown realtimeInput field ${key}`;
  }
  if (body.audio !== undefined && !isMediaBlob(body.audio)) return 'realtimeInput.audio is malformed';
  if (body.video !== undefined && !isMediaBlob(body.video)) return 'realtimeInput.video is malformed';
  if (body.text !== undefined && typeof body.text !== 'string') return 'realtimeInput.text is not a string';
  if (body.activityStart !== undefined && !isObject(body.activityStart)) return 'activityStart is malformed';
  if (body.activityEnd !== undefined && !isObject(body.activityEnd)) return 'activityEnd is malformed';
  if (body.audioStreamEnd !== undefined && typeof body.audioStreamEnd !== 'boolean') {
    return 'audioStreamEnd is not a boolean';
  }
  return undefined;
}

function isFunctionResponse(value: unknown): value is FunctionResponseBody {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    (value.id === undefined || typeof value.id === 'string')
  );
}

function bodyProblem(key: (typeof CLIENT_KEYS)[number], body: unknown): string | undefined {
  if (!isObject(body)) return `${key} is not an object`;
  switch (key) {
    case 'setup':
      if (typeof body.model !== 'string') return 'setup.model is missing';
      if (body.sessionResumption !== undefined) {
        const resumption = body.sessionResumption;
        if (!isObject(resumption)) return 'setup.sessionResumption is not an object';
        if (resumption.handle !== undefined && typeof resumption.handle !== 'string') {
          return 'setup.sessionResumption.handle is not a string';
        }
      }
      return undefined;
    case 'realtimeInput':
      return realtimeProblem(body);
    case 'toolResponse': {
      const responses = body.functionResponses;
      if (!Array.isArray(responses) || responses.length === 0) return 'toolResponse.functionResponses is empty';
      return responses.every(isFunctionResponse) ? undefined : 'a function response is malformed';
    }
    case 'clientContent':
      if (body.turns !== undefined && !Array.isArray(body.turns)) return 'clientContent.turns is not an array';
      return undefined;
    case 'contextUpdate':
      return contextUpdateProblem(body);
  }
}

/**
 * `contextUpdate.tools` is a wrapper message around the list (`{ tools: [...] }`), as the 3.x SDK
 * writes it; a bare list is what a proto parser refuses as "not repeating".
 */
function contextUpdateProblem(body: Record<string, unknown>): string | undefined {
  if (body.tools === undefined) return undefined;
  if (!isObject(body.tools)) return 'contextUpdate.tools is not a wrapper ({ tools: [...] })';
  const list = body.tools.tools;
  if (list !== undefined && !Array.isArray(list)) return 'contextUpdate.tools.tools is not a list';
  return undefined;
}

/**
 * Parses one client frame. Anything the real service would refuse as malformed (not JSON, not one
 * known message, `mediaChunks`, a function response without a name) comes back as a problem.
 */
export function parseClientFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, problem: 'not a JSON object' };
  const keys = Object.keys(value);
  const key = CLIENT_KEYS.find((known) => known === keys[0]);
  if (keys.length !== 1 || key === undefined) {
    return { ok: false, problem: `expected exactly one of ${CLIENT_KEYS.join(', ')}` };
  }
  const problem = bodyProblem(key, value[key]);
  // The checks above are exactly what the ClientMessage type promises.
  return problem === undefined ? { ok: true, message: value as ClientMessage } : { ok: false, problem };
}

/** Encodes a server message the way the real service does: pretty-printed JSON. */
export function encodeServerFrame(message: unknown): Buffer {
  return Buffer.from(JSON.stringify(message, null, 2));
}

/** `{"setupComplete":{}}` */
export function setupCompleteFrame(): ServerMessage {
  return { setupComplete: {} };
}

/** A model turn with one base64 24 kHz PCM audio part. */
export function modelAudioFrame(pcm: Uint8Array): ServerMessage {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
  return { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: OUTPUT_AUDIO_MIME_TYPE, data } }] } } };
}

/** A model turn with one text part. */
export function modelTextFrame(text: string): ServerMessage {
  return { serverContent: { modelTurn: { parts: [{ text }] } } };
}

/**
 * A transcription of the user's audio; `finished` marks its end (a field of the SDK's
 * `Transcription` type; not seen in the recordings of real traffic, so unverified).
 */
export function inputTranscriptionFrame(text: string, finished?: boolean): ServerMessage {
  return { serverContent: { inputTranscription: finished === undefined ? { text } : { text, finished } } };
}

/** A transcription of the model's audio. */
export function outputTranscriptionFrame(text: string): ServerMessage {
  return { serverContent: { outputTranscription: { text } } };
}

/** The model stopped speaking because the user barged in. */
export function interruptedFrame(): ServerMessage {
  return { serverContent: { interrupted: true } };
}

/** The model finished generating (audio may still be playing out on the client). */
export function generationCompleteFrame(): ServerMessage {
  return { serverContent: { generationComplete: true } };
}

function usageMetadata(usage: UsageInput): Record<string, number> {
  const promptTokenCount = usage.promptTokenCount ?? 120;
  const responseTokenCount = usage.responseTokenCount ?? 40;
  return {
    promptTokenCount,
    responseTokenCount,
    totalTokenCount: usage.totalTokenCount ?? promptTokenCount + responseTokenCount,
  };
}

/**
 * End of the model's turn; the real service carries `usageMetadata` in the same frame. Models that
 * report `interactionStatus` send it here: the SDK's types say it is "always sent alongside
 * `turn_complete`".
 */
export function turnCompleteFrame(usage?: UsageInput, interactionStatus?: InteractionStatus): ServerMessage {
  const serverContent: Record<string, unknown> = { turnComplete: true };
  if (interactionStatus !== undefined) serverContent.interactionStatus = interactionStatus;
  const frame: Record<string, unknown> = { serverContent };
  if (usage) frame.usageMetadata = usageMetadata(usage);
  return frame;
}

/**
 * `interactionStatus` on its own. Not seen from the service, whose types say the status always
 * comes with `turnComplete`: for clients that must not depend on that.
 */
export function interactionStatusFrame(status: InteractionStatus): ServerMessage {
  return { serverContent: { interactionStatus: status } };
}

/** The model is not generating because it expects more from the user (3.x SDK types). */
export function waitingForInputFrame(): ServerMessage {
  return { serverContent: { waitingForInput: true } };
}

/** Usage on its own. */
export function usageFrame(usage: UsageInput = {}): ServerMessage {
  return { usageMetadata: usageMetadata(usage) };
}

/** A tool call; `id` is left out when the call has none (Vertex AI style). */
export function toolCallFrame(calls: readonly ToolCallSpec[]): ServerMessage {
  // Field order as the service writes it: name, args, id.
  const functionCalls = calls.map((call) =>
    call.id === undefined
      ? { name: call.name, args: call.args ?? {} }
      : { name: call.name, args: call.args ?? {}, id: call.id },
  );
  return { toolCall: { functionCalls } };
}

/** Withdraws tool calls (the model was interrupted). */
export function toolCallCancellationFrame(ids: readonly string[]): ServerMessage {
  return { toolCallCancellation: { ids: [...ids] } };
}

/** The connection will be closed in `timeLeft` (a protobuf Duration string such as `"50s"`). */
export function goAwayFrame(timeLeft: string): ServerMessage {
  return { goAway: { timeLeft } };
}

/** A resumption point. A non-resumable update carries no handle. */
export function resumptionUpdateFrame(newHandle: string | undefined, resumable: boolean): ServerMessage {
  return { sessionResumptionUpdate: newHandle === undefined ? { resumable } : { newHandle, resumable } };
}
