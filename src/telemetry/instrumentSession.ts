/**
 * OpenTelemetry for a session, from what the session already tells: its emitted events, and its
 * actor's snapshots (for when a connection starts opening). Nothing is added to the per-frame hot
 * path: frame counts are read off `session.metrics()` when the SDK collects (see instruments.ts).
 * Without an OpenTelemetry SDK installed, `@opentelemetry/api` makes all of it a no-op.
 */
import { metrics, trace, type Attributes, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { LiveSession } from '../session/createLiveSession.js';
import { TurnLatency, GateClock } from './clocks.js';
import { instrumentsFor } from './instruments.js';
import { ATTR, EXECUTE_TOOL, PROVIDER, SCOPE, SEMCONV } from './names.js';
import { SessionTrace, type EndedTool } from './spans.js';

/** Where a session's telemetry goes. */
export interface TelemetryOptions {
  /** Spans go to this provider's tracer (default: the global one, `trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /** Metrics go to this provider's meter (default: the global one, `metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
}

/** The parts of a session its telemetry reads (and the three calls it times turns by). */
export type InstrumentedSession = Pick<LiveSession, 'on' | 'metrics' | 'actor' | 'activityStart' | 'activityEnd' | 'audioStreamEnd'>;

/** What the session knows about itself that telemetry may name. */
export interface SessionDetails {
  /** The model asked for (`gen_ai.request.model`). */
  model?: string | undefined;
}

/** Runs `work`, and keeps whatever it throws from the session: telemetry must never break it. */
function safely<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      work(...args);
    } catch (error) {
      console.warn('gemini-live-fsm telemetry: could not record the session (it goes on unaffected)', error);
    }
  };
}

/**
 * Reports a session through OpenTelemetry: spans for the session, each connection, each tool call
 * and each reconnect; metrics for the gate, input, tools, time to first audio, reconnects and
 * closes. `createLiveSession` calls it for every session unless `telemetry: false`.
 *
 * @example
 * ```ts
 * // With an SDK registered globally, nothing to do: sessions report by themselves.
 * const session = createLiveSession({ ai, model, tools });
 * // Or to providers of your own:
 * const session = createLiveSession({ ai, model, tools, telemetry: { tracerProvider, meterProvider } });
 * ```
 */
export function instrumentSession(session: InstrumentedSession, options: TelemetryOptions = {}, details: SessionDetails = {}): void {
  // A provider that fails leaves the session unmeasured, never unusable.
  safely(() => instrument(session, options, details))();
}

function instrument(session: InstrumentedSession, options: TelemetryOptions, details: SessionDetails): void {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const instruments = instrumentsFor((options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE));
  const common: Attributes = { [SEMCONV.providerName]: PROVIDER };
  if (details.model !== undefined) common[SEMCONV.requestModel] = details.model;
  const spans = new SessionTrace(tracer, common);
  const gate = new GateClock();
  const turns = new TurnLatency();
  const now = () => performance.now();
  instruments.watch(session);

  const recordTool = (ended: EndedTool | undefined) => {
    if (!ended) return;
    const attributes: Attributes = {
      [SEMCONV.operationName]: EXECUTE_TOOL,
      [SEMCONV.toolName]: ended.name,
      [SEMCONV.providerName]: PROVIDER,
      [ATTR.toolOutcome]: ended.outcome,
    };
    if (ended.errorType !== undefined) attributes[SEMCONV.errorType] = ended.errorType;
    instruments.toolDuration.record(ended.seconds, attributes);
  };
  const recordCloses = (closes: Attributes[]) => {
    for (const attributes of closes) instruments.connectionCloses.add(1, attributes);
  };

  // A new generation in the context means the machine has just started opening a connection.
  let generation = session.actor.getSnapshot().context.generation;
  const watching = session.actor.subscribe({
    next: safely((snapshot) => {
      if (snapshot.context.generation === generation) return;
      generation = snapshot.context.generation;
      spans.connectionOpening(generation, snapshot.context.resumptionHandle !== undefined);
    }),
    error: () => undefined,
  });

  session.on('connected', safely(({ generation: g }) => spans.connectionUp(g)));
  session.on(
    'reconnecting',
    safely(({ cause, attempt, error }) => {
      instruments.reconnects.add(1, { [ATTR.reconnectCause]: cause });
      // A lost connection (or a failed attempt) has ended; after a goAway the old one stays open.
      if (error) recordCloses(spans.endConnections('server', error));
      spans.reconnecting(cause, attempt, error?.code);
    }),
  );
  session.on(
    'reconnected',
    safely(({ generation: g, resumed }) => {
      spans.connectionUp(g);
      recordCloses(spans.endConnections('client', undefined, { before: g }));
      spans.reconnected(resumed);
    }),
  );

  session.on('toolCall', safely(({ calls }) => spans.toolsStarted(calls, gate.read(now()))));
  session.on(
    'toolResult',
    safely(({ call, outcome }) => {
      const failed = outcome.status === 'error' ? outcome.error.code : undefined;
      recordTool(spans.toolEnded(call, failed ? 'error' : 'result', failed, gate.read(now())));
    }),
  );
  session.on('toolCancelled', safely(({ ids }) => ids.forEach((id) => recordTool(spans.toolEnded({ id }, 'cancelled', undefined, gate.read(now()))))));
  session.on('toolResultDiscarded', safely(({ call }) => recordTool(spans.toolEnded(call, 'discarded', undefined, gate.read(now())))));
  session.on(
    'gate',
    safely(({ state }) => {
      if (state === 'closed') gate.close(now());
      const stretch = state === 'opened' ? gate.open(now()) : undefined;
      if (stretch !== undefined) instruments.gateClosed.record(stretch / 1000, common);
    }),
  );

  // The user's end of turn and the model's first audio after it.
  const timeTurn = safely(() => {
    const latency = turns.modelAudio(now());
    if (latency) instruments.timeToFirstAudio.record(latency.ms / 1000, { ...common, [ATTR.turnEndSignal]: latency.signal });
  });
  session.on('audio', timeTurn);
  session.on('inputTranscription', safely(({ finished }) => finished && turns.transcriptFinished(now())));
  // The application's own calls are not events of the session: these three are noted on the way in.
  const { activityStart, activityEnd, audioStreamEnd } = session;
  session.activityStart = () => {
    turns.userSpeaks();
    activityStart();
  };
  session.activityEnd = () => {
    turns.userStopped('activityEnd', now());
    activityEnd();
  };
  session.audioStreamEnd = () => {
    turns.userStopped('audioStreamEnd', now());
    audioStreamEnd();
  };

  session.on(
    'closed',
    safely(({ closedBy }) => {
      watching.unsubscribe();
      const at = now();
      const stretch = gate.open(at);
      if (stretch !== undefined) instruments.gateClosed.record(stretch / 1000, common);
      // The connection the server (or a failure) ended, then any the session itself let go.
      recordCloses(closedBy.by === 'client' ? [] : spans.endConnections('server', closedBy.error));
      recordCloses(spans.endConnections('client', undefined, { before: Infinity }));
      const figures = session.metrics();
      const summary: Attributes = {
        [ATTR.sessionToolCalls]: figures.toolCalls,
        [ATTR.sessionReconnects]: figures.reconnects,
        [ATTR.sessionGatedMs]: figures.gatedMs,
      };
      spans.close(closedBy, summary, gate.read(at)).forEach(recordTool);
      // The counters keep this session's figures; input sent to it from now on is dropped, one by one.
      instruments.retire(session);
      session.on('inputDropped', ({ reason }) => instruments.droppedAfterRetirement(reason));
    }),
  );
}
