/**
 * gemini-3.8-live runs a function declared without `behavior` async (NON_BLOCKING). Guards the
 * hybrid state issue 13 names: a client that treats such a tool as blocking gates the mic while the
 * server runs the call async (the user is deaf for no reason) and answers without `scheduling`.
 * Through the real SDK of this run, against the emulator playing 3.8: the declaration states
 * NON_BLOCKING, the mic keeps reaching the server while the tool runs, and the answer carries
 * `scheduling` (the tool's own, or WHEN_IDLE).
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { pacedPcm, syntheticSpeech } from '../../../src/audio/index.js';
import { deferred, nextEvent } from '../../helpers.js';
import { emulator, onCleanup, SDK_VERSION } from '../sdk.js';
import { audioFramesArrive, connectedModelSession, declaredFunctions, MODELS, toolResponses } from './harness.js';

describe(`gemini-3.8-live, a tool without behavior, through @google/genai ${SDK_VERSION}`, () => {
  it('declares it NON_BLOCKING, never gates the mic while it runs, and answers with scheduling', async () => {
    // No grace window: any input the server took for input during a blocking call would show.
    const emu = await emulator({ graceMs: 0 });
    const weather = deferred<{ sky: string }>();
    const headlines = deferred<string[]>();
    const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, {
      tools: [
        defineTool({ name: 'get_weather', execute: () => weather.promise }),
        defineTool({ name: 'get_headlines', scheduling: 'SILENT', execute: () => headlines.promise }),
      ],
    });
    expect(declaredFunctions(conn)).toEqual([
      { name: 'get_weather', behavior: 'NON_BLOCKING' },
      { name: 'get_headlines', behavior: 'NON_BLOCKING' },
    ]);
    expect(conn.behaviorOf('get_weather')).toBe('NON_BLOCKING');

    const mic = new AbortController();
    onCleanup(() => mic.abort());
    session.attachMic(pacedPcm(syntheticSpeech(60_000), { signal: mic.signal }));
    await audioFramesArrive(conn, 0, 1);

    const toolCall = nextEvent(session, 'toolCall');
    const [weatherId, headlinesId] = conn.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }, { name: 'get_headlines' }]);
    await toolCall;
    expect(session.state).toBe('streaming');
    // Both tools are still running: the mic keeps reaching the server.
    await audioFramesArrive(conn, conn.frames.length, 5);
    expect(conn.pendingToolCallIds).toEqual([weatherId, headlinesId]);

    headlines.resolve(['a quiet day']);
    const firstAnswer = await conn.waitForToolResponse();
    expect(firstAnswer.functionResponses).toEqual([
      { id: headlinesId, name: 'get_headlines', response: { output: ['a quiet day'] }, scheduling: 'SILENT' },
    ]);
    await audioFramesArrive(conn, conn.frames.length, 3);
    weather.resolve({ sky: 'sunny' });
    await conn.waitForMessage((message) => message.toolResponse?.functionResponses[0]?.id === weatherId);
    // Each async call is answered on its own.
    expect(toolResponses(conn).map((response) => response.functionResponses)).toEqual([
      [{ id: headlinesId, name: 'get_headlines', response: { output: ['a quiet day'] }, scheduling: 'SILENT' }],
      [{ id: weatherId, name: 'get_weather', response: { output: { sky: 'sunny' } }, scheduling: 'WHEN_IDLE' }],
    ]);

    expect(of('gate')).toEqual([]);
    expect(session.metrics()).toMatchObject({ toolCalls: 2, toolCallsAnswered: 2, toolCancellations: 0, pendingToolCalls: 0 });
    expect(session.metrics().dropped.gated).toBe(0);
    expect(conn.pendingToolCallIds).toEqual([]);
    expect(conn.counters).toMatchObject({ callsCancelledByInput: 0, lateAnswers: 0, graceTolerated: 0 });
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.closes).toEqual({});
  });
});
