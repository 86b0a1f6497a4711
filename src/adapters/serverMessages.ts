/**
 * Turns one server message into the machine's events. Tolerant of what the real service adds
 * (unknown fields, `executableCode` parts, Vertex's `setupComplete.sessionId`) and strict about
 * what the session relies on: anything it cannot use becomes a `server.malformed` event.
 */
import { decodeBase64 } from '../protocol/base64.js';
import { ProtocolError } from '../protocol/errors.js';
import type { FunctionCall, UsageMetadata } from '../protocol/messages.js';
import type { ServerContent, ServerEvent } from '../machines/types.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

class Malformed extends Error {}

function fail(what: string): never {
  throw new Malformed(what);
}

/**
 * The machine events of one server message, in the order the session should see them.
 *
 * @example
 * ```ts
 * toServerEvents({ toolCall: { functionCalls: [{ id: '1', name: 'f', args: {} }] } }, 1);
 * // [{ type: 'server.toolCall', generation: 1, calls: [{ id: '1', name: 'f', args: {} }] }]
 * ```
 */
export function toServerEvents(message: unknown, generation: number): ServerEvent[] {
  if (typeof message === 'string') return [malformed(`a server frame is not a JSON object: ${message.slice(0, 80)}`, message, generation)];
  if (!isObject(message)) return [malformed('a server message must be a JSON object', message, generation)];
  const events: ServerEvent[] = [];
  // Each field is parsed on its own, so that one bad field does not hide a good one beside it.
  const parse = (field: string, toEvent: (value: unknown) => ServerEvent | undefined) => {
    const value = message[field];
    if (value === undefined || value === null) return;
    try {
      const event = toEvent(value);
      if (event) events.push(event);
    } catch (error) {
      if (!(error instanceof Malformed)) throw error;
      events.push(malformed(`${field}: ${error.message}`, message, generation));
    }
  };
  parse('setupComplete', () => ({ type: 'server.setupComplete', generation }));
  parse('serverContent', (value) => ({ type: 'server.content', generation, content: parseContent(value) }));
  parse('usageMetadata', (value) => {
    if (!isObject(value)) fail('must be an object');
    return { type: 'server.usage', generation, usage: parseUsage(value) };
  });
  parse('sessionResumptionUpdate', (value) => {
    if (!isObject(value)) fail('must be an object');
    const handle = value['newHandle'];
    if (handle !== undefined && typeof handle !== 'string') fail('newHandle must be a string');
    return { type: 'server.resumptionUpdate', generation, handle, resumable: value['resumable'] === true };
  });
  parse('toolCallCancellation', (value) => {
    if (!isObject(value) || !Array.isArray(value['ids'])) fail('ids must be an array');
    const ids = value['ids'].filter((id): id is string => typeof id === 'string');
    if (ids.length !== value['ids'].length) fail('ids must be strings');
    return { type: 'server.toolCallCancellation', generation, ids };
  });
  // After the others: a toolCall's calls start running as soon as the machine sees them.
  parse('toolCall', (value) => parseToolCall(value, message, generation, events));
  parse('goAway', (value) => {
    if (!isObject(value)) fail('must be an object');
    return { type: 'server.goAway', generation, timeLeftMs: parseDuration(value['timeLeft']) };
  });
  return events;
}

function malformed(reason: string, received: unknown, generation: number): ServerEvent {
  return { type: 'server.malformed', generation, error: new ProtocolError('MALFORMED_MESSAGE', reason, received) };
}

function parseToolCall(value: unknown, message: Json, generation: number, events: ServerEvent[]): ServerEvent {
  if (!isObject(value) || !Array.isArray(value['functionCalls'])) fail('functionCalls must be an array');
  const calls: FunctionCall[] = [];
  for (const raw of value['functionCalls']) {
    // A call with no usable name cannot be answered; report it and still gate on the others.
    if (!isObject(raw) || typeof raw['name'] !== 'string' || raw['name'] === '') {
      events.push(malformed('toolCall: a function call has no name', message, generation));
      continue;
    }
    const id = raw['id'];
    if (id !== undefined && typeof id !== 'string') {
      events.push(malformed('toolCall: a function call id is not a string', message, generation));
      continue;
    }
    // Arguments are kept as they are, unchecked: the tool's schema checks them (INVALID_ARGS).
    const args = raw['args'] ?? {};
    calls.push(id === undefined ? { name: raw['name'], args } : { id, name: raw['name'], args });
  }
  if (calls.length === 0) fail('no usable function call');
  return { type: 'server.toolCall', generation, calls };
}

