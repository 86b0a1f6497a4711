import { describe, expect, it } from 'vitest';
import { DEFAULT_SEGMENTER, createSpeechSegmenter, type SpeechSegmenter } from '../../src/audio/vad/segmenter.js';
import { VadError } from '../../src/protocol/errors.js';

/** Pushes 20 ms frames with these probabilities from `fromMs`; returns every event with its frame index. */
function feed(segmenter: SpeechSegmenter, probabilities: number[], fromMs = 0) {
  const events = [];
  for (const [i, p] of probabilities.entries()) {
    const event = segmenter.push(p, fromMs + i * 20, fromMs + (i + 1) * 20);
    if (event) events.push({ frame: i, ...event });
  }
  return events;
}

const ones = (n: number) => Array<number>(n).fill(1);
const zeros = (n: number) => Array<number>(n).fill(0);

describe('createSpeechSegmenter', () => {
  it('starts once minSpeechMs of speech has run, dated at its first frame, and stops after hangoverMs of silence, dated at its last', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 60, hangoverMs: 100 });
    const events = feed(segmenter, [...zeros(5), ...ones(10), ...zeros(5), ...zeros(3)]);
    expect(events).toEqual([
      { frame: 7, type: 'speechStart', atMs: 100, detectedAtMs: 160 },
      { frame: 19, type: 'speechEnd', atMs: 300, detectedAtMs: 400 },
    ]);
    expect(segmenter.speaking).toBe(false);
  });

  it('gives up an onset at a silent frame, and counts the next run afresh', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 60, hangoverMs: 100 });
    expect(feed(segmenter, [1, 1, 0, 1, 1, 1])).toEqual([{ frame: 5, type: 'speechStart', atMs: 60, detectedAtMs: 120 }]);
  });

  it('needs a frame at the threshold to begin an onset; frames between the thresholds carry an onset and speech on', () => {
    const segmenter = createSpeechSegmenter({ threshold: 0.6, negativeThreshold: 0.3, minSpeechMs: 60, hangoverMs: 40 });
    // 0.4 alone never begins speech…
    expect(feed(segmenter, [0.4, 0.4, 0.4, 0.4])).toEqual([]);
    // …but after a 0.6 it counts toward the onset, and holds speech up, until a frame below 0.3.
    const events = feed(segmenter, [0.6, 0.4, 0.4, 0.4, 0.4, 0.29, 0.29], 80);
    expect(events).toEqual([
      { frame: 2, type: 'speechStart', atMs: 80, detectedAtMs: 140 },
      { frame: 6, type: 'speechEnd', atMs: 180, detectedAtMs: 220 },
    ]);
  });

  it('counts a silent frame at the negative threshold as speech, and NaN as silence', () => {
    const segmenter = createSpeechSegmenter({ threshold: 0.5, negativeThreshold: 0.35, minSpeechMs: 40, hangoverMs: 20 });
    expect(feed(segmenter, [0.5, 0.35, 0.35, Number.NaN])).toEqual([
      { frame: 1, type: 'speechStart', atMs: 0, detectedAtMs: 40 },
      { frame: 3, type: 'speechEnd', atMs: 60, detectedAtMs: 80 },
    ]);
  });

  it('bridges pauses shorter than the hangover', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 40, hangoverMs: 200 });
    const events = feed(segmenter, [...ones(5), ...zeros(9), ...ones(5), ...zeros(10)]);
    expect(events.map((e) => e.type)).toEqual(['speechStart', 'speechEnd']);
    expect(events[1]).toMatchObject({ atMs: 380, detectedAtMs: 580 });
  });

  it('starts at the first speech frame when minSpeechMs is 0, and stops at the first silent one when hangoverMs is 0', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 0, hangoverMs: 0 });
    expect(feed(segmenter, [0, 1, 0])).toEqual([
      { frame: 1, type: 'speechStart', atMs: 20, detectedAtMs: 40 },
      { frame: 2, type: 'speechEnd', atMs: 40, detectedAtMs: 60 },
    ]);
  });

  it('handles frames of any length (Silero scores 32 ms at a time)', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 64, hangoverMs: 96 });
    const events = [];
    for (let i = 0; i < 12; i += 1) {
      const event = segmenter.push(i >= 2 && i < 6 ? 0.9 : 0.1, i * 32, (i + 1) * 32);
      if (event) events.push(event);
    }
    expect(events).toEqual([
      { type: 'speechStart', atMs: 64, detectedAtMs: 128 },
      { type: 'speechEnd', atMs: 192, detectedAtMs: 288 },
    ]);
  });

  it('finish() ends speech still going on, dated at its last speech frame, and nothing otherwise', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 20, hangoverMs: 500 });
    feed(segmenter, [1, 1, 0]);
    expect(segmenter.speaking).toBe(true);
    expect(segmenter.finish(60)).toEqual({ type: 'speechEnd', atMs: 40, detectedAtMs: 60 });
    expect(segmenter.speaking).toBe(false);
    expect(segmenter.finish(80)).toBeUndefined();
  });

  it('reset() forgets speech in progress without an event', () => {
    const segmenter = createSpeechSegmenter({ minSpeechMs: 20, hangoverMs: 100 });
    feed(segmenter, [1, 1]);
    segmenter.reset();
    expect(segmenter.speaking).toBe(false);
    expect(feed(segmenter, zeros(10), 40)).toEqual([]);
  });

  it('fills in the defaults, tuned on the fixtures', () => {
    expect(createSpeechSegmenter().options).toEqual({ ...DEFAULT_SEGMENTER, negativeThreshold: 0.35 });
    expect(createSpeechSegmenter({ threshold: 0.1 }).options.negativeThreshold).toBe(0);
  });

  it.each([
    [{ threshold: 0 }, /threshold must be in \(0, 1\]/],
    [{ threshold: 1.5 }, /threshold must be in \(0, 1\]/],
    [{ threshold: Number.NaN }, /threshold/],
    [{ threshold: 0.5, negativeThreshold: 0.6 }, /negativeThreshold must be in \[0, threshold\]/],
    [{ negativeThreshold: -0.1 }, /negativeThreshold/],
    [{ minSpeechMs: -1 }, /minSpeechMs/],
    [{ minSpeechMs: Number.POSITIVE_INFINITY }, /minSpeechMs/],
    [{ hangoverMs: Number.NaN }, /hangoverMs/],
  ])('refuses %o with a VadError', (options, reason) => {
    let error: unknown;
    try {
      createSpeechSegmenter(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VadError);
    expect(error).toMatchObject({ code: 'VAD_INVALID_OPTIONS', source: 'segmenter', reason: expect.stringMatching(reason) });
  });
});
