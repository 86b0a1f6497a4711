/**
 * A model the profile table does not know gets the conservative profile, and the application is
 * told so with an `info` event (UNKNOWN_MODEL). Guards against guessing: a new model name must not
 * silently get 3.8's async default (a 1008 on a model that closes) nor go unnoticed. Through the
 * real SDK, against the emulator, which plays such a model by the same conservative rules.
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { CONSERVATIVE_PROFILE } from '../../../src/models/index.js';
import { deferred, FRAME, nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { connectedModelSession, declaredFunctions, receivedKinds } from './harness.js';

const UNKNOWN = 'models/gemini-9-live-experimental';

describe(`an unknown model through @google/genai ${SDK_VERSION}`, () => {
  it('gets the conservative profile: an info event, tools declared BLOCKING, the gate held', async () => {
    const emu = await emulator({ graceMs: 0 });
    const result = deferred<string>();
    const { session, conn, of } = await connectedModelSession(emu, UNKNOWN, {
      tools: [defineTool({ name: 'lookup', execute: () => result.promise })],
    });
    expect(of('info')).toEqual([{ type: 'info', code: 'UNKNOWN_MODEL', message: expect.stringContaining(UNKNOWN) }]);
    expect(declaredFunctions(conn)).toEqual([{ name: 'lookup', behavior: 'BLOCKING' }]);
    expect(conn.profile).toEqual({ ...CONSERVATIVE_PROFILE, name: 'gemini-9-live-experimental' });

    const gateClosed = nextEvent(session, 'gate', (event) => event.state === 'closed');
    const [id] = conn.sendToolCall([{ name: 'lookup' }]);
    await gateClosed;
    const afterCall = conn.frames.length;
    session.sendAudio(FRAME);
    result.resolve('found');
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([{ id, name: 'lookup', response: { output: 'found' } }]);
    expect(receivedKinds(conn, afterCall)).toEqual(['toolResponse']);
    expect(session.metrics().dropped.gated).toBe(1);
    expect(emu.stats.closes).toEqual({});
    // Said once per session, not on every connect.
    expect(of('info')).toHaveLength(1);
  });

  it('says nothing for a known model, under any of its names', async () => {
    const emu = await emulator();
    for (const model of ['gemini-3.8-live', 'models/gemini-2.5-flash-native-audio-preview-09-2025', 'projects/p/locations/l/publishers/google/models/gemini-live-2.5-flash-native-audio']) {
      const { of } = await connectedModelSession(emu, model);
      expect(of('info')).toEqual([]);
    }
  });
});
