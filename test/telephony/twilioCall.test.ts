/**
 * A Twilio call end to end over real sockets: the stand-in for Twilio (`startTwilioCaller`)
 * calls a `ws` server whose connections are wired by `connectTwilioCall` to a session over the
 * scripted transport, which plays the model. Checked: the caller's audio reaching the session as
 * 16 kHz PCM16, the model's reaching the caller in 20 ms frames no faster than the call plays
 * them, `clear` after `interrupted` with what was heard, marks acknowledged, the end of the call.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PlaybackReport } from '../../src/audio/index.js';
import { createLiveSession, type LiveSession } from '../../src/index.js';
import type { TelephonyError } from '../../src/protocol/index.js';
import { connectTwilioCall, decodeMulaw, encodeMulaw, FRAME_BYTES, type TwilioCall, type TwilioCallEnd } from '../../src/telephony/index.js';
import { createScriptedTransport, startTwilioCaller, type ScriptedConnection, type TwilioCaller, type TwilioCallerOptions } from '../../src/testing/index.js';
import { concat, fitTone, fromPcm16, sine, toInt16, toPcm16 } from './tones.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Line {
  caller: TwilioCaller;
  call: TwilioCall;
  session: LiveSession;
  model: ScriptedConnection;
  errors: TelephonyError[];
  interruptions: PlaybackReport[];
  ends: TwilioCallEnd[];
  digits: string[];
}

/** A gateway on a free port that wires each call to a new session, and a caller that dials it. */
async function dial(callerOptions: Partial<TwilioCallerOptions> = {}): Promise<Line> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const transport = createScriptedTransport();
  const session = createLiveSession({ transport });
  cleanups.push(() => session.close());
  const errors: TelephonyError[] = [];
  const interruptions: PlaybackReport[] = [];
  const ends: TwilioCallEnd[] = [];
  const digits: string[] = [];
  const wired = new Promise<TwilioCall>((resolve) =>
    server.once('connection', (socket: WebSocket) =>
      resolve(
        connectTwilioCall(socket, session, {
          onError: (error) => errors.push(error),
          onInterrupted: (report) => interruptions.push(report),
          onEnd: (end) => ends.push(end),
          onDtmf: (digit) => digits.push(digit),
        }),
      ),
    ),
  );
  await session.connect();
  const model = transport.connections[0]!;
  const { port } = server.address() as AddressInfo;
  const caller = await startTwilioCaller({ url: `ws://127.0.0.1:${port}/media`, ...callerOptions });
  cleanups.push(() => caller.drop());
  const call = await wired;
  return { caller, call, session, model, errors, interruptions, ends, digits };
}

/** The model speaks `samples` (24 kHz), in 40 ms chunks as the service sends them. */
function modelSpeaks(model: ScriptedConnection, samples: Float32Array, turnComplete = true): void {
  const pcm = toPcm16(samples);
  for (let i = 0; i < pcm.length; i += 1_920) {
    const data = Buffer.from(pcm.subarray(i, i + 1_920)).toString('base64');
    model.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data } }] } } });
  }
  if (turnComplete) model.send({ serverContent: { turnComplete: true } });
}

/** The audio the session sent to the model. */
function audioSent(model: ScriptedConnection): { mimeType: string; data: Uint8Array }[] {
  return model.frames.flatMap(({ frame }) => (frame.type === 'realtimeInput' && frame.input.kind === 'audio' ? [frame.input] : []));
}

const mediaOf = (caller: TwilioCaller) => caller.received.filter((r) => r.message.event === 'media');

