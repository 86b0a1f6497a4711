/**
 * A Twilio Media Streams call wired to a session in one call: the caller's μ-law 8 kHz goes to
 * `session.sendAudio` as 16 kHz PCM16, the model's audio goes back as μ-law frames of 20 ms
 * (paced, with marks), an `interrupted` clears what the call has buffered, and the marks Twilio
 * echoes say what the caller heard.
 */
import type { PlaybackReport } from '../audio/player.js';
import { decodeBase64, encodeBase64 } from '../protocol/base64.js';
import { describe, TelephonyError } from '../protocol/errors.js';
import type { LiveSession } from '../session/liveSession.js';
import { createCallPlayer, type CallOutput, type CallPlayer, type CallPlayerCounts, type CallPlayerOptions } from './callPlayer.js';
import { createInboundConverter } from './codec.js';
import { listen, type MediaStreamSocket } from './socket.js';
import { isMulaw8k, parseTwilioMessage, type TwilioOutbound, type TwilioStreamStart } from './twilioMessages.js';

/** What the adapter needs of a session. */
export type CallSession = Pick<LiveSession, 'on' | 'sendAudio'>;

/** Why a call's wiring ended. */
export interface TwilioCallEnd {
  /** `stop`: Twilio ended the stream (the call hung up, or the TwiML moved on); `socketClosed`: the socket closed without one; `detached`: `detach()` was called. */
  reason: 'stop' | 'socketClosed' | 'detached';
}

/** Options of {@link connectTwilioCall}. */
export interface TwilioCallOptions extends CallPlayerOptions {
  /** The stream started: its ids, its custom parameters, its media format. */
  onStart?: (start: TwilioStreamStart) => void;
  /** The caller pressed a key. */
  onDtmf?: (digit: string) => void;
  /** The model was interrupted: what the caller had heard of its turn (confirmed by marks). */
  onInterrupted?: (report: PlaybackReport) => void;
  /** A message that could not be read, a media format that is not μ-law 8 kHz, a failed send. Default: `console.warn`. */
  onError?: (error: TelephonyError) => void;
  /** The wiring ended (once). */
  onEnd?: (end: TwilioCallEnd) => void;
}

/** Counters of a call. */
export interface TwilioCallStats extends CallPlayerCounts {
  /** Media messages of the caller forwarded to the session. */
  inboundFrames: number;
  /** Their μ-law bytes (8 a ms). */
  inboundBytes: number;
  /** Media messages not forwarded: before `start`, of another track, or of a format the adapter does not convert. */
  inboundIgnored: number;
  /** Messages that could not be read. */
  malformed: number;
  /** Events the adapter does not know (ignored). */
  unknownEvents: number;
  /** Sends that threw. */
  sendFailures: number;
}

/** A call wired to a session. */
export interface TwilioCall {
  /** The stream's start message, once it came. */
  readonly start: TwilioStreamStart | undefined;
  /** Resolves once the wiring ends: Twilio stopped the stream, the socket closed, or `detach()`. */
  readonly ended: Promise<TwilioCallEnd>;
  /** The player of the model's audio onto the call. */
  readonly player: CallPlayer;
  stats(): TwilioCallStats;
  /** Unwires the call from the session and the socket (the socket stays open). Idempotent. */
  detach(): void;
}

/**
 * Wires a Twilio Media Streams WebSocket (a bidirectional `<Connect><Stream>`) to a session.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 * import { createLiveSession } from 'gemini-live-fsm';
 * import { connectTwilioCall } from 'gemini-live-fsm/telephony';
 *
 * new WebSocketServer({ port: 8080 }).on('connection', async (socket) => {
 *   const session = createLiveSession({ ai, model, config, tools });
 *   const call = connectTwilioCall(socket, session, { onInterrupted: ({ heardMs }) => console.log(`heard ${heardMs} ms`) });
 *   void call.ended.then(() => session.close());
 *   await session.connect();
 * });
 * ```
 */
