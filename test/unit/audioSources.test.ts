import { describe, expect, it, vi } from 'vitest';
import { pacedPcm, readWav, resample, syntheticSpeech } from '../../src/audio/sources.js';

/** A PCM16 WAV file of the given samples (interleaved when stereo). */
function wav(samples: number[], sampleRate: number, channels: number, bits = 16): Uint8Array {
  const data = samples.length * 2;
  const bytes = new Uint8Array(44 + data);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, bits, true);
  ascii(36, 'data');
  view.setUint32(40, data, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, s, true));
  return bytes;
}

describe('readWav', () => {
  it('passes 16 kHz mono through unchanged', () => {
    const decoded = readWav(wav([1, -2, 300], 16_000, 1));
    expect([...new Int16Array(decoded.pcm.buffer)]).toEqual([1, -2, 300]);
    expect(decoded).toMatchObject({ sampleRate: 16_000, channels: 1 });
  });

  it('averages stereo and resamples 48 kHz to 16 kHz', () => {
    const samples = Array.from({ length: 48 * 2 }, (_, i) => (i % 2 === 0 ? 100 : 300)); // 48 stereo frames
    const decoded = readWav(wav(samples, 48_000, 2));
    const out = [...new Int16Array(decoded.pcm.buffer)];
    expect(out).toHaveLength(16);
    expect(out.every((s) => s === 200)).toBe(true);
  });

  it('refuses what it cannot decode', () => {
    expect(() => readWav(new Uint8Array(20))).toThrow(/not a WAV file/);
    expect(() => readWav(wav([1], 16_000, 1, 8))).toThrow(/only 16-bit PCM/);
  });
});

describe('resample', () => {
  it('interpolates linearly', () => {
    expect([...resample(new Float32Array([0, 10]), 1, 2)]).toEqual([0, 5, 10, 10]);
  });
});

describe('pacedPcm', () => {
  it('yields one 20 ms frame every 20 ms', async () => {
    vi.useFakeTimers();
    try {
      const source = pacedPcm(new Uint8Array(640 * 3));
      const seen: number[] = [];
      const reading = (async () => {
        for await (const frame of source) seen.push(frame.length);
      })();
      await vi.advanceTimersByTimeAsync(0);
      expect(seen).toEqual([640]);
      await vi.advanceTimersByTimeAsync(20);
      expect(seen).toEqual([640, 640]);
      await vi.advanceTimersByTimeAsync(20);
      await reading;
      expect(seen).toEqual([640, 640, 640]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const frames: Uint8Array[] = [];
    for await (const frame of pacedPcm(new Uint8Array(640 * 10), { frameMs: 1, signal: controller.signal })) {
      frames.push(frame);
      controller.abort();
    }
    expect(frames).toHaveLength(1);
  });
});

describe('syntheticSpeech', () => {
  it('is 32 bytes per millisecond and not silent', () => {
    const pcm = syntheticSpeech(100);
    expect(pcm.length).toBe(3200);
    expect(new Int16Array(pcm.buffer).some((s) => Math.abs(s) > 1000)).toBe(true);
  });
});
