import { describe, expect, it } from 'vitest';
import { createActor, setup, type AnyActorRef } from 'xstate';
import { activityLogic, type ActivityInput } from '../../src/actors/activity.js';
import type { VoiceActivityDetector } from '../../src/audio/vad/detector.js';
import { createWebRtcVad } from '../../src/audio/vad/webrtc.js';
import type { ActivityEvent } from '../../src/machines/activityEvents.js';
import { VadError } from '../../src/protocol/errors.js';
import { deferred } from '../helpers.js';
import { loadCorpus } from '../vad/corpus.js';
import { pcmBytes } from '../vad/wav.js';

/**
 * A scripted parent: invokes the activity actor with `input`, records every event the actor sends
 * back, and hands the test the child to send commands to.
 */
function withParent(input: ActivityInput) {
  const received: ActivityEvent[] = [];
  const parent = setup({ actors: { activity: activityLogic } }).createMachine({
    invoke: { id: 'activity', src: 'activity', input },
    on: { '*': { actions: ({ event }) => received.push(event as ActivityEvent) } },
  });
  const actor = createActor(parent).start();
  const child = actor.getSnapshot().children['activity'] as AnyActorRef;
  return {
    received,
    actor,
    frame: (pcm: Uint8Array) => child.send({ type: 'activity.frame', pcm }),
    manual: (signal: 'start' | 'end') => child.send({ type: 'activity.manual', signal }),
    types: () => received.map((e) => (e.type === 'activity.speech' ? `speech:${e.state}` : e.type)),
  };
}

/** 20 ms of PCM16 whose samples are all `value` (the scripted detector calls non-zero speech). */
const chunk = (value: number) => pcmBytes(new Int16Array(320).fill(value));

/** A detector that calls a 20 ms frame speech when its samples are non-zero. */
function scriptedDetector(overrides: Partial<VoiceActivityDetector> = {}) {
  const calls = { disposed: 0 };
  const detector: VoiceActivityDetector = {
    name: 'scripted',
    frameSamples: 320,
    process: (frame) => (frame[0] === 0 ? 0 : 1),
    reset: () => undefined,
    dispose: () => {
      calls.disposed += 1;
    },
    ...overrides,
  };
  return { detector, calls };
}

const segmenter = { minSpeechMs: 60, hangoverMs: 100 };