export function connectTwilioCall(socket: MediaStreamSocket, session: CallSession, options: TwilioCallOptions = {}): TwilioCall {
  const stats = { inboundFrames: 0, inboundBytes: 0, inboundIgnored: 0, malformed: 0, unknownEvents: 0, sendFailures: 0 };
  const player = createCallPlayer(options);
  const inbound = createInboundConverter();
  let start: TwilioStreamStart | undefined;
  let audioUsable = false;
  let finished = false;
  let resolveEnded!: (end: TwilioCallEnd) => void;
  const ended = new Promise<TwilioCallEnd>((resolve) => (resolveEnded = resolve));

  const safely = <A extends unknown[]>(name: string, listener: ((...args: A) => void) | undefined, ...args: A) => {
    try {
      listener?.(...args);
    } catch (error) {
      console.error(`gemini-live-fsm: the telephony ${name} listener threw`, error);
    }
  };
  const report = (error: TelephonyError) => {
    if (options.onError) safely('onError', options.onError, error);
    else console.warn(`gemini-live-fsm: ${error.message}`);
  };

  const send = (message: TwilioOutbound) => {
    try {
      socket.send(JSON.stringify(message));
    } catch (error) {
      stats.sendFailures += 1;
      if (stats.sendFailures === 1) report(new TelephonyError('TELEPHONY_SEND_FAILED', `a '${message.event}' message could not be sent: ${describe(error)}`, { cause: error }));
    }
  };
  const toTwilio = (streamSid: string) => (output: CallOutput) => {
    if (output.type === 'media') send({ event: 'media', streamSid, media: { payload: encodeBase64(output.frame) } });
    else if (output.type === 'mark') send({ event: 'mark', streamSid, mark: { name: output.name } });
    else send({ event: 'clear', streamSid });
  };

  const unwireSession = player.attach(session, { onInterrupted: (playback) => safely('onInterrupted', options.onInterrupted, playback) });

  const onText = (text: string | undefined, raw: unknown) => {
    if (finished) return;
    if (text === undefined) {
      stats.malformed += 1;
      report(new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', 'a Media Streams message was binary; Twilio sends text', { received: raw }));
      return;
    }
    let message;
    try {
      message = parseTwilioMessage(text);
    } catch (error) {
      stats.malformed += 1;
      report(error instanceof TelephonyError ? error : new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', describe(error), { received: text, cause: error }));
      return;
    }
    switch (message.event) {
      case 'start':
        start = message.start;
        audioUsable = isMulaw8k(start.mediaFormat);
        if (audioUsable) player.connect(toTwilio(start.streamSid));
        else {
          const { encoding, sampleRate, channels } = start.mediaFormat;
          report(new TelephonyError('TELEPHONY_UNSUPPORTED_FORMAT', `the stream's audio is ${encoding} at ${sampleRate} Hz, ${channels} channel(s); only audio/x-mulaw at 8000 Hz mono is converted`, { received: start }));
        }
        safely('onStart', options.onStart, start);
        return;
      case 'media': {
        if (!audioUsable || message.media.track !== 'inbound') {
          stats.inboundIgnored += 1;
          return;
        }
        let mulaw: Uint8Array;
        try {
          mulaw = decodeBase64(message.media.payload);
        } catch (error) {
          stats.malformed += 1;
          report(new TelephonyError('TELEPHONY_MALFORMED_MESSAGE', `media chunk ${message.media.chunk} has a payload that is not base64`, { received: message, cause: error }));
          return;
        }
        stats.inboundFrames += 1;
        stats.inboundBytes += mulaw.length;
        const pcm = inbound.push(mulaw);
        if (pcm.length > 0) session.sendAudio(pcm);
        return;
      }
      case 'mark':
        player.markPlayed(message.mark.name);
        return;
      case 'dtmf':
        safely('onDtmf', options.onDtmf, message.dtmf.digit);
        return;
      case 'stop':
        finish('stop');
        return;
      case 'unknown':
        stats.unknownEvents += 1;
        return;
      case 'connected':
        return;
    }
  };

  const unlisten = listen(socket, onText, () => finish('socketClosed'));

  function finish(reason: TwilioCallEnd['reason']) {
    if (finished) return;
    finished = true;
    unwireSession();
    unlisten();
    void player.close();
    resolveEnded({ reason });
    safely('onEnd', options.onEnd, { reason });
  }

  return {
    get start() {
      return start;
    },
    ended,
    player,
    stats: () => ({ ...stats, ...player.counts() }),
    detach: () => finish('detached'),
  };
}
