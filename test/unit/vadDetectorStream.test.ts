import { describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../../src/audio/vad/detector.js';
import { createDetectorStream, type FrameScore } from '../../src/audio/vad/detectorStream.js';
import { VadError } from '../../src/protocol/errors.js';
import { deferred } from '../helpers.js';

/** Little-endian PCM16 of these samples. */
function pcm(...samples: number[]): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((s, i) => view.setInt16(i * 2, s, true));
  return bytes;
}

/** A detector that records each frame it sees and scores it as its first sample / 100. */
function recordingDetector(frameSamples: number) {
  const seen: number[][] = [];
  const detector: VoiceActivityDetector = {
    name: 'recording',
    frameSamples,
    process(frame) {
      seen.push([...frame]);
      return (frame[0] ?? 0) / 100;
    },
    reset: () => undefined,
    dispose: () => undefined,
  };
  return { detector, seen };
}

/** A detector that answers each frame with a promise the test settles. */
function asyncDetector(frameSamples: number) {
  const pending: { frame: number[]; answer: ReturnType<typeof deferred<number>> }[] = [];
  const detector: VoiceActivityDetector = {
    name: 'async',
    frameSamples,
    process(frame) {
      const answer = deferred<number>();
      pending.push({ frame: [...frame], answer });
      return answer.promise;
    },
    reset: () => undefined,
    dispose: () => undefined,
  };
  return { detector, pending };
}

