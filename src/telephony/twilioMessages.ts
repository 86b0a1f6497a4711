/**
 * Twilio Media Streams on the wire: the JSON text messages Twilio sends (`connected`, `start`,
 * `media`, `dtmf`, `mark`, `stop`), checked as they arrive, and the ones a bidirectional stream
 * sends back (`media`, `mark`, `clear`). Field names follow Twilio's "Media Streams - WebSocket
 * Messages" page.
 */
import { TelephonyError } from '../protocol/errors.js';

/** The call's audio format, from the `start` message. Twilio sends `audio/x-mulaw`, 8000 Hz, mono. */
export interface MediaFormat {
  encoding: string;
  sampleRate: number;
  channels: number;
}

/** What `start` tells about the stream. */
export interface TwilioStreamStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  /** The tracks to expect (`inbound`, and `outbound` on unidirectional streams that ask for it). */
  tracks: string[];
  /** The `<Parameter>`s of the TwiML `<Stream>`. */
  customParameters: Record<string, string>;
  mediaFormat: MediaFormat;
}

/** A message from Twilio, checked. */
export type TwilioInbound =
  | { event: 'connected'; protocol: string; version: string }
  | { event: 'start'; sequenceNumber: number; start: TwilioStreamStart }
  | { event: 'media'; sequenceNumber: number; media: { track: string; chunk: number; timestamp: number; payload: string } }
  | { event: 'dtmf'; sequenceNumber: number; dtmf: { track: string; digit: string } }
  | { event: 'mark'; sequenceNumber: number; mark: { name: string } }
  | { event: 'stop'; sequenceNumber: number; stop: { callSid: string; accountSid: string } }
  /** An event this adapter does not know (Twilio may add some): ignored. */
  | { event: 'unknown'; name: string };

/** A message to Twilio (bidirectional streams only). */
export type TwilioOutbound =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Twilio sends numbers as strings (`"sequenceNumber": "2"`); either is taken. */
const numeric = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Reads one text message from Twilio. Throws a `TelephonyError` (`TELEPHONY_MALFORMED_MESSAGE`)
 * naming what is wrong, for anything that is not JSON or lacks a field its event needs.
 */
export function parseTwilioMessage(data: string): TwilioInbound {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch (error) {
    throw new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', `a Media Streams message is not JSON: ${data.slice(0, 80)}`, { received: data, cause: error });
  }
  const malformed = (what: string) => new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', `a Media Streams '${String(event)}' message ${what}`, { received: message });
  if (!isObject(message)) throw new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', 'a Media Streams message is not an object', { received: message });
  const event = message['event'];
  if (typeof event !== 'string') throw malformed('has no event');
  const sequenceNumber = numeric(message['sequenceNumber']) ?? 0;
  switch (event) {
    case 'connected':
      return { event, protocol: text(message['protocol']) ?? '', version: text(message['version']) ?? '' };
    case 'start': {
      const start = message['start'];
      if (!isObject(start)) throw malformed('has no start object');
      const streamSid = text(start['streamSid']) ?? text(message['streamSid']);
      if (streamSid === undefined || streamSid === '') throw malformed('has no streamSid');
      const format = isObject(start['mediaFormat']) ? start['mediaFormat'] : {};
      const parameters = isObject(start['customParameters']) ? start['customParameters'] : {};
      return {
        event,
        sequenceNumber,
        start: {
          streamSid,
          callSid: text(start['callSid']) ?? '',
          accountSid: text(start['accountSid']) ?? '',
          tracks: Array.isArray(start['tracks']) ? start['tracks'].filter((t): t is string => typeof t === 'string') : [],
          customParameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)])),
          mediaFormat: {
            encoding: text(format['encoding']) ?? '',
            sampleRate: numeric(format['sampleRate']) ?? 0,
            channels: numeric(format['channels']) ?? 0,
          },
        },
      };
    }
    case 'media': {
      const media = message['media'];
      if (!isObject(media) || typeof media['payload'] !== 'string') throw malformed('has no media.payload');
      return {
        event,
        sequenceNumber,
        media: {
          track: text(media['track']) ?? 'inbound',
          chunk: numeric(media['chunk']) ?? 0,
          timestamp: numeric(media['timestamp']) ?? 0,
          payload: media['payload'],
        },
      };
    }
    case 'dtmf': {
      const dtmf = message['dtmf'];
      if (!isObject(dtmf) || typeof dtmf['digit'] !== 'string') throw malformed('has no dtmf.digit');
      return { event, sequenceNumber, dtmf: { track: text(dtmf['track']) ?? '', digit: dtmf['digit'] } };
    }
    case 'mark': {
      const mark = message['mark'];
      if (!isObject(mark) || typeof mark['name'] !== 'string') throw malformed('has no mark.name');
      return { event, sequenceNumber, mark: { name: mark['name'] } };
    }
    case 'stop': {
      const stop = isObject(message['stop']) ? message['stop'] : {};
      return { event, sequenceNumber, stop: { callSid: text(stop['callSid']) ?? '', accountSid: text(stop['accountSid']) ?? '' } };
    }
    default:
      return { event: 'unknown', name: event };
  }
}

/** Whether `format` is what the adapter converts: μ-law, 8 kHz, mono. */
export function isMulaw8k(format: MediaFormat): boolean {
  return format.encoding === 'audio/x-mulaw' && format.sampleRate === 8_000 && format.channels === 1;
}
