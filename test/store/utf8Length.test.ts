/**
 * The byte count of what a store writes (the limit on a patch, and a save's receipt): UTF-8, as
 * Node's own count says, for ASCII (the fast path) and for text of every width.
 */
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../src/store/validate.js';

describe('utf8Length', () => {
  it('counts as Buffer.byteLength does, ASCII or not', () => {
    for (const text of ['', 'plain ASCII {"a":1}', 'café', '温度は18度', 'emoji 🌦️ and 𝄞', 'a lone surrogate \ud800 here', '\u007f\u0080\u07ff\u0800\uffff', 'tab\tnewline\ncontrol\u0001']) {
      expect(utf8Length(text), text).toBe(Buffer.byteLength(text));
    }
  });
});