function collect() {
  const scores: FrameScore[] = [];
  const errors: VadError[] = [];
  return { scores, errors, options: { onScore: (s: FrameScore) => scores.push(s), onError: (e: VadError) => errors.push(e) } };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createDetectorStream', () => {
  it("cuts chunks of any size into the detector's frames and scores each inside push, placed in stream time", () => {
    const { detector, seen } = recordingDetector(4);
    const { scores, errors, options } = collect();
    const stream = createDetectorStream(detector, options);
    stream.push(pcm(10, 11, 12));
    expect(scores).toEqual([]);
    stream.push(pcm(13, 20, 21, 22, 23, 30));
    expect(seen).toEqual([
      [10, 11, 12, 13],
      [20, 21, 22, 23],
    ]);
    expect(scores).toEqual([
      { probability: 0.1, startMs: 0, endMs: 0.25 },
      { probability: 0.2, startMs: 0.25, endMs: 0.5 },
    ]);
    expect(stream.positionMs).toBe(0.5625);
    expect(errors).toEqual([]);
  });

  it('keeps a sample split across two chunks whole', () => {
    const { detector, seen } = recordingDetector(2);
    const stream = createDetectorStream(detector, collect().options);
    const bytes = pcm(-300, 1234, 5, 6);
    stream.push(bytes.subarray(0, 3));
    stream.push(bytes.subarray(3));
    expect(seen).toEqual([
      [-300, 1234],
      [5, 6],
    ]);
  });

  it('has frames wait, in order, while a promise is pending, and scores them as each settles', async () => {
    const { detector, pending } = asyncDetector(2);
    const { scores, options } = collect();
    const stream = createDetectorStream(detector, options);
    stream.push(pcm(1, 1, 2, 2, 3, 3));
    expect(pending).toHaveLength(1); // the next frames wait
    pending[0]?.answer.resolve(0.1);
    await tick();
    expect(pending).toHaveLength(2);
    expect(pending[1]?.frame).toEqual([2, 2]);
    pending[1]?.answer.resolve(0.2);
    await tick();
    pending[2]?.answer.resolve(0.3);
    await tick();
    expect(scores.map((s) => [s.probability, s.startMs])).toEqual([
      [0.1, 0],
      [0.2, 0.125],
      [0.3, 0.25],
    ]);
  });

  it('skips the oldest waiting frames beyond maxBacklogMs, and counts them', async () => {
    const { detector, pending } = asyncDetector(16); // 1 ms frames
    const { scores, options } = collect();
    const stream = createDetectorStream(detector, { ...options, maxBacklogMs: 3 });
    stream.push(new Uint8Array(32 * 10)); // 10 frames: 1 scoring, 9 waiting, 6 of them skipped
    expect(stream.skippedMs).toBe(6);
    pending[0]?.answer.resolve(1);
    for (let i = 1; i <= 3; i += 1) {
      await tick();
      pending[i]?.answer.resolve(1);
    }
    await tick();
    expect(scores.map((s) => s.startMs)).toEqual([0, 7, 8, 9]);
  });

  it('lets frames wait for a detector that is still loading, then scores them in order', async () => {
    const { detector, seen } = recordingDetector(2);
    const loading = deferred<VoiceActivityDetector>();
    const { scores, options } = collect();
    const stream = createDetectorStream(loading.promise, options);
    const chunk = pcm(7, 8, 9);
    stream.push(chunk);
    chunk.fill(0); // the stream kept a copy
    stream.push(pcm(10));
    expect(seen).toEqual([]);
    loading.resolve(detector);
    await tick();
    expect(seen).toEqual([
      [7, 8],
      [9, 10],
    ]);
    expect(scores.map((s) => s.startMs)).toEqual([0, 0.125]);
  });

  it('drops the oldest early chunks beyond the backlog, and starts its frames afresh after the gap', async () => {
    const { detector, seen } = recordingDetector(16);
    const loading = deferred<VoiceActivityDetector>();
    const { scores, options } = collect();
    const stream = createDetectorStream(loading.promise, { ...options, maxBacklogMs: 2 });
    stream.push(new Uint8Array(24).fill(1)); // 0.75 ms: dropped
    stream.push(new Uint8Array(32).fill(2)); // 1 ms
    stream.push(new Uint8Array(32).fill(3)); // 1 ms
    expect(stream.skippedMs).toBe(0.75);
    loading.resolve(detector);
    await tick();
    expect(scores.map((s) => [s.startMs, s.endMs])).toEqual([
      [0.75, 1.75],
      [1.75, 2.75],
    ]);
    expect(seen.map((f) => f[0])).toEqual([0x0202, 0x0303]);
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }],
    ['rejects', () => Promise.reject(new Error('boom'))],
  ])('reports a detector that %s once, as VAD_FAILED, and scores nothing more', async (_, process) => {
    const detector: VoiceActivityDetector = { name: 'broken', frameSamples: 1, process, reset: () => undefined, dispose: () => undefined };
    const { scores, errors, options } = collect();
    const stream = createDetectorStream(detector, options);
    stream.push(pcm(1, 2, 3));
    await tick();
    stream.push(pcm(4));
    await tick();
    expect(scores).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'VAD_FAILED', source: 'broken', reason: 'broken: boom' });
    expect(stream.failed).toBe(true);
    expect(stream.positionMs).toBe(0.25);
  });

  it('passes a VadError from the detector on as it is', () => {
    const own = new VadError('VAD_FAILED', 'mine', 'my reason');
    const detector: VoiceActivityDetector = { name: 'mine', frameSamples: 1, process: () => { throw own; }, reset: () => undefined, dispose: () => undefined };
    const { errors, options } = collect();
    createDetectorStream(detector, options).push(pcm(1));
    expect(errors).toEqual([own]);
  });

  it('reports a detector that never loads as VAD_UNAVAILABLE', async () => {
    const { errors, options } = collect();
    createDetectorStream(Promise.reject(new Error('no such package')), options).push(pcm(1));
    await tick();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'VAD_UNAVAILABLE', reason: 'detector: no such package' });
  });

  it('refuses a detector whose frameSamples is not a positive integer', () => {
    const { errors, options } = collect();
    createDetectorStream({ ...recordingDetector(1).detector, frameSamples: 0 }, options);
    expect(errors[0]).toMatchObject({ code: 'VAD_UNAVAILABLE', reason: expect.stringContaining('frameSamples must be a positive integer') });
  });

  it('reports nothing after close(), not even a result that was pending', async () => {
    const { detector, pending } = asyncDetector(1);
    const { scores, errors, options } = collect();
    const stream = createDetectorStream(detector, options);
    stream.push(pcm(1, 2));
    stream.close();
    pending[0]?.answer.resolve(1);
    await tick();
    stream.push(pcm(3));
    expect(scores).toEqual([]);
    expect(errors).toEqual([]);
    expect(pending).toHaveLength(1);
  });
});
