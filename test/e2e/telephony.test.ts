/**
 * A phone call through the real SDK: the Twilio stand-in calls a `ws` gateway that wires each
 * call to a session over `@google/genai` and the emulator. The caller's μ-law reaches the
 * emulator as 16 kHz audio, the emulated model's answer reaches the caller in 20 ms μ-law
 * frames, and its `interrupted` clears the call.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PlaybackReport } from '../../src/audio/index.js';
import { connectTwilioCall, decodeMulaw, encodeMulaw, FRAME_BYTES, type TwilioCall } from '../../src/telephony/index.js';
import { startTwilioCaller } from '../../src/testing/index.js';
import { fitTone, sine, toInt16 } from '../telephony/tones.js';
import { emulator, fsmSession, onCleanup, SDK_VERSION } from './sdk.js';

describe(`a Twilio call (SDK ${SDK_VERSION})`, () => {
  it('carries the caller to the model and the model to the caller, and clears on interrupted', async () => {
    const emu = await emulator();
    const session = fsmSession(emu, []);
    const gateway = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => gateway.once('listening', resolve));
    onCleanup(() => new Promise<void>((resolve) => gateway.close(() => resolve())));
    const interruptions: PlaybackReport[] = [];
    const wired = new Promise<TwilioCall>((resolve) =>
      gateway.once('connection', (socket: WebSocket) => resolve(connectTwilioCall(socket, session, { onInterrupted: (r) => interruptions.push(r) }))),
    );
    const connecting = emu.nextConnection();
    await session.connect();
    const model = await connecting;
    const caller = await startTwilioCaller({ url: `ws://127.0.0.1:${(gateway.address() as AddressInfo).port}/twilio` });
    onCleanup(() => caller.drop());
    const call = await wired;

    // The caller speaks for 600 ms, paced as Twilio sends it.
    await caller.speak(encodeMulaw(toInt16(sine(440, 8_000, 600))));
    await vi.waitFor(() => expect(model.counters.audioMs).toBeGreaterThan(595), { timeout: 5_000 });
    expect(model.counters.audioFrames).toBe(30);

    // The model answers for 600 ms; the caller hears all of it.
    model.sendAudio({ ms: 600 });
    model.sendTurnComplete();
    await caller.waitFor('the answer, played', (c) => c.stats().playedMs >= 600 && c.stats().marksPlayed === c.stats().marksReceived);
    const media = caller.received.filter((r) => r.message.event === 'media');
    for (const { message } of media) expect(Buffer.from(String(message.media?.payload), 'base64')).toHaveLength(FRAME_BYTES);
    const heard = Float32Array.from(decodeMulaw(caller.heard()), (s) => s / 0x8000);
    expect(fitTone(heard.subarray(80, 4_720), 220, 8_000).snrDb).toBeGreaterThan(20); // the emulator's voice: a quiet 220 Hz tone

    // The model starts a long answer and is interrupted: the call is cleared.
    // The first answer took 31 frames (620 ms with its padded tail); wait until marks confirm 200 ms of the second.
    model.sendAudio({ ms: 3_000 });
    await vi.waitFor(async () => expect((await call.player.stats()).playedMs).toBeGreaterThanOrEqual(820), { timeout: 5_000 });
    model.sendInterrupted();
    await caller.waitFor('the clear', (c) => c.stats().clears === 1);
    await vi.waitFor(() => expect(interruptions).toHaveLength(1), { timeout: 2_000 });
    expect(interruptions[0]!.heardMs).toBeGreaterThanOrEqual(200);
    expect(interruptions[0]!.heardMs).toBeLessThanOrEqual(caller.stats().playedMs - 620 + 1);
    expect(caller.stats().clearedMs).toBeGreaterThan(0);
    expect(caller.problems).toEqual([]);
    expect(session.gateViolations).toEqual([]);
    await caller.hangUp();
    expect(await call.ended).toEqual({ reason: 'stop' });
  });
});
