/**
 * A session's OpenTelemetry, end to end: a real OpenTelemetry SDK with in-memory exporters, the
 * real `@google/genai` SDK, and the emulator. One conversation with a tool call (the gate closes
 * and reopens) and a reconnect (a 1011, resumed) must come out as the expected spans, with their
 * parents, and the expected metrics; and nothing secret (the key, a resumption handle, a tool's
 * arguments or result) may be in any of it.
 */
import { metrics, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createLiveSession, defineTool, type LiveSession, type LiveSessionOptions } from '../../src/index.js';
import { ATTR, METRIC, SPAN } from '../../src/telemetry/index.js';
import { deferred, FRAME, nextEvent } from '../helpers.js';
import { counterValue, everyValue, histogramCount, inMemoryTelemetry, pointsOf } from '../telemetry/inMemory.js';
import { clientFor, emulator, Modality, MODEL, onCleanup, SDK_VERSION } from './sdk.js';

/** A session over the real SDK to `emu`, closed after the test. */
function liveSession(emu: Awaited<ReturnType<typeof emulator>>, options: Omit<LiveSessionOptions, 'ai' | 'model' | 'transport' | 'tokenProvider'>): LiveSession {
  const session = createLiveSession({ ai: clientFor(emu), model: MODEL, config: { responseModalities: [Modality.AUDIO] }, ...options });
  onCleanup(() => session.close());
  return session;
}