describe('the activity actor, vad mode', () => {
  it('sends activityStart, the pre-roll, then speechStarted; and after the hangover activityEnd, then speechStopped', () => {
    const { detector } = scriptedDetector();
    const p = withParent({ mode: 'vad', detector, segmenter, preRollMs: 100 });
    for (let i = 1; i <= 10; i += 1) p.frame(chunk(0));
    p.frame(chunk(1));
    p.frame(chunk(2));
    expect(p.received).toEqual([]);
    p.frame(chunk(3)); // 60 ms of speech: it starts at 200 ms, told at 260 ms
    expect(p.types()).toEqual(['input.activityStart', 'activity.preRoll', 'speech:started']);
    expect(p.received[2]).toEqual({ type: 'activity.speech', state: 'started', atMs: 200, detectedAtMs: 260 });
    // The pre-roll: 100 ms before the onset, then the onset's frames, all already handled by the parent.
    const preRoll = p.received[1] as Extract<ActivityEvent, { type: 'activity.preRoll' }>;
    expect(preRoll.frames.map((f) => new Int16Array(f.buffer, f.byteOffset, f.length / 2)[0])).toEqual([0, 0, 0, 0, 0, 1, 2, 3]);
    expect(preRoll.frames.every((f) => f.length === 640)).toBe(true);

    p.frame(chunk(4));
    for (let i = 0; i < 5; i += 1) p.frame(chunk(0));
    expect(p.types().slice(3)).toEqual(['input.activityEnd', 'speech:stopped']);
    expect(p.received[4]).toEqual({ type: 'activity.speech', state: 'stopped', atMs: 280, detectedAtMs: 380 });
    p.actor.stop();
  });

  it('never sends again, in the next pre-roll, audio that was inside the last bracket', () => {
    const { detector } = scriptedDetector();
    const p = withParent({ mode: 'vad', detector, segmenter: { minSpeechMs: 20, hangoverMs: 40 }, preRollMs: 300 });
    p.frame(chunk(0));
    p.frame(chunk(5)); // starts: the pre-roll holds the silent frame and this one
    p.frame(chunk(0));
    p.frame(chunk(0)); // ends after 40 ms of silence, at 80 ms of stream
    p.frame(chunk(0)); // 80–100 ms: outside any bracket
    p.frame(chunk(6)); // starts again, 100 ms after the stream began, 300 ms pre-roll asked
    const preRolls = p.received.filter((e): e is Extract<ActivityEvent, { type: 'activity.preRoll' }> => e.type === 'activity.preRoll');
    expect(preRolls.map((e) => e.frames.length)).toEqual([2, 2]);
    expect(preRolls[1]?.frames.map((f) => f[0])).toEqual([0, 6]);
    expect(p.types()).toEqual(['input.activityStart', 'activity.preRoll', 'speech:started', 'input.activityEnd', 'speech:stopped', 'input.activityStart', 'activity.preRoll', 'speech:started']);
    p.actor.stop();
  });

  it('waits for a detector that answers with promises, and its pre-roll holds the frames that came meanwhile', async () => {
    const answers: ReturnType<typeof deferred<number>>[] = [];
    const { detector } = scriptedDetector({
      process: () => {
        const answer = deferred<number>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const p = withParent({ mode: 'vad', detector, segmenter: { minSpeechMs: 20, hangoverMs: 20 }, preRollMs: 20 });
    p.frame(chunk(0));
    p.frame(chunk(7));
    p.frame(chunk(8));
    answers[0]?.resolve(0);
    await Promise.resolve();
    await Promise.resolve();
    expect(p.received).toEqual([]);
    answers[1]?.resolve(1);
    await new Promise((resolve) => setImmediate(resolve));
    // The start was decided on the second frame, but the third already reached the parent.
    expect(p.types()).toEqual(['input.activityStart', 'activity.preRoll', 'speech:started']);
    const preRoll = p.received[1] as Extract<ActivityEvent, { type: 'activity.preRoll' }>;
    expect(preRoll.frames.map((f) => f[0])).toEqual([0, 7, 8]);
    p.actor.stop();
  });

  it('closes an open bracket, then reports the error, when the detector fails; and detects nothing after', () => {
    let fail = false;
    const { detector } = scriptedDetector({
      process: (frame) => {
        if (fail) throw new Error('wasm trap');
        return frame[0] === 0 ? 0 : 1;
      },
    });
    const p = withParent({ mode: 'vad', detector, segmenter: { minSpeechMs: 20, hangoverMs: 500 } });
    p.frame(chunk(1));
    fail = true;
    p.frame(chunk(1));
    p.frame(chunk(1));
    expect(p.types()).toEqual(['input.activityStart', 'activity.preRoll', 'speech:started', 'input.activityEnd', 'speech:stopped', 'activity.error']);
    expect(p.received[4]).toMatchObject({ atMs: 20, detectedAtMs: 40 });
    const error = (p.received[5] as Extract<ActivityEvent, { type: 'activity.error' }>).error;
    expect(error).toBeInstanceOf(VadError);
    expect(error).toMatchObject({ code: 'VAD_FAILED', reason: 'scripted: wasm trap' });
    p.actor.stop();
  });

  it('reports a detector factory that fails as VAD_UNAVAILABLE, with no bracket', async () => {
    const p = withParent({ mode: 'vad', detector: () => Promise.reject(new VadError('VAD_UNAVAILABLE', 'webrtc', 'not installed')) });
    p.frame(chunk(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.types()).toEqual(['activity.error']);
    expect(p.received[0]).toMatchObject({ error: { code: 'VAD_UNAVAILABLE', reason: 'webrtc: not installed' } });
    p.actor.stop();
  });

  it('disposes a detector it made from a factory when stopped, but not one it was given; and sends nothing once stopped', async () => {
    const made = scriptedDetector();
    const p = withParent({ mode: 'vad', detector: () => made.detector, segmenter: { minSpeechMs: 20, hangoverMs: 20 } });
    await new Promise((resolve) => setImmediate(resolve)); // the factory's detector is ready
    p.frame(chunk(1));
    p.actor.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(made.calls.disposed).toBe(1);
    expect(p.types()).toEqual(['input.activityStart', 'activity.preRoll', 'speech:started']); // no end: the parent closes its bracket itself

    const given = scriptedDetector();
    const q = withParent({ mode: 'vad', detector: given.detector });
    q.actor.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(given.calls.disposed).toBe(0);
  });

  it('ignores push-to-talk signals', () => {
    const p = withParent({ mode: 'vad', detector: scriptedDetector().detector });
    p.manual('start');
    p.frame(chunk(0));
    expect(p.received).toEqual([]);
    p.actor.stop();
  });
});

describe('the activity actor, server mode', () => {
  it('only tells UIs when speech starts and stops: the server brackets the activity itself', () => {
    const p = withParent({ mode: 'server', detector: scriptedDetector().detector, segmenter: { minSpeechMs: 20, hangoverMs: 20 } });
    for (const value of [0, 1, 1, 0, 0, 1, 0]) p.frame(chunk(value));
    expect(p.received).toEqual([
      { type: 'activity.speech', state: 'started', atMs: 20, detectedAtMs: 40 },
      { type: 'activity.speech', state: 'stopped', atMs: 60, detectedAtMs: 80 },
      { type: 'activity.speech', state: 'started', atMs: 100, detectedAtMs: 120 },
      { type: 'activity.speech', state: 'stopped', atMs: 120, detectedAtMs: 140 },
    ]);
    p.actor.stop();
  });
});

describe('the activity actor, manual mode', () => {
  it('brackets push-to-talk once per press, ignoring repeats and a release with no press, with no pre-roll by default', () => {
    const p = withParent({ mode: 'manual' });
    p.manual('end');
    p.frame(chunk(1));
    p.manual('start');
    p.manual('start');
    p.frame(chunk(1));
    p.frame(chunk(1));
    p.manual('end');
    p.manual('end');
    expect(p.received).toEqual([
      { type: 'input.activityStart' },
      { type: 'activity.speech', state: 'started', atMs: 20, detectedAtMs: 20 },
      { type: 'input.activityEnd' },
      { type: 'activity.speech', state: 'stopped', atMs: 60, detectedAtMs: 60 },
    ]);
    p.actor.stop();
  });

  it('sends the pre-roll it is asked for after a press, never audio from the last press', () => {
    const p = withParent({ mode: 'manual', preRollMs: 40 });
    for (const value of [1, 2, 3]) p.frame(chunk(value));
    p.manual('start');
    p.frame(chunk(4));
    p.manual('end');
    p.manual('start');
    const preRolls = p.received.filter((e): e is Extract<ActivityEvent, { type: 'activity.preRoll' }> => e.type === 'activity.preRoll');
    expect(preRolls.map((e) => e.frames.map((f) => f[0]))).toEqual([[2, 3]]);
    p.actor.stop();
  });
});

describe('the activity actor, bad input', () => {
  it.each([
    [{ mode: 'auto' as 'vad' }, /mode must be 'vad', 'manual' or 'server'/],
    [{ mode: 'vad' as const, preRollMs: -5 }, /preRollMs/],
    [{ mode: 'vad' as const, maxBacklogMs: Number.NaN }, /maxBacklogMs/],
    [{ mode: 'server' as const, segmenter: { hangoverMs: -1 } }, /hangoverMs/],
    [{ mode: 'vad' as const, detector: {} as VoiceActivityDetector }, /detector must be/],
  ])('%o: one activity.error (VAD_INVALID_OPTIONS) at start, and nothing else', (input, reason) => {
    const p = withParent(input);
    p.frame(chunk(1));
    p.manual('start');
    expect(p.received).toHaveLength(1);
    expect(p.received[0]).toMatchObject({ type: 'activity.error', error: { code: 'VAD_INVALID_OPTIONS', reason: expect.stringMatching(reason) } });
    p.actor.stop();
  });
});

describe('the activity actor, with the default detector on the clean fixture', () => {
  it('brackets each utterance exactly once, and the audio a parent sends covers 300 ms before each onset to the end, once', async () => {
    const corpus = loadCorpus();
    const stream = pcmBytes(corpus.speech);
    // The default detector is WebRTC's, loaded from the package. Its WebAssembly is loaded once and
    // shared: with it loaded here first, the actor's own detector is ready within a tick.
    (await createWebRtcVad()).dispose();
    const p = withParent({ mode: 'vad' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    /** Byte ranges of the stream the parent sent (inside a bracket). */
    const sent: [number, number][] = [];
    let open = false;
    let seen = 0;
    const starts: number[] = [];
    for (let at = 0; at < stream.length; at += 640) {
      const pcm = stream.subarray(at, Math.min(at + 640, stream.length));
      if (open) sent.push([at, at + pcm.length]); // the parent forwards mic audio inside the bracket
      p.frame(pcm);
      for (const event of p.received.slice(seen)) {
        if (event.type === 'input.activityStart') open = true;
        if (event.type === 'input.activityEnd') open = false;
        if (event.type === 'activity.speech' && event.state === 'started') starts.push(event.atMs);
        if (event.type === 'activity.preRoll') {
          const bytes = Uint8Array.from(event.frames.flatMap((f) => [...f]));
          const end = at + pcm.length;
          expect(bytes).toEqual(stream.subarray(end - bytes.length, end));
          sent.push([end - bytes.length, end]);
        }
      }
      seen = p.received.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(p.types().filter((t) => t.startsWith('input.'))).toEqual(corpus.utterances.flatMap(() => ['input.activityStart', 'input.activityEnd']));
    expect(p.received.some((e) => e.type === 'activity.error')).toBe(false);
    // No byte twice; every byte from 300 ms before each onset to the utterance's end.
    sent.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sent.length; i += 1) expect((sent[i] as [number, number])[0]).toBeGreaterThanOrEqual((sent[i - 1] as [number, number])[1]);
    const covered = (from: number, to: number) => sent.filter(([a, b]) => a < to && b > from).reduce((sum, [a, b]) => sum + Math.min(b, to) - Math.max(a, from), 0);
    for (const [i, label] of corpus.utterances.entries()) {
      const from = ((starts[i] as number) - 300) * 32;
      const to = label.endMs * 32;
      expect(covered(from, to), `utterance ${i}`).toBe(to - from);
      expect(from, `utterance ${i}: the pre-roll reaches before its first sample`).toBeLessThanOrEqual(label.startMs * 32);
    }
    p.actor.stop();
  });
});