describe('connectTwilioCall', () => {
  it("sends the caller's μ-law to the session as 16 kHz PCM16, one chunk a frame, the tone intact", async () => {
    const { caller, call, model, errors } = await dial();
    await caller.speak(encodeMulaw(toInt16(sine(440, 8_000, 1_000))), { paced: false });
    await vi.waitFor(() => expect(audioSent(model)).toHaveLength(50), { timeout: 5_000 });
    const sent = audioSent(model);
    expect(new Set(sent.map((input) => input.mimeType))).toEqual(new Set(['audio/pcm;rate=16000']));
    const samples = fromPcm16(concat(sent.map((input) => input.data)));
    expect(samples.length).toBeGreaterThan(16_000 - 40);
    expect(fitTone(samples.subarray(200, 15_800), 440, 16_000).snrDb).toBeGreaterThan(28);
    expect(call.stats()).toMatchObject({ inboundFrames: 50, inboundBytes: 8_000, inboundIgnored: 0, malformed: 0 });
    expect(call.start).toMatchObject({ streamSid: caller.streamSid, callSid: caller.callSid, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } });
    expect(errors).toEqual([]);
  });

  it("plays the model's answer to the caller in 20 ms frames, never further ahead than the lead, marks acknowledged", async () => {
    const { caller, call, model, errors } = await dial();
    const spoke = performance.now();
    modelSpeaks(model, sine(440, 24_000, 1_000, 0.3));
    await caller.waitFor('the answer played, every mark echoed', (c) => c.stats().playedMs >= 1_020 && c.stats().marksPlayed === c.stats().marksReceived);
    const media = mediaOf(caller);
    expect(media).toHaveLength(51); // 1 s, and the filter's tail padded to a frame at turnComplete
    for (const { message } of media) expect(decodeMulaw(Buffer.from(String(message.media?.payload), 'base64'))).toHaveLength(FRAME_BYTES);
    // Paced, not a burst: frame k cannot leave before (k - 10) × 20 ms after the model spoke (200 ms
    // ahead at most). Arrival is after leaving, so this holds however late the socket delivers.
    media.forEach(({ at }, k) => expect(at - spoke, `frame ${k}`).toBeGreaterThanOrEqual((k - 10) * 20 - 1));
    expect(media.at(-1)!.at - spoke).toBeGreaterThanOrEqual(799);
    const heard = Float32Array.from(decodeMulaw(caller.heard()), (s) => s / 0x8000);
    expect(fitTone(heard.subarray(100, 7_900), 440, 8_000).snrDb).toBeGreaterThan(28);
    await vi.waitFor(() => expect(call.stats().marksPlayed).toBeGreaterThan(0), { timeout: 2_000 });
    expect(call.stats()).toMatchObject({ framesSent: 51, marksIgnored: 0, clears: 0 });
    expect(call.stats().marksPlayed).toBeLessThanOrEqual(call.stats().marksSent);
    await vi.waitFor(async () => expect(await call.player.stats()).toMatchObject({ playedMs: 1_020, discardedMs: 0, bufferedMs: 0 }), { timeout: 2_000 });
    expect(caller.problems).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('clears the call on interrupted, reports what the caller heard, and plays the next turn alone', async () => {
    const { caller, call, model, interruptions } = await dial();
    modelSpeaks(model, sine(300, 24_000, 3_000, 0.3), false);
    await vi.waitFor(() => expect(call.stats().marksPlayed).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    model.send({ serverContent: { interrupted: true } });
    await caller.waitFor('the clear', (c) => c.stats().clears === 1);
    const playedWhenCleared = caller.stats().playedMs;
    await vi.waitFor(() => expect(interruptions).toHaveLength(1), { timeout: 2_000 });
    const [report] = interruptions;
    expect(report!.heardMs).toBeGreaterThanOrEqual(300);
    expect(report!.heardMs).toBeLessThanOrEqual(playedWhenCleared + 1);
    expect(report!.heardMs + report!.discardedMs).toBe(2_980); // 3 s less the 20 ms still short of a frame
    expect(caller.stats().clearedMs).toBeGreaterThan(0);
    // The clear brought the marks in the buffer back; they say nothing of what was heard.
    await vi.waitFor(() => expect(call.stats().marksIgnored).toBe(caller.stats().marksCleared), { timeout: 2_000 });
    const clearAt = caller.received.findIndex((r) => r.message.event === 'clear');
    modelSpeaks(model, sine(600, 24_000, 100, 0.3));
    const settled = (c: TwilioCaller) => c.stats().marksPlayed + c.stats().marksCleared === c.stats().marksReceived;
    await caller.waitFor('the next turn played', (c) => settled(c) && c.stats().playedMs >= playedWhenCleared + 120);
    const afterClear = caller.received.slice(clearAt + 1).filter((r) => r.message.event === 'media');
    expect(afterClear).toHaveLength(6); // 100 ms and its padded tail: nothing of the interrupted turn
    expect(caller.problems).toEqual([]);
  });

  it('passes DTMF on, survives malformed messages and unknown events, and ends on stop', async () => {
    const { caller, call, errors, ends, digits, model } = await dial();
    caller.sendDtmf('7');
    caller.sendRaw('{not json');
    caller.sendRaw(JSON.stringify({ event: 'media', streamSid: caller.streamSid, media: { payload: '@@' } }));
    caller.sendRaw(JSON.stringify({ event: 'transcription', streamSid: caller.streamSid }));
    await caller.speak(new Uint8Array(320).fill(0xff), { paced: false });
    await vi.waitFor(() => expect(call.stats().inboundFrames).toBe(2), { timeout: 2_000 });
    expect(digits).toEqual(['7']);
    expect(errors.map((e) => e.code)).toEqual(['TELEPHONY_MALFORMED_MESSAGE', 'TELEPHONY_MALFORMED_MESSAGE']);
    expect(call.stats()).toMatchObject({ malformed: 2, unknownEvents: 1 });
    await caller.hangUp();
    expect(await call.ended).toEqual({ reason: 'stop' });
    expect(ends).toEqual([{ reason: 'stop' }]);
    // Unwired: the model's audio no longer goes anywhere, and nothing is left running.
    modelSpeaks(model, sine(440, 24_000, 200));
    expect(call.stats().framesSent).toBe(0);
  });

  it('ends as socketClosed when the connection drops without a stop', async () => {
    const { caller, call } = await dial();
    await caller.drop();
    expect(await call.ended).toEqual({ reason: 'socketClosed' });
  });

  it('refuses a stream that is not μ-law 8 kHz: reported, and its audio not forwarded', async () => {
    const { caller, call, model, errors } = await dial({ mediaFormat: { encoding: 'audio/l16', sampleRate: 16_000, channels: 1 } });
    await caller.speak(new Uint8Array(1_600), { paced: false });
    await vi.waitFor(() => expect(call.stats().inboundIgnored).toBe(10), { timeout: 2_000 });
    expect(errors.map((e) => e.code)).toEqual(['TELEPHONY_UNSUPPORTED_FORMAT']);
    expect(errors[0]!.reason).toContain('audio/l16 at 16000 Hz');
    expect(audioSent(model)).toEqual([]);
  });
});
