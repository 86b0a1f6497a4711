/**
 * The session's telemetry over the scripted transport, with a real OpenTelemetry SDK: how each
 * way a tool call can end, each way a connection can end, and each end-of-turn signal is reported,
 * and that telemetry failing never reaches the session.
 */
import { metrics, trace, type TracerProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineTool } from '../../src/index.js';
import { ATTR, METRIC, SPAN } from '../../src/telemetry/index.js';
import { connectedSession, deferred, FRAME, isToolResponse, nextEvent, waitForState } from '../helpers.js';
import { counterValue, histogramCount, inMemoryTelemetry, type InMemoryTelemetry } from './inMemory.js';

let otel: InMemoryTelemetry;
afterEach(async () => {
  await otel?.shutdown();
});

/** A connected session over the scripted transport, reporting to an in-memory SDK. */
async function measured(options: Parameters<typeof connectedSession>[0] = {}) {
  otel = inMemoryTelemetry();
  return connectedSession({ ...options, telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider } });
}

const spansNamed = (name: string) => otel.spans().filter((span) => span.name === name);

/** One `serverContent` with a chunk of model audio. */
const modelAudio = { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: 'AAAA' } }] } } };

describe('telemetry of tool calls', () => {
  it('reports an error, a cancellation, and a call abandoned by the close, each with its outcome', async () => {
    const hang = deferred<string>();
    const h = await measured({
      tools: [
        defineTool({ name: 'broken', execute: () => Promise.reject(new Error('down')) }),
        defineTool({ name: 'slow', execute: () => hang.promise }),
      ],
    });
    h.server.toolCall([{ id: 'b1', name: 'broken', args: {} }]);
    await h.server.waitForFrame(isToolResponse);
    h.server.toolCall([{ id: 's1', name: 'slow', args: {} }]);
    h.server.cancel(['s1']);
    h.server.toolCall([{ name: 'slow', args: {} }]); // no id: found by the call itself
    await h.session.close();

    const tools = otel.spans().filter((span) => span.name.startsWith('execute_tool'));
    expect(tools.map((span) => [span.name, span.attributes[ATTR.toolOutcome], span.attributes['error.type'], span.attributes['gen_ai.tool.call.id']])).toEqual([
      ['execute_tool broken', 'error', 'TOOL_THREW', 'b1'],
      ['execute_tool slow', 'cancelled', undefined, 's1'],
      ['execute_tool slow', 'abandoned', undefined, undefined],
    ]);
    expect(tools[0]?.status.code).toBe(2);
    const recorded = await otel.metrics();
    expect(histogramCount(recorded.get(METRIC.toolDuration), { 'gen_ai.tool.name': 'broken', 'error.type': 'TOOL_THREW' })).toBe(1);
    expect(histogramCount(recorded.get(METRIC.toolDuration), { 'gen_ai.tool.name': 'slow', [ATTR.toolOutcome]: 'cancelled' })).toBe(1);
    expect(histogramCount(recorded.get(METRIC.toolDuration), { 'gen_ai.tool.name': 'slow', [ATTR.toolOutcome]: 'abandoned' })).toBe(1);
    // The gate closed three times; the last stretch ended with the session.
    expect(histogramCount(recorded.get(METRIC.gateClosed))).toBe(3);
  });

  it('reports a result discarded after the connection it was for was lost (orphanedResults: discard)', async () => {
    const late = deferred<string>();
    const h = await measured({ tools: [defineTool({ name: 'slow', execute: () => late.promise })], reconnect: { baseDelayMs: 0 }, orphanedResults: 'discard' });
    h.server.toolCall([{ id: 'x1', name: 'slow', args: {} }]);
    const reconnected = nextEvent(h.session, 'reconnected');
    h.server.serverClose(1011, 'Internal error encountered.');
    await reconnected;
    const discarded = nextEvent(h.session, 'toolResultDiscarded');
    late.resolve('too late');
    await discarded;
    const [tool] = spansNamed('execute_tool slow');
    expect(tool?.attributes[ATTR.toolOutcome]).toBe('discarded');
    const [first] = spansNamed(SPAN.connection);
    expect(tool?.parentSpanContext?.spanId).toBe(first?.spanContext().spanId);
    await h.session.close();
  });
});

