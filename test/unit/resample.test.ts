import { describe, expect, it } from 'vitest';
import { createChunker, createPcm16Converter, createStreamResampler, floatToPcm16 } from '../../src/audio/index.js';

const tone = (hz: number, rate: number, seconds: number, amplitude = 0.5) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate));

/** Root mean square of the middle of a signal (the filter's run-in and run-out left out). */
function rms(samples: Float32Array): number {
  const middle = samples.subarray(Math.floor(samples.length / 4), Math.floor((samples.length * 3) / 4));
  return Math.sqrt(middle.reduce((sum, s) => sum + s * s, 0) / middle.length);
}

/** The amplitude of one frequency in a signal (a single DFT bin). */
function amplitudeAt(samples: Float32Array, hz: number, rate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < samples.length; i += 1) {
    re += (samples[i] ?? 0) * Math.cos((2 * Math.PI * hz * i) / rate);
    im -= (samples[i] ?? 0) * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

function pushInBlocks(resampler: ReturnType<typeof createStreamResampler>, input: Float32Array, block: number): Float32Array {
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += block) parts.push(...resampler.push(input.subarray(i, i + block)));
  return Float32Array.from(parts);
}

describe('resampling to 16 kHz', () => {
  it('makes a third as many samples from 48 kHz and keeps a 440 Hz tone as it was', () => {
    const input = tone(440, 48_000, 1);
    const out = pushInBlocks(createStreamResampler(48_000, 16_000), input, 128);
    // The filter holds back its half-width (~51 input samples, 17 output samples) at the end.
    expect(out.length).toBeGreaterThan(16_000 - 20);
    expect(out.length).toBeLessThanOrEqual(16_000);
    expect(amplitudeAt(out.subarray(0, 15_000), 440, 16_000)).toBeCloseTo(0.5, 2);
    expect(rms(out)).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });

  it('gives the same output whatever the block sizes (no seams)', () => {
    const input = tone(1000, 44_100, 0.5);
    const whole = createStreamResampler(44_100, 16_000).push(input);
    const blocks = pushInBlocks(createStreamResampler(44_100, 16_000), input, 441);
    const odd = pushInBlocks(createStreamResampler(44_100, 16_000), input, 97);
    expect(blocks.length).toBe(whole.length);
    expect(odd.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i += 1) {
      expect(blocks[i]).toBeCloseTo(whole[i] ?? 0, 5);
      expect(odd[i]).toBeCloseTo(whole[i] ?? 0, 5);
    }
  });

  it('filters out what would fold back: a 12 kHz tone at 48 kHz becomes near silence', () => {
    const out = createStreamResampler(48_000, 16_000).push(tone(12_000, 48_000, 0.5));
    // Without a low-pass it would alias to 4 kHz at full amplitude.
    expect(amplitudeAt(out, 4_000, 16_000)).toBeLessThan(0.01);
    expect(rms(out)).toBeLessThan(0.01);
  });

  it('passes 16 kHz through and refuses nonsense rates', () => {
    const input = tone(300, 16_000, 0.01);
    expect(createStreamResampler(16_000, 16_000).push(input)).toEqual(input);
    expect(() => createStreamResampler(0, 16_000)).toThrow(RangeError);
  });
});

describe('PCM16 conversion and chunking', () => {
  it('converts floats to little-endian int16, clipped', () => {
    const bytes = floatToPcm16(Float32Array.from([0, 1, -1, 2, -2, 0.5]));
    const view = new DataView(bytes.buffer);
    expect([0, 1, 2, 3, 4, 5].map((i) => view.getInt16(i * 2, true))).toEqual([0, 32767, -32768, 32767, -32768, 16384]);
  });

  it('cuts bytes into exact chunks and keeps the rest for later', () => {
    const chunker = createChunker(4);
    expect(chunker.push(Uint8Array.from([1, 2, 3]))).toEqual([]);
    expect(chunker.push(Uint8Array.from([4, 5, 6, 7, 8, 9]))).toEqual([Uint8Array.from([1, 2, 3, 4]), Uint8Array.from([5, 6, 7, 8])]);
    expect(chunker.push(Uint8Array.from([10, 11, 12]))).toEqual([Uint8Array.from([9, 10, 11, 12])]);
  });

  it('turns 48 kHz worklet blocks into 20 ms chunks of 16 kHz PCM16 (640 bytes)', () => {
    const converter = createPcm16Converter(48_000);
    const input = tone(440, 48_000, 1);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 960) chunks.push(...converter.push(input.subarray(i, i + 960)));
    expect(chunks.length).toBe(49); // 50 chunks in a second, the last held back by the filter's delay
    expect(new Set(chunks.map((c) => c.length))).toEqual(new Set([640]));
    const forty = createPcm16Converter(44_100, 40).push(tone(440, 44_100, 0.1));
    expect(forty.map((c) => c.length)).toEqual([1280, 1280]);
  });
});
