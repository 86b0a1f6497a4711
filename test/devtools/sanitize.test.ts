import { describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError } from '../../src/protocol/index.js';
import { combineInspectors, sanitize, sanitizeContext, sanitizeEvent } from '../../src/devtools/index.js';
import { closeError } from '../../src/protocol/errors.js';
import { connectedSession } from '../helpers.js';

describe('sanitize', () => {
  it('turns audio bytes into their length and leaves functions out', () => {
    expect(sanitizeEvent({ type: 'input.audio', data: new Uint8Array(640), mimeType: 'audio/pcm;rate=16000' })).toEqual({
      type: 'input.audio',
      data: '[Uint8Array 640 bytes]',
      mimeType: 'audio/pcm;rate=16000',
    });
    expect(sanitize({ a: 1, f: () => 1, buffer: new ArrayBuffer(3), nested: [new Int16Array(4)] })).toEqual({
      a: 1,
      buffer: '[ArrayBuffer 3 bytes]',
      nested: ['[Int16Array 8 bytes]'],
    });
  });

  it('cuts cycles, depth and long arrays, and keeps shared objects', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle['self'] = cycle;
    const shared = { x: 1 };
    expect(sanitize({ cycle, a: shared, b: shared })).toEqual({ cycle: { name: 'loop', self: '[Circular]' }, a: { x: 1 }, b: { x: 1 } });
    expect(sanitize({ a: { b: { c: 1 } } }, { maxDepth: 2 })).toEqual({ a: { b: '[…]' } });
    expect(sanitize([1, 2, 3, 4], { maxItems: 2 })).toEqual([1, 2, '[… 2 more]']);
    expect(sanitize({ n: Number.NaN, big: 10n, when: new Date(0), m: new Map([['k', 1]]), s: new Set([1]) })).toEqual({
      n: 'NaN',
      big: '10',
      when: '1970-01-01T00:00:00.000Z',
      m: { k: 1 },
      s: [1],
    });
  });

  it('keeps the useful fields of the library errors', () => {
    const error = closeError(1008, 'Operation is not implemented, or supported, or enabled.');
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(sanitize(error)).toMatchObject({
      name: 'ConnectionClosedError',
      code: error.code,
      reason: 'Operation is not implemented, or supported, or enabled.',
      retryable: false,
      closeCode: 1008,
    });
  });

  it('never throws: a throwing getter is reported in place', () => {
    const hostile = {
      get boom(): never {
        throw new Error('no');
      },
    };
    expect(sanitize(hostile)).toBe('[unserialisable: no]');
    expect(sanitizeContext(hostile)).toEqual({});
  });

  it('makes a real session context JSON-safe, actor refs included', async () => {
    const h = await connectedSession();
    const snapshot = h.session.actor.getSnapshot();
    const plain = sanitize({ context: snapshot.context, children: snapshot.children });
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
    expect(JSON.stringify(plain)).toContain('[actor connection-1]');
    await h.session.close();
  });
});

describe('combineInspectors', () => {
  it('hands every event to each observer, even when one throws', async () => {
    const seen: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const inspect = combineInspectors(
        () => {
          throw new Error('first fails');
        },
        { next: (event) => seen.push(event.type) },
      );
      const h = await connectedSession({ inspect });
      expect(seen).toContain('@xstate.snapshot');
      expect(h.session.state).toBe('streaming');
      expect(warn).toHaveBeenCalled();
      await h.session.close();
    } finally {
      warn.mockRestore();
    }
  });
});
