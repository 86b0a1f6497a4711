/**
 * The call player on a clock the test moves: frames of 20 ms sent at the call's pace, `leadMs`
 * ahead; a mark every `markEveryMs` and at the end of each burst; what the caller heard, from the
 * marks echoed; `clear` on interruption, and the echoes a clear brings back ignored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallPlayer, FRAME_BYTES, type CallOutput } from '../../src/telephony/index.js';
import { sine, toPcm16 } from './tones.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A player on a manual clock, and everything it sent. */
function setup(options: { leadMs?: number; markEveryMs?: number } = {}) {
  vi.useFakeTimers();
  let clock = 0;
  const sent: { at: number; output: CallOutput }[] = [];
  const player = createCallPlayer({ leadMs: 200, markEveryMs: 100, ...options, now: () => clock });
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i += 1) {
      clock += 1;
      await vi.advanceTimersByTimeAsync(1);
    }
  };
  const frames = () => sent.filter((s) => s.output.type === 'media');
  const marks = () => sent.flatMap((s) => (s.output.type === 'mark' ? [s.output.name] : []));
  return { player, sent, advance, frames, marks, connect: () => player.connect((output) => sent.push({ at: clock, output })) };
}

/** `ms` of the model's 24 kHz audio. */
const speech = (ms: number) => toPcm16(sine(300, 24_000, ms, 0.3));

describe('createCallPlayer', () => {
  it('queues until connected, then sends leadMs at once and one 20 ms frame per 20 ms after', async () => {
    const { player, sent, advance, frames, connect } = setup();
    player.enqueue(speech(1_000));
    expect(sent).toEqual([]);
    connect();
    expect(frames()).toHaveLength(10); // 200 ms ahead
    expect(frames().every((f) => f.output.type === 'media' && f.output.frame.length === FRAME_BYTES)).toBe(true);
    for (let t = 20; t <= 780; t += 20) {
      await advance(20);
      expect(frames().length, `at ${t} ms`).toBe(Math.min(49, 10 + t / 20));
    }
    // 49 whole frames of 1 s of audio (the last 20 ms wait for the end of the turn)
    player.endTurn();
    await advance(100);
    expect(frames()).toHaveLength(51);
    expect(vi.getTimerCount()).toBe(0); // nothing queued, no timer
  });

  it('sends a mark after every markEveryMs and at the end of each burst; echoes say what was played', async () => {
    const { player, sent, advance, marks, connect } = setup();
    connect();
    player.enqueue(speech(300));
    player.endTurn();
    await advance(400);
    const order = sent.map((s) => (s.output.type === 'media' ? 'm' : s.output.type === 'mark' ? 'M' : 'C')).join('');
    expect(order).toBe('mmmmmMmmmmmMmmmmmMmM'); // 16 frames: marks after 5, 10, 15, and the last
    expect(marks()).toEqual(['glf-1', 'glf-2', 'glf-3', 'glf-4']);
    let drained = false;
    void player.drain().then(() => (drained = true));
    player.markPlayed('glf-2');
    expect(await player.stats()).toMatchObject({ playedMs: 200, bufferedMs: 120, discardedMs: 0 });
    player.markPlayed('glf-4'); // it settles glf-3 as well
    await advance(0);
    expect(drained).toBe(true);
    expect(player.counts()).toMatchObject({ framesSent: 16, marksSent: 4, marksPlayed: 2, marksIgnored: 0 });
    player.markPlayed('glf-3');
    player.markPlayed('not-ours');
    expect(player.counts().marksIgnored).toBe(2);
  });

  it('on interruption: clears the call, reports what the marks confirmed heard, ignores the echoes the clear brings back', async () => {
    const { player, sent, advance, connect } = setup();
    connect();
    player.enqueue(speech(2_000));
    await advance(300);
    player.markPlayed('glf-1');
    player.markPlayed('glf-2'); // 200 ms confirmed heard
    const report = await player.interrupt();
    expect(report).toEqual({ heardMs: 200, heardSamples: 4_800, discardedMs: 1_780, discardedSamples: 42_720, fadeFrames: 0 });
    expect(sent.at(-1)?.output).toEqual({ type: 'clear' });
    const before = sent.length;
    await advance(200);
    expect(sent.length).toBe(before); // nothing of the interrupted turn goes out after the clear
    for (const name of ['glf-3', 'glf-4', 'glf-5']) player.markPlayed(name);
    expect(player.counts()).toMatchObject({ clears: 1, marksIgnored: 3 });
    expect(await player.stats()).toMatchObject({ playedMs: 200, discardedMs: 1_780, bufferedMs: 0 });
    // The next turn starts clean, leadMs ahead again.
    player.enqueue(speech(500));
    expect(sent.length - before).toBe(12); // 10 frames and 2 marks
  });

  it('counts what was heard from the start of the interrupted turn, not of the call', async () => {
    const { player, advance, marks, connect } = setup({ markEveryMs: 20 });
    connect();
    player.enqueue(speech(200));
    player.endTurn();
    await advance(300);
    player.markPlayed(marks().at(-1)!); // the first turn played out
    player.enqueue(speech(500));
    await advance(100);
    // A mark a frame: the first turn's are the first 11 (200 ms and its padded tail).
    expect(marks().length).toBeGreaterThan(16);
    player.markPlayed(marks()[11 + 4]!); // the fifth frame of the second turn: 100 ms of it heard
    expect((await player.interrupt()).heardMs).toBe(100);
  });

  it('sends no clear when the call has played everything; stops for good on close', async () => {
    const { player, sent, advance, marks, connect } = setup();
    connect();
    player.enqueue(speech(100));
    player.endTurn();
    await advance(200);
    player.markPlayed(marks().at(-1)!);
    const before = sent.length;
    // The turn ended before the interruption: nothing of the next one was heard, and nothing is left to clear.
    expect(await player.interrupt()).toMatchObject({ heardMs: 0, discardedMs: 0 });
    expect(sent.length).toBe(before);
    expect(await player.stats()).toMatchObject({ playedMs: 120, discardedMs: 0 });
    player.enqueue(speech(1_000));
    await player.close();
    const after = sent.length;
    player.enqueue(speech(1_000));
    await advance(500);
    expect(sent.length).toBe(after);
    expect(vi.getTimerCount()).toBe(0);
    await player.drain();
  });
});
