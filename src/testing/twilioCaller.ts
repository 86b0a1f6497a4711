/**
 * A stand-in for Twilio, for tests and demos of a Media Streams endpoint: it connects to the
 * app's WebSocket as Twilio does, sends `connected`, `start`, the caller's `media` (paced in
 * 20 ms frames, or all at once), `dtmf` and `stop`, and plays what the app sends back in real
 * time, as a call would: `media` joins a playout buffer, a `mark` is echoed once the audio before
 * it has played, and `clear` empties the buffer and echoes the marks in it at once (Twilio's
 * documented behaviour). It checks every message the app sends and records when each arrived.
 */
import WebSocket from 'ws';
import { decodeBase64, encodeBase64 } from '../protocol/base64.js';

/** Options of {@link startTwilioCaller}. */
export interface TwilioCallerOptions {
  /** The app's Media Streams endpoint, `ws://…`. */
  url: string;
  streamSid?: string;
  callSid?: string;
  /** The `<Parameter>`s of the stream. */
  customParameters?: Record<string, string>;
  /** Default μ-law, 8000 Hz, mono: what Twilio sends. */
  mediaFormat?: { encoding: string; sampleRate: number; channels: number };
}

/** One message the app sent, as it arrived. */
export interface ReceivedMessage {
  /** `performance.now()` at arrival. */
  at: number;
  message: { event?: unknown; streamSid?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };
}

/** What the stand-in saw and did. */
export interface TwilioCallerStats {
  /** `media` messages received, and their μ-law bytes. */
  mediaMessages: number;
  mediaBytes: number;
  marksReceived: number;
  /** Marks echoed back because the audio before them played. */
  marksPlayed: number;
  /** Marks echoed back because a `clear` emptied the buffer before them. */
  marksCleared: number;
  clears: number;
  /** Audio dropped unplayed by clears, in ms. */
  clearedMs: number;
  /** Audio played, in ms. */
  playedMs: number;
  /** Times the playout buffer ran dry and media came again later, and the silence in between (ms). */
  gaps: number;
  gapMs: number;
}

/** A call in progress, from Twilio's side. */
export interface TwilioCaller {
  readonly streamSid: string;
  readonly callSid: string;
  /** Every message the app sent. */
  readonly received: readonly ReceivedMessage[];
  /** What the app sent that Twilio would not take (binary frames, unknown events, another streamSid, bad payloads). */
  readonly problems: readonly string[];
  stats(): TwilioCallerStats;
  /** The μ-law the caller has heard so far, in order. */
  heard(): Uint8Array;
  /** Sends the caller's μ-law audio as `media` of 160 bytes: one per 20 ms (default), or all at once. */
  speak(mulaw: Uint8Array, options?: { paced?: boolean }): Promise<void>;
  sendDtmf(digit: string): void;
  /** Sends any text, as it is. */
  sendRaw(text: string): void;
  /** Resolves once `predicate` holds (checked on each message from the app and each playout step). */
  waitFor(description: string, predicate: (caller: TwilioCaller) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends `stop` and closes the socket, as Twilio does when the caller hangs up. */
  hangUp(): Promise<void>;
  /** Closes the socket without `stop` (a lost connection). */
  drop(): Promise<void>;
}

type Queued = { kind: 'media'; media: Uint8Array; offset: number } | { kind: 'mark'; name: string };

/** The playout step: the buffer is played in steps of this many ms. */
const STEP_MS = 5;

/**
 * Connects to `options.url` as Twilio would, and sends `connected` and `start`.
 *
 * @example
 * ```ts
 * const caller = await startTwilioCaller({ url: `ws://127.0.0.1:${port}/media` });
 * await caller.speak(mulawQuestion);
 * await caller.waitFor('an answer', (c) => c.stats().playedMs > 1_000);
 * await caller.hangUp();
 * ```
 */
export async function startTwilioCaller(options: TwilioCallerOptions): Promise<TwilioCaller> {
  const streamSid = options.streamSid ?? `MZ${randomHex(32)}`;
  const callSid = options.callSid ?? `CA${randomHex(32)}`;
  const socket = new WebSocket(options.url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // a socket error is followed by its close, which ends the call

  const received: ReceivedMessage[] = [];
  const problems: string[] = [];
  const heardChunks: Uint8Array[] = [];
  const stats: TwilioCallerStats = { mediaMessages: 0, mediaBytes: 0, marksReceived: 0, marksPlayed: 0, marksCleared: 0, clears: 0, clearedMs: 0, playedMs: 0, gaps: 0, gapMs: 0 };
  const buffer: Queued[] = [];
  let sequence = 0;
  let chunk = 0;
  let playStart: number | undefined; // when the current stretch of playout began
  let playedInStretch = 0; // bytes played since then
  let idleSince: number | undefined; // when the buffer last ran dry
  const waiters = new Set<() => void>();

  const sendJson = (message: Record<string, unknown>) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    sequence += 1;
    socket.send(JSON.stringify({ ...message, sequenceNumber: String(sequence) }));
  };
  const echo = (name: string) => sendJson({ event: 'mark', streamSid, mark: { name } });
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };

