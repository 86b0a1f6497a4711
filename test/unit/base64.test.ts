import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/protocol/base64.js';

describe('base64', () => {
  it('round-trips bytes, including a view into a larger buffer', () => {
    const backing = new Uint8Array([9, 0, 1, 2, 255, 9]);
    const view = backing.subarray(1, 5);
    expect(encodeBase64(view)).toBe('AAEC/w==');
    expect(decodeBase64('AAEC/w==')).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('refuses what is not base64', () => {
    expect(() => decodeBase64('@@@@')).toThrow(TypeError);
    expect(() => decodeBase64('abc')).toThrow(TypeError);
  });
});
