/**
 * 2.5 native audio and 3.1 flash live keep the rules the gate was built on: realtime input while a
 * blocking call is pending closes the socket with 1008. Guards that the model profiles (issue 13)
 * changed nothing there: a tool without `behavior` is declared BLOCKING explicitly, the gate holds
 * every input while the call runs (the emulator, with no grace window, would close on any), the
 * call gets one answer without `scheduling`, and `whileBlockingCall: 'interrupt'`, which would be
 * a 1008 on these models, is refused when the session is created.
 */
import { describe, expect, it } from 'vitest';
import { createLiveSession, defineTool } from '../../../src/index.js';
import { InvalidOptionsError } from '../../../src/protocol/errors.js';
import { deferred, FRAME, nextEvent } from '../../helpers.js';
import { clientFor, emulator, SDK_VERSION } from '../sdk.js';
import { audioFramesArrive, connectedModelSession, declaredFunctions, MODELS, receivedKinds, toolResponses } from './harness.js';

describe.each([
  { label: '2.5 native audio', model: MODELS.native25 },
  { label: '3.1 flash live', model: MODELS.flash31 },
])(`$label through @google/genai ${SDK_VERSION}: unchanged`, ({ model }) => {
  it('gates input during a blocking call: no 1008, one answer, then input flows again', async () => {
    const emu = await emulator({ graceMs: 0 });
    const weather = deferred<{ sky: string }>();
    const { session, conn, of } = await connectedModelSession(emu, model, {
      tools: [defineTool({ name: 'get_weather', execute: () => weather.promise })],
    });
    expect(declaredFunctions(conn)).toEqual([{ name: 'get_weather', behavior: 'BLOCKING' }]);
    expect(conn.profile?.inputDuringBlockingCall).toBe('closes1008');

    const gateClosed = nextEvent(session, 'gate', (event) => event.state === 'closed');
    const [id] = conn.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect((await gateClosed).pending).toEqual([id]);
    const afterCall = conn.frames.length;
    for (let i = 0; i < 5; i += 1) session.sendAudio(FRAME);
    session.sendText('hello?');
    session.activityStart();

    const gateOpened = nextEvent(session, 'gate', (event) => event.state === 'opened');
    weather.resolve({ sky: 'sunny' });
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([{ id, name: 'get_weather', response: { output: { sky: 'sunny' } } }]);
    await gateOpened;
    session.sendAudio(FRAME);
    await audioFramesArrive(conn, afterCall, 1);

    // The activity start waited for the gate and went out right after the answer, in order.
    expect(receivedKinds(conn, afterCall)).toEqual(['toolResponse', 'realtimeInput.activityStart', 'realtimeInput.audio']);
    expect(toolResponses(conn)).toHaveLength(1);
    expect(of('toolCancelled')).toEqual([]);
    expect(session.metrics()).toMatchObject({ toolCalls: 1, toolCallsAnswered: 1, toolResponsesSent: 1 });
    expect(session.metrics().dropped.gated).toBe(6);
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.violations1008).toBe(0);
    expect(emu.stats.closes).toEqual({});
  });

  it("refuses whileBlockingCall 'interrupt' when the session is created, before any socket", async () => {
    const emu = await emulator();
    expect(() => createLiveSession({ ai: clientFor(emu), model, whileBlockingCall: 'interrupt' })).toThrow(InvalidOptionsError);
    expect(() => createLiveSession({ ai: clientFor(emu), model, whileBlockingCall: 'interrupt' })).toThrow(/1008/);
    expect(emu.stats.connections).toBe(0);
  });
});
