/**
 * The Node player, on a manual clock: real-time pacing, the fade and report on interruption,
 * drain, and the one call that wires it to a session.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStreamPlayer } from '../../src/audio/index.js';
import type { PlaybackReport } from '../../src/audio/index.js';
import { createLiveSession } from '../../src/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';

afterEach(() => {
  vi.useRealTimers();
});

/** `ms` of 24 kHz PCM16 at a constant level. */
function tone(ms: number, level = 8000): Uint8Array {
  const pcm = new Uint8Array(ms * 48);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < pcm.length; i += 2) view.setInt16(i, level, true);
  return pcm;
}

/** A sink that keeps what it was given, and a player on a clock the test moves. */
function setup() {
  vi.useFakeTimers();
  let clock = 0;
  const chunks: Uint8Array[] = [];
  const player = createStreamPlayer({ write: (chunk) => chunks.push(chunk) }, { now: () => clock });
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  const samples = () => {
    const all: number[] = [];
    for (const chunk of chunks) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let i = 0; i < chunk.length; i += 2) all.push(view.getInt16(i, true));
    }
    return all;
  };
  return { player, advance, samples };
}

describe('createStreamPlayer', () => {
  it('writes the audio as a sound card would take it, in real time', async () => {
    const { player, advance, samples } = setup();
    player.enqueue(tone(500));
    advance(100);
    expect(samples().length).toBe(2400);
    advance(200);
    expect(samples().length).toBe(7200);
    const drained = player.drain();
    advance(300);
    await drained;
    expect(samples().length).toBe(12_000);
    expect(await player.stats()).toEqual({ receivedMs: 500, playedMs: 500, discardedMs: 0, bufferedMs: 0 });
  });

  it('on interrupt writes a fade of at most 128 samples and nothing more, and reports what was heard', async () => {
    const { player, advance, samples } = setup();
    player.enqueue(tone(1000));
    advance(200);
    const before = samples().length;
    const report = await player.interrupt();
    const after = samples().slice(before);
    expect(after).toHaveLength(128);
    expect(after[0]).toBeLessThan(8000);
    expect(after.at(-1)).toBe(0);
    advance(500);
    expect(samples().length).toBe(before + 128);
    expect(report).toEqual({ heardMs: (before + 128) / 24, heardSamples: before + 128, discardedMs: 1000 - (before + 128) / 24, discardedSamples: 24_000 - before - 128, fadeFrames: 128 });
    expect(await player.stats()).toMatchObject({ receivedMs: 1000, bufferedMs: 0 });
    await player.drain();
  });

  it('reports what was heard of the interrupted turn only', async () => {
    const { player, advance } = setup();
    player.enqueue(tone(100));
    player.endTurn();
    player.enqueue(tone(400));
    advance(150);
    const report = await player.interrupt();
    // 150 ms were due: the first turn's 100 ms, then 50 ms of the second, plus the fade.
    expect(report.heardSamples).toBe(50 * 24 + 128);
    const idle = await player.interrupt();
    expect(idle).toEqual({ heardMs: 0, heardSamples: 0, discardedMs: 0, discardedSamples: 0, fadeFrames: 0 });
  });

  it('wires to a session in one call: audio plays, interrupted stops it, turnComplete ends a turn', async () => {
    const { player, advance, samples } = setup();
    const transport = createScriptedTransport();
    const session = createLiveSession({ transport });
    const reports: PlaybackReport[] = [];
    const detach = player.attach(session, { onInterrupted: (report) => reports.push(report) });
    const connected = session.connect();
    const server = await transport.nextConnection();
    await connected;
    const audio = (pcm: Uint8Array) => ({ serverContent: { modelTurn: { parts: [{ inlineData: { data: Buffer.from(pcm).toString('base64'), mimeType: 'audio/pcm;rate=24000' } }] } } });
    server.send(audio(tone(300)));
    advance(100);
    server.send({ serverContent: { interrupted: true } });
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(reports[0]?.heardSamples).toBe(2400 + 128);
    const written = samples().length;
    advance(300);
    expect(samples().length).toBe(written);

    detach();
    server.send(audio(tone(100)));
    advance(200);
    expect(samples().length).toBe(written);
    await session.close();
  });

  it('close drops what is queued and resolves drain', async () => {
    const { player, advance } = setup();
    player.enqueue(tone(1000));
    advance(40);
    const drained = player.drain();
    await player.close();
    await drained;
    player.enqueue(tone(100));
    expect((await player.stats()).receivedMs).toBe(1000);
  });
});
