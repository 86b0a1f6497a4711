import { describe, expect, it } from 'vitest';
import { createPreRollBuffer } from '../../src/audio/vad/preRoll.js';
import { VadError } from '../../src/protocol/errors.js';

/** `ms` of a ramp of bytes starting at stream byte `from`, so any byte's place in the stream shows. */
function ramp(from: number, ms: number): Uint8Array {
  return Uint8Array.from({ length: ms * 32 }, (_, i) => (from + i) % 251);
}

/** The stream bytes from `fromByte` to `toByte`, as {@link ramp} made them. */
function expected(fromByte: number, toByte: number): number[] {
  return Array.from({ length: toByte - fromByte }, (_, i) => (fromByte + i) % 251);
}

const joined = (frames: Uint8Array[]) => frames.flatMap((f) => [...f]);

describe('createPreRollBuffer', () => {
  it('keeps the latest capacityMs of audio and forgets the oldest, whatever the chunk sizes', () => {
    const ring = createPreRollBuffer({ capacityMs: 100 });
    expect(ring.capacityBytes).toBe(3_200);
    let written = 0;
    for (const ms of [20, 20, 7, 33, 20, 20, 41, 3]) {
      ring.write(ramp(written, ms));
      written += ms * 32;
    }
    expect(ring.endMs).toBe(164);
    expect(ring.startMs).toBe(64);
    expect(joined(ring.read(0))).toEqual(expected(written - 3_200, written));
  });

  it('reads from a point in stream time, in frames of frameMs (the last one shorter)', () => {
    const ring = createPreRollBuffer({ capacityMs: 300, frameMs: 20 });
    ring.write(ramp(0, 250));
    const frames = ring.read(195);
    expect(frames.map((f) => f.length)).toEqual([640, 640, 480]);
    expect(joined(frames)).toEqual(expected(195 * 32, 250 * 32));
    // Reading does not consume: the same audio is there again.
    expect(joined(ring.read(195))).toEqual(joined(frames));
  });

  it('clamps a read to what it holds: nothing before the oldest byte, nothing past the end', () => {
    const ring = createPreRollBuffer({ capacityMs: 50 });
    ring.write(ramp(0, 200));
    expect(joined(ring.read(-1_000))).toEqual(expected(150 * 32, 200 * 32));
    expect(ring.read(200)).toEqual([]);
    expect(ring.read(1_000)).toEqual([]);
  });

  it('keeps the tail of a write longer than the ring, across the wrap', () => {
    const ring = createPreRollBuffer({ capacityMs: 30 });
    ring.write(ramp(0, 17));
    ring.write(ramp(17 * 32, 95));
    expect(joined(ring.read(0))).toEqual(expected(82 * 32, 112 * 32));
  });

  it('never splits a sample: an odd point in time reads from the sample it falls in', () => {
    const ring = createPreRollBuffer({ capacityMs: 10 });
    ring.write(ramp(0, 10));
    const frames = ring.read(0.03); // 0.96 of a byte in: byte 0
    expect(frames[0]?.[0]).toBe(0);
    expect(ring.read(0.1)[0]?.[0]).toBe(2); // 3.2 bytes in: the sample at byte 2
  });

  it('returns copies: later writes do not change frames already read, nor do writes to the caller\'s chunk', () => {
    const ring = createPreRollBuffer({ capacityMs: 20 });
    const chunk = ramp(0, 20);
    ring.write(chunk);
    const frames = ring.read(0);
    chunk.fill(0);
    ring.write(new Uint8Array(640).fill(9));
    expect(joined(frames)).toEqual(expected(0, 640));
  });

  it('with no capacity holds nothing but keeps the time', () => {
    const ring = createPreRollBuffer({ capacityMs: 0 });
    ring.write(ramp(0, 40));
    expect(ring.endMs).toBe(40);
    expect(ring.read(0)).toEqual([]);
  });

  it.each([
    [{ capacityMs: -1 }, /capacityMs/],
    [{ capacityMs: Number.POSITIVE_INFINITY }, /capacityMs/],
    [{ capacityMs: 100, frameMs: 0 }, /frameMs/],
    [{ capacityMs: 100, frameMs: Number.NaN }, /frameMs/],
  ])('refuses %o with a VadError', (options, reason) => {
    expect(() => createPreRollBuffer(options)).toThrow(VadError);
    expect(() => createPreRollBuffer(options)).toThrow(reason);
  });
});
