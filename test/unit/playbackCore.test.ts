import { describe, expect, it } from 'vitest';
import { PlaybackCore, type PlaybackCoreOptions } from '../../src/audio/playbackCore.js';

const OPTIONS: PlaybackCoreOptions = { jitterSamples: 1440, fadeFrames: 128, step: 1 };

/** A ramp of `n` samples, each a distinct value, starting at `from`. */
function ramp(n: number, from = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (from + i) / 100_000);
}

function render(core: PlaybackCore, frames: number): Float32Array {
  const out = new Float32Array(frames);
  core.render(out);
  return out;
}

describe('PlaybackCore', () => {
  it('holds audio back until the jitter buffer is full, then plays it in order', () => {
    const core = new PlaybackCore(OPTIONS);
    core.push(ramp(480));
    expect(render(core, 128).every((v) => v === 0)).toBe(true);
    core.push(ramp(960, 481));
    const out = render(core, 1440);
    expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(ramp(3)));
    expect(out[1439]).toBeCloseTo(1440 / 100_000);
    expect(core.counts()).toEqual({ received: 1440, played: 1440, discarded: 0, buffered: 0 });
  });

  it('plays a short tail once nothing more has come for the jitter time', () => {
    const core = new PlaybackCore(OPTIONS);
    core.push(ramp(200));
    expect(core.render(new Float32Array(1439))).toBe(0);
    const out = new Float32Array(400);
    expect(core.render(out)).toBe(200);
    expect(out[1]).toBeCloseTo(1 / 100_000);
    expect(core.counts().played).toBe(200);
  });

  it('on interrupt fades out within one render quantum, then drops the rest and says where it cut', () => {
    const core = new PlaybackCore(OPTIONS);
    core.push(new Float32Array(24_000).fill(0.5));
    render(core, 1000);
    core.interrupt();
    expect(core.fading()).toBe(true);
    const out = render(core, 512);
    const faded = Array.from(out.subarray(0, 128));
    expect(faded[0]).toBeCloseTo(0.5 * (127 / 128));
    expect(faded[127]).toBe(0);
    for (let i = 1; i < 128; i += 1) expect(faded[i]).toBeLessThan(faded[i - 1] as number);
    expect(out.subarray(128).every((v) => v === 0)).toBe(true);
    expect(core.cut).toEqual({ at: 1128, discarded: 24_000 - 1128, fadeFrames: 128 });
    expect(core.counts()).toEqual({ received: 24_000, played: 1128, discarded: 22_872, buffered: 0 });
    // Audio after the interruption plays again, after the jitter buffer.
    core.push(new Float32Array(1440).fill(0.25));
    expect(render(core, 4)[0]).toBe(0.25);
  });

  it('a second interrupt while fading changes nothing; with nothing playing it drops at once', () => {
    const core = new PlaybackCore(OPTIONS);
    core.push(new Float32Array(4000).fill(1));
    render(core, 10);
    core.interrupt();
    render(core, 64);
    core.interrupt();
    const rest = render(core, 128);
    expect(rest[0]).toBeCloseTo(63 / 128);
    expect(core.cut?.fadeFrames).toBe(128);

    const waiting = new PlaybackCore(OPTIONS);
    waiting.push(ramp(100));
    waiting.interrupt();
    expect(waiting.fading()).toBe(false);
    expect(waiting.cut).toEqual({ at: 0, discarded: 100, fadeFrames: 0 });
  });

  it('fades over what is left when less than a quantum remains, down to silence', () => {
    const core = new PlaybackCore(OPTIONS);
    core.push(new Float32Array(1500).fill(1));
    render(core, 1460);
    core.interrupt();
    const out = render(core, 128);
    expect(out[39]).toBe(0);
    expect(out[0]).toBeCloseTo(39 / 40);
    expect(core.cut).toEqual({ at: 1500, discarded: 0, fadeFrames: 40 });
  });

  it('resamples for an output at another rate (48 kHz: half a sample per frame)', () => {
    const core = new PlaybackCore({ ...OPTIONS, jitterSamples: 0, step: 0.5 });
    core.push(Float32Array.from([0, 1, 0, -1]));
    const out = render(core, 8);
    expect(Array.from(out)).toEqual([0, 0.5, 1, 0.5, 0, -0.5, -1, -1]);
    expect(core.counts().played).toBe(4);
  });

  it('grows its ring for long turns without losing a sample', () => {
    const core = new PlaybackCore({ ...OPTIONS, jitterSamples: 0 });
    const long = ramp(50_000);
    core.push(long.subarray(0, 10_000));
    core.push(long.subarray(10_000));
    const out = render(core, 50_000);
    expect(out).toEqual(long);
  });

  it('packs only the audio when asked (a stream wants no silence)', () => {
    const core = new PlaybackCore({ ...OPTIONS, jitterSamples: 0 });
    core.push(ramp(10));
    const out = new Float32Array(32);
    expect(core.render(out, true)).toBe(10);
    expect(Array.from(out.subarray(0, 10))).toEqual(Array.from(ramp(10)));
  });

  it('runs from its own source text alone, as the AudioWorklet loads it', () => {
    const Core = new Function(`return (${PlaybackCore.toString()});`)() as typeof PlaybackCore;
    const core = new Core({ ...OPTIONS, jitterSamples: 0 });
    core.push(ramp(256));
    core.render(new Float32Array(100));
    core.interrupt();
    core.render(new Float32Array(256));
    expect(core.counts()).toEqual({ received: 256, played: 228, discarded: 28, buffered: 0 });
    expect(PlaybackCore.toString()).not.toMatch(/__publicField|__privateAdd|#\w/);
  });
});