describe(`OpenTelemetry from a session (SDK ${SDK_VERSION})`, () => {
  it('reports the session, its connections, a tool call and a reconnect, as spans and metrics', async () => {
    const otel = inMemoryTelemetry();
    onCleanup(() => otel.shutdown());
    const emu = await emulator();
    const weather = deferred<{ tempC: number; sky: string }>();
    const session = liveSession(emu, {
      tools: [defineTool({ name: 'get_weather', execute: () => weather.promise })],
      reconnect: { baseDelayMs: 0 },
      telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider },
    });
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;

    // The user speaks, stops (audioStreamEnd), and the model answers with audio.
    for (let i = 0; i < 5; i += 1) session.sendAudio(FRAME);
    session.audioStreamEnd();
    await expect.poll(() => conn.counters.audioFrames).toBe(5);
    let heard = nextEvent(session, 'audio');
    conn.sendAudio({ ms: 40 });
    await heard;
    const turn = nextEvent(session, 'turnComplete');
    conn.sendTurnComplete(); // a resumption point: the reconnect below resumes
    await turn;

    // A tool call: the gate closes, the mic's frames are dropped, the answer reopens it.
    const gateClosed = nextEvent(session, 'gate', (e) => e.state === 'closed');
    const gateOpened = nextEvent(session, 'gate', (e) => e.state === 'opened');
    const [callId] = conn.sendToolCall([{ name: 'get_weather', args: { city: 'Paris' } }]);
    await gateClosed;
    for (let i = 0; i < 3; i += 1) session.sendAudio(FRAME);
    weather.resolve({ tempC: 18, sky: 'sunny' });
    await conn.waitForToolResponse();
    await gateOpened;

    // The server transcribes the user's next turn to its end, then the model speaks.
    conn.sendInputTranscription('Thanks!', { finished: true });
    heard = nextEvent(session, 'audio');
    conn.sendAudio({ ms: 40 });
    await heard;

    // The connection drops with 1011; the session reconnects and resumes.
    const handle = conn.lastHandle;
    const next = emu.nextConnection();
    const reconnected = nextEvent(session, 'reconnected');
    conn.close(1011, 'Internal error encountered.');
    const second = await next;
    expect((await reconnected).resumed).toBe(true);
    expect(second.resumedFrom).toBe(handle);
    session.sendAudio(FRAME);
    await expect.poll(() => second.counters.audioFrames).toBe(1);
    const closed = nextEvent(session, 'closed');
    await session.close();
    await closed;
    session.sendAudio(FRAME); // after close: dropped, and still counted

    // Spans, with their parents.
    const spans = otel.spans();
    const named = (name: string) => spans.filter((span) => span.name === name);
    const [root] = named(SPAN.session);
    const connections = named(SPAN.connection).sort((a, b) => Number(a.attributes[ATTR.connectionGeneration]) - Number(b.attributes[ATTR.connectionGeneration]));
    const [reconnect] = named(SPAN.reconnect);
    const [tool] = named('execute_tool get_weather');
    if (!root || connections.length !== 2 || !reconnect || !tool) throw new Error(`spans: ${spans.map((s) => s.name).join(', ')}`);
    const [firstConnection, secondConnection] = connections as [typeof root, typeof root];
    const id = (span: typeof root) => span.spanContext().spanId;

    expect(root.attributes).toMatchObject({
      'gen_ai.provider.name': 'gcp.gen_ai',
      'gen_ai.request.model': MODEL,
      [ATTR.closedBy]: 'client',
      [ATTR.sessionToolCalls]: 1,
      [ATTR.sessionReconnects]: 1,
    });
    expect(root.parentSpanContext).toBeUndefined();
    expect(firstConnection.parentSpanContext?.spanId).toBe(id(root));
    expect(firstConnection.attributes).toMatchObject({
      [ATTR.connectionGeneration]: 1,
      [ATTR.connectionResumed]: false,
      [ATTR.closeBy]: 'server',
      [ATTR.closeCode]: 1011,
      [ATTR.closeKind]: 'internal',
      'error.type': 'SERVER_CLOSED',
    });
    expect(firstConnection.status.code).toBe(2); // ERROR
    expect(firstConnection.events.map((e) => e.name)).toContain('gemini_live.setup_complete');
    expect(reconnect.parentSpanContext?.spanId).toBe(id(root));
    expect(reconnect.attributes).toMatchObject({ [ATTR.reconnectCause]: 'connectionLost', [ATTR.reconnectAttempts]: 1, [ATTR.reconnectResumed]: true });
    expect(secondConnection.parentSpanContext?.spanId).toBe(id(reconnect));
    expect(secondConnection.attributes).toMatchObject({ [ATTR.connectionGeneration]: 2, [ATTR.connectionResumed]: true, [ATTR.closeBy]: 'client' });
    expect(tool.parentSpanContext?.spanId).toBe(id(firstConnection));
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': callId,
      'gen_ai.tool.type': 'function',
      [ATTR.toolOutcome]: 'result',
    });
    const toolMs = (tool.duration[0] * 1e9 + tool.duration[1]) / 1e6;
    expect(tool.attributes[ATTR.toolGatedMs]).toBeGreaterThanOrEqual(0);
    expect(tool.attributes[ATTR.toolGatedMs]).toBeLessThanOrEqual(Math.ceil(toolMs) + 1);
    // Only ended spans are exported: these five, and no other, all ended by the close.
    expect(spans).toHaveLength(5);

    // Metrics.
    const recorded = await otel.metrics();
    const m = session.metrics();
    expect(histogramCount(recorded.get(METRIC.toolDuration), { 'gen_ai.tool.name': 'get_weather', [ATTR.toolOutcome]: 'result', 'gen_ai.operation.name': 'execute_tool' })).toBe(1);
    expect(recorded.get(METRIC.toolDuration)?.descriptor.unit).toBe('s');
    expect(histogramCount(recorded.get(METRIC.gateClosed))).toBe(1);
    expect(histogramCount(recorded.get(METRIC.timeToFirstAudio), { [ATTR.turnEndSignal]: 'audioStreamEnd' })).toBe(1);
    expect(histogramCount(recorded.get(METRIC.timeToFirstAudio), { [ATTR.turnEndSignal]: 'inputTranscription' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.inputForwarded), { [ATTR.inputKind]: 'audio' })).toBe(m.forwarded.audio);
    expect(m.forwarded.audio).toBe(6);
    expect(counterValue(recorded.get(METRIC.inputForwarded), { [ATTR.inputKind]: 'audioStreamEnd' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.inputDropped), { [ATTR.dropReason]: 'gated' })).toBe(3);
    expect(counterValue(recorded.get(METRIC.inputDropped), { [ATTR.dropReason]: 'closed' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.reconnects), { [ATTR.reconnectCause]: 'connectionLost' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.connectionCloses), { [ATTR.closeBy]: 'server', [ATTR.closeCode]: 1011, [ATTR.closeKind]: 'internal' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.connectionCloses), { [ATTR.closeBy]: 'client' })).toBe(1);
    expect(pointsOf(recorded.get(METRIC.connectionCloses))).toHaveLength(2);

    // Never audio, the key, a resumption handle, or what the tool was asked and answered.
    const values = everyValue(spans, recorded);
    for (const secret of ['test-key', handle ?? 'no handle', 'Paris', 'sunny', 'Thanks']) {
      expect(values.filter((value) => value.includes(secret)), secret).toEqual([]);
    }
    expect(values.some((value) => value.includes('Uint8Array'))).toBe(false);
  });

  it('reports through the global OpenTelemetry API by default, and not at all with telemetry: false', async () => {
    const otel = inMemoryTelemetry();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    onCleanup(async () => {
      trace.disable();
      metrics.disable();
      await otel.shutdown();
    });
    const emu = await emulator();
    const reported = liveSession(emu, {});
    const silent = liveSession(emu, { telemetry: false });
    await Promise.all([reported.connect(), silent.connect()]);
    reported.sendAudio(FRAME);
    silent.sendAudio(FRAME);
    await Promise.all([reported.close(), silent.close()]);
    const sessions = otel.spans().filter((span) => span.name === SPAN.session);
    expect(sessions).toHaveLength(1);
    expect(otel.spans().filter((span) => span.name === SPAN.connection)).toHaveLength(1);
    // Only the reported session's frame is counted.
    expect(counterValue((await otel.metrics()).get(METRIC.inputForwarded), { [ATTR.inputKind]: 'audio' })).toBe(1);
  });
});