describe('telemetry of connections', () => {
  it('after a goAway, ends the old connection when the new one takes over, and reports the reconnect by its cause', async () => {
    const h = await measured({ reconnect: { baseDelayMs: 0 } });
    h.server.send({ sessionResumptionUpdate: { newHandle: 'h-secret', resumable: true } });
    const reconnected = nextEvent(h.session, 'reconnected');
    h.server.goAway('30s');
    await reconnected;
    await h.session.close();
    const connections = spansNamed(SPAN.connection);
    expect(connections.map((span) => [span.attributes[ATTR.connectionGeneration], span.attributes[ATTR.connectionResumed], span.attributes[ATTR.closeBy]])).toEqual([
      [1, false, 'client'],
      [2, true, 'client'],
    ]);
    expect(spansNamed(SPAN.reconnect)[0]?.attributes).toMatchObject({ [ATTR.reconnectCause]: 'goAway', [ATTR.reconnectResumed]: true });
    const recorded = await otel.metrics();
    expect(counterValue(recorded.get(METRIC.reconnects), { [ATTR.reconnectCause]: 'goAway' })).toBe(1);
    expect(counterValue(recorded.get(METRIC.connectionCloses), { [ATTR.closeBy]: 'client' })).toBe(2);
    expect(JSON.stringify(otel.spans().map((span) => [span.attributes, span.events]))).not.toContain('h-secret');
  });

  it('reports a fatal close on the connection and the session, with its code and class', async () => {
    const h = await measured({ reconnect: false });
    h.server.serverClose(1008, 'Operation is not implemented, or supported, or enabled.');
    await waitForState(h.session, 'closed');
    const [connection] = spansNamed(SPAN.connection);
    expect(connection?.attributes).toMatchObject({ [ATTR.closeBy]: 'server', [ATTR.closeCode]: 1008, [ATTR.closeKind]: 'unsupportedOperation' });
    const [session] = spansNamed(SPAN.session);
    expect(session?.attributes).toMatchObject({ [ATTR.closedBy]: 'server', 'error.type': 'SERVER_CLOSED' });
    expect(session?.status.code).toBe(2);
    expect(counterValue((await otel.metrics()).get(METRIC.connectionCloses), { [ATTR.closeCode]: 1008 })).toBe(1);
  });

  it('reports reconnect attempts that fail and a session that gives up', async () => {
    const h = await measured({ reconnect: { maxAttempts: 1, baseDelayMs: 0 }, transport: { open: 'manual' } });
    h.server.serverClose(1011, 'Internal error encountered.');
    (await h.transport.nextConnection()).reject(new Error('no route to host'));
    await waitForState(h.session, 'closed');
    const connections = spansNamed(SPAN.connection);
    expect(connections.map((span) => [span.attributes[ATTR.closeBy], span.attributes['error.type']])).toEqual([
      ['server', 'SERVER_CLOSED'],
      ['server', 'CONNECT_FAILED'],
    ]);
    const [reconnect] = spansNamed(SPAN.reconnect);
    expect(reconnect?.status.code).toBe(2);
    expect(spansNamed(SPAN.session)[0]?.attributes[ATTR.closedBy]).toBe('attemptsExhausted');
  });
});

describe('time to the first model audio', () => {
  it('measures from the application’s activityEnd, and an activityStart takes it back', async () => {
    const h = await measured();
    let chunks = 0;
    h.session.on('audio', () => (chunks += 1));
    h.session.activityStart();
    h.session.sendAudio(FRAME);
    h.session.activityEnd();
    h.session.activityStart(); // the user goes on talking: no end of turn yet
    h.server.send(modelAudio); // the model speaks over the user: not a reply to a stop
    h.session.activityEnd();
    h.server.send(modelAudio); // the reply: measured
    h.server.send(modelAudio); // not the first audio after the stop: not measured
    await vi.waitFor(() => expect(chunks).toBe(3));
    await h.session.close();
    const recorded = await otel.metrics();
    expect(histogramCount(recorded.get(METRIC.timeToFirstAudio))).toBe(1);
    expect(histogramCount(recorded.get(METRIC.timeToFirstAudio), { [ATTR.turnEndSignal]: 'activityEnd' })).toBe(1);
  });
});

describe('telemetry that fails', () => {
  it('never reaches the session', async () => {
    const broken: TracerProvider = {
      getTracer: () => {
        throw new Error('no tracer today');
      },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const h = await connectedSession({ telemetry: { tracerProvider: broken } });
      h.session.sendAudio(FRAME);
      expect(h.session.metrics().forwarded.audio).toBe(1);
      await h.session.close();
      expect(h.of('error')).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('gemini-live-fsm telemetry'), expect.any(Error));
    } finally {
      warn.mockRestore();
    }
  });
});

describe('telemetry with no SDK installed', () => {
  it('builds nothing for a session created before an SDK is installed, and reports the sessions created after', async () => {
    const before = await connectedSession();
    otel = inMemoryTelemetry();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    try {
      const after = await connectedSession();
      // The session created before reconnects now: its new connection must not be reported either.
      before.server.serverClose(1011, 'internal');
      await vi.waitFor(() => expect(before.transport.connections).toHaveLength(2));
      await waitForState(before.session, 'streaming');
      await Promise.all([before.session.close(), after.session.close()]);
      // Only the session created with the SDK in place has a session span and connection spans:
      // the one created before built none, not even through the API's proxy.
      expect(spansNamed(SPAN.session)).toHaveLength(1);
      expect(spansNamed(SPAN.connection)).toHaveLength(1);
    } finally {
      trace.disable();
      metrics.disable();
    }
  });
});