  /** Echoes the marks at the head of the buffer: the audio before them has played. */
  const reachMarks = () => {
    for (let head = buffer[0]; head?.kind === 'mark'; head = buffer[0]) {
      buffer.shift();
      echo(head.name);
      stats.marksPlayed += 1;
    }
  };

  /** Plays what is due by the clock; echoes the marks it reaches. */
  const play = () => {
    const now = performance.now();
    reachMarks();
    if (playStart === undefined) return;
    let due = Math.floor((now - playStart) * 8) - playedInStretch;
    while (due > 0 && buffer.length > 0) {
      const head = buffer[0]!;
      if (head.kind === 'mark') {
        reachMarks();
        continue;
      }
      const take = Math.min(due, head.media.length - head.offset);
      heardChunks.push(head.media.subarray(head.offset, head.offset + take));
      head.offset += take;
      due -= take;
      playedInStretch += take;
      stats.playedMs += take / 8;
      if (head.offset === head.media.length) buffer.shift();
    }
    reachMarks();
    if (buffer.length === 0) {
      playStart = undefined; // ran dry: the next media starts a new stretch
      idleSince = now;
    }
  };
  const timer = setInterval(() => {
    play();
    notify();
  }, STEP_MS);

  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      problems.push('a binary message (Twilio takes text only)');
      return;
    }
    let message: ReceivedMessage['message'];
    try {
      message = JSON.parse(String(data)) as ReceivedMessage['message'];
    } catch {
      problems.push(`a message that is not JSON: ${String(data).slice(0, 60)}`);
      return;
    }
    received.push({ at: performance.now(), message });
    if (message.streamSid !== streamSid) problems.push(`a '${String(message.event)}' for streamSid ${String(message.streamSid)}`);
    play(); // what was due plays before the new message takes effect
    switch (message.event) {
      case 'media': {
        let bytes: Uint8Array;
        try {
          bytes = decodeBase64(String(message.media?.payload));
        } catch {
          problems.push('a media payload that is not base64');
          break;
        }
        stats.mediaMessages += 1;
        stats.mediaBytes += bytes.length;
        buffer.push({ kind: 'media', media: bytes, offset: 0 });
        if (playStart === undefined) {
          const now = performance.now();
          if (idleSince !== undefined && stats.playedMs > 0) {
            stats.gaps += 1;
            stats.gapMs += now - idleSince;
          }
          playStart = now;
          playedInStretch = 0;
        }
        break;
      }
      case 'mark': {
        const name = message.mark?.name;
        if (typeof name !== 'string') problems.push('a mark without a name');
        else {
          stats.marksReceived += 1;
          buffer.push({ kind: 'mark', name });
        }
        break;
      }
      case 'clear': {
        stats.clears += 1;
        for (const item of buffer.splice(0)) {
          if (item.kind === 'mark') {
            echo(item.name);
            stats.marksCleared += 1;
          } else stats.clearedMs += (item.media.length - item.offset) / 8;
        }
        playStart = undefined;
        idleSince = undefined;
        break;
      }
      default:
        problems.push(`an event Twilio does not take: ${String(message.event)}`);
    }
    play();
    notify();
  });

  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      notify();
      resolve();
    }),
  );

  sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  sendJson({
    event: 'start',
    streamSid,
    start: {
      accountSid: `AC${randomHex(32)}`,
      streamSid,
      callSid,
      tracks: ['inbound'],
      customParameters: options.customParameters ?? {},
      mediaFormat: options.mediaFormat ?? { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });

  const caller: TwilioCaller = {
    streamSid,
    callSid,
    received,
    problems,
    stats: () => ({ ...stats }),
    heard() {
      const out = new Uint8Array(heardChunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const c of heardChunks) {
        out.set(c, offset);
        offset += c.length;
      }
      return out;
    },
    async speak(mulaw, speakOptions = {}) {
      const paced = speakOptions.paced ?? true;
      const started = performance.now();
      for (let offset = 0; offset < mulaw.length; offset += 160) {
        chunk += 1;
        sendJson({
          event: 'media',
          streamSid,
          media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload: encodeBase64(mulaw.subarray(offset, offset + 160)) },
        });
        if (paced) {
          const next = started + ((offset / 160 + 1) * 20);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        }
      }
    },
    sendDtmf(digit) {
      sendJson({ event: 'dtmf', streamSid, dtmf: { track: 'inbound_track', digit } });
    },
    sendRaw(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    waitFor(description, predicate, timeoutMs = 5_000) {
      if (predicate(caller)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(caller)) return;
          clearTimeout(deadline);
          waiters.delete(check);
          resolve();
        };
        const deadline = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the Twilio stand-in waited ${timeoutMs} ms for ${description}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async hangUp() {
      sendJson({ event: 'stop', streamSid, stop: { accountSid: 'AC', callSid } });
      socket.close(1000);
      await closed;
    },
    async drop() {
      socket.terminate();
      await closed;
    },
  };
  return caller;
}

function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return out.slice(0, length);
}