/** Usage metadata: the token counts that are numbers, and every other field as it came. */
function parseUsage(value: Json): UsageMetadata {
  const usage: UsageMetadata = { ...value };
  for (const field of ['promptTokenCount', 'responseTokenCount', 'totalTokenCount'] as const) {
    if (usage[field] !== undefined && typeof usage[field] !== 'number') delete usage[field];
  }
  return usage;
}

function parseContent(value: unknown): ServerContent {
  if (!isObject(value)) fail('must be an object');
  const content: ServerContent = {
    audio: [],
    text: [],
    inputTranscription: parseTranscription(value['inputTranscription'], 'inputTranscription'),
    outputTranscription: parseTranscription(value['outputTranscription'], 'outputTranscription'),
    interrupted: value['interrupted'] === true,
    generationComplete: value['generationComplete'] === true,
    turnComplete: value['turnComplete'] === true,
    waitingForInput: value['waitingForInput'] === true,
    interactionStatus: parseInteractionStatus(value['interactionStatus']),
  };
  const turn = value['modelTurn'];
  if (turn === undefined) return content;
  if (!isObject(turn)) fail('modelTurn must be an object');
  const parts = turn['parts'] ?? [];
  if (!Array.isArray(parts)) fail('modelTurn.parts must be an array');
  for (const part of parts) {
    if (!isObject(part)) fail('a part must be an object');
    const inline = part['inlineData'];
    if (isObject(inline)) {
      const { data, mimeType } = inline;
      if (typeof data !== 'string' || typeof mimeType !== 'string') fail('inlineData needs data and mimeType');
      if (!mimeType.startsWith('audio/')) continue;
      try {
        content.audio.push({ data: decodeBase64(data), mimeType });
      } catch {
        fail('inlineData.data is not base64');
      }
    } else if (typeof part['text'] === 'string' && part['thought'] !== true) {
      content.text.push(part['text']);
    }
    // executableCode, codeExecutionResult and thoughts carry nothing the session forwards.
  }
  return content;
}

/** IN_PROGRESS or IDLE; REQUIRES_ACTION, deprecated in favour of IDLE, is taken as IDLE. */
function parseInteractionStatus(value: unknown): ServerContent['interactionStatus'] {
  if (value === 'IN_PROGRESS') return 'IN_PROGRESS';
  if (value === 'IDLE' || value === 'REQUIRES_ACTION') return 'IDLE';
  return undefined;
}

function parseTranscription(value: unknown, field: string): ServerContent['inputTranscription'] {
  if (value === undefined) return undefined;
  if (!isObject(value)) fail(`${field} must be an object`);
  const text = value['text'] ?? '';
  if (typeof text !== 'string') fail(`${field}.text must be a string`);
  return { text, finished: value['finished'] === true };
}

/** `"50s"` or `"1.5s"` (protobuf Duration JSON) in milliseconds; undefined when absent or odd. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
    return match ? finiteMs(Number(match[1]) * 1000) : undefined;
  }
  if (isObject(value)) {
    const seconds = toNumber(value['seconds'] ?? 0);
    const nanos = toNumber(value['nanos'] ?? 0);
    return Number.isFinite(seconds) && Number.isFinite(nanos) ? finiteMs(seconds * 1000 + nanos / 1e6) : undefined;
  }
  return undefined;
}

/** Whole milliseconds; undefined for a duration too long to be a number (it overflows to Infinity). */
function finiteMs(ms: number): number | undefined {
  const rounded = Math.round(ms);
  return Number.isFinite(rounded) ? rounded : undefined;
}

/**
 * A JSON number or numeric string as a number, NaN for anything else: `Number()` of an object
 * whose own `toString` and `valueOf` are not functions throws, and would take the whole message
 * down with this one field.
 */
function toNumber(value: unknown): number {
  return typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
}
