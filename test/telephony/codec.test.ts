/**
 * The telephony codec: μ-law within G.711's quantisation, and tones through each converter and
 * through the whole loop (the model's 24 kHz → μ-law 8 kHz → the session's 16 kHz), measured by
 * a sine fit: amplitude kept, SNR above what μ-law allows less a margin, nothing folded back.
 */
import { describe, expect, it } from 'vitest';
import { createInboundConverter, createOutboundConverter, decodeMulaw, encodeMulaw, FRAME_BYTES, MULAW_SILENCE } from '../../src/telephony/index.js';
import { concat, fitTone, fromPcm16, sine, toInt16, toPcm16 } from './tones.js';

/** 24 kHz PCM16 in 40 ms chunks, as the model sends it. */
function modelChunks(samples: Float32Array): Uint8Array[] {
  const pcm = toPcm16(samples);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < pcm.length; i += 1_920) chunks.push(pcm.slice(i, i + 1_920));
  return chunks;
}

const skip = (samples: Float32Array, count: number) => samples.subarray(count, samples.length - count);

describe('μ-law', () => {
  it('round-trips every 16-bit value within G.711 quantisation', () => {
    const all = Int16Array.from({ length: 65_536 }, (_, i) => i - 32_768);
    const decoded = decodeMulaw(encodeMulaw(all));
    for (let i = 0; i < all.length; i += 1) {
      const x = all[i]!;
      expect(Math.abs(decoded[i]! - x), `sample ${x}`).toBeLessThanOrEqual(Math.max(8, Math.abs(x) / 16));
    }
    expect(encodeMulaw(new Int16Array([0]))[0]).toBe(MULAW_SILENCE);
  });
});

describe('createInboundConverter (μ-law 8 kHz → 16 kHz PCM16)', () => {
  it('doubles the samples, chunk after chunk, and keeps a 1 kHz tone (SNR > 30 dB, gain within 0.5 dB)', () => {
    const converter = createInboundConverter();
    const mulaw = encodeMulaw(toInt16(sine(1_000, 8_000, 1_000)));
    const out: Uint8Array[] = [];
    for (let i = 0; i < mulaw.length; i += FRAME_BYTES) out.push(converter.push(mulaw.subarray(i, i + FRAME_BYTES)));
    const samples = fromPcm16(concat(out));
    expect(16_000 - samples.length).toBeGreaterThanOrEqual(0);
    expect(16_000 - samples.length).toBeLessThan(40); // the filter's reach, held until more comes
    expect(out.slice(1).every((chunk) => chunk.length === 640)).toBe(true);
    const fit = fitTone(skip(samples, 200), 1_000, 16_000);
    expect(fit.snrDb).toBeGreaterThan(30);
    expect(Math.abs(20 * Math.log10(fit.amplitude / 0.5))).toBeLessThan(0.5);
  });
});

describe('createOutboundConverter (24 kHz PCM16 → μ-law 8 kHz frames)', () => {
  it('makes 160-byte frames of 20 ms that keep a 1 kHz tone', () => {
    const converter = createOutboundConverter();
    const frames = [...modelChunks(sine(1_000, 24_000, 1_000)).flatMap((chunk) => converter.push(chunk)), ...converter.flush()];
    expect(frames.every((frame) => frame.length === FRAME_BYTES)).toBe(true);
    // 1 s is 50 frames; the flush drains the filter's tail (a few ms) into a 51st, padded with silence.
    expect(frames.length).toBe(51);
    expect(frames[50]!.subarray(40).every((byte) => byte === MULAW_SILENCE)).toBe(true);
    const decoded = Float32Array.from(decodeMulaw(concat(frames)), (s) => s / 0x8000);
    const fit = fitTone(decoded.subarray(100, 7_900), 1_000, 8_000); // the tone, not the padding after it
    expect(fit.snrDb).toBeGreaterThan(30);
    expect(Math.abs(20 * Math.log10(fit.amplitude / 0.5))).toBeLessThan(0.5);
  });

  it('passes 3.4 kHz (the top of the phone band) and filters 6 kHz out instead of folding it to 2 kHz', () => {
    for (const [hz, passes] of [[3_400, true], [6_000, false]] as const) {
      const converter = createOutboundConverter();
      const frames = modelChunks(sine(hz, 24_000, 500)).flatMap((chunk) => converter.push(chunk));
      const decoded = Float32Array.from(decodeMulaw(concat(frames)), (s) => s / 0x8000);
      const level = 20 * Math.log10(fitTone(skip(decoded, 100), passes ? hz : 8_000 - hz, 8_000).amplitude / 0.5);
      if (passes) expect(level, `${hz} Hz`).toBeGreaterThan(-3);
      else expect(level, `${hz} Hz folded to ${8_000 - hz} Hz`).toBeLessThan(-40);
    }
  });

  it('pads the end of a turn with silence, flushes nothing when nothing is held, and drops what it holds on reset', () => {
    const converter = createOutboundConverter();
    expect(converter.flush()).toEqual([]);
    expect(converter.push(toPcm16(sine(500, 24_000, 10)))).toEqual([]); // 10 ms: less than a frame
    const [last, ...more] = converter.flush();
    expect(more).toEqual([]);
    expect(last).toHaveLength(FRAME_BYTES);
    expect(last!.subarray(100).every((byte) => byte === MULAW_SILENCE)).toBe(true);
    expect(last!.subarray(10, 60).some((byte) => byte !== MULAW_SILENCE)).toBe(true);
    converter.push(toPcm16(sine(500, 24_000, 10)));
    converter.reset();
    expect(converter.flush()).toEqual([]);
  });
});

describe('the whole loop', () => {
  it('a 440 Hz tone of the model reaches the session as 16 kHz PCM16 with its pitch and level', () => {
    const outbound = createOutboundConverter();
    const inbound = createInboundConverter();
    const frames = [...modelChunks(sine(440, 24_000, 1_000, 0.3)).flatMap((chunk) => outbound.push(chunk)), ...outbound.flush()];
    const samples = fromPcm16(concat(frames.map((frame) => inbound.push(frame))));
    const fit = fitTone(skip(samples, 400), 440, 16_000);
    expect(fit.snrDb).toBeGreaterThan(28);
    expect(Math.abs(20 * Math.log10(fit.amplitude / 0.3))).toBeLessThan(0.5);
  });
});
