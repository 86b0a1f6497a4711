/**
 * OpenTelemetry for a session, from what the session already tells: its emitted events (the
 * `SessionEmitted` that `session.on` delivers, taken with one listener on the session's actor),
 * and its actor's snapshots (for when a connection starts opening). Nothing is added to the per-frame hot
 * path: frame counts are read off `session.metrics()` when the SDK collects (see instruments.ts).
 * Without an OpenTelemetry SDK installed, `@opentelemetry/api` makes all of it a no-op.
 */
import { createNoopMeter, metrics, ProxyTracerProvider, trace, type Attributes, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { ClosedBy, SessionEmitted } from '../machines/types.js';
import type { LiveSession } from '../session/liveSession.js';
import { GateClock, TurnLatency } from './clocks.js';
import { instrumentsFor, type SessionInstruments } from './instruments.js';
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

/**
 * Whether the application installed no OpenTelemetry SDK: no provider passed, no global tracer
 * provider behind the API's proxy, and the global meter provider the API's no-op. Then a session
 * builds nothing (about 2 KiB and a listener per session saved), so an SDK must be installed
 * before sessions are created, as OpenTelemetry asks of every instrumented library's host.
 */
function nothingInstalled(options: TelemetryOptions): boolean {
  if (options.tracerProvider || options.meterProvider) return false;
  const tracing = trace.getTracerProvider();
  const noTracing = tracing instanceof ProxyTracerProvider && tracing.getDelegate() === new ProxyTracerProvider().getDelegate();
  return noTracing && metrics.getMeterProvider().getMeter(SCOPE) === createNoopMeter();
}

function instrument(session: InstrumentedSession, options: TelemetryOptions, details: SessionDetails): void {
  if (nothingInstalled(options)) return;
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const instruments = instrumentsFor((options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE));
  const common: Attributes = { [SEMCONV.providerName]: PROVIDER };
  if (details.model !== undefined) common[SEMCONV.requestModel] = details.model;
  const telemetry = new SessionTelemetry(session, instruments, new SessionTrace(tracer, common), common);
  instruments.watch(session);
  // One listener for every event the session emits (a thousand sessions: a thousand listeners, not twelve thousand).
  session.actor.on('*', safely((event) => telemetry.take(event as SessionEmitted)));
  // A new generation in the context means the machine has just started opening a connection.
  telemetry.subscription = session.actor.subscribe({ next: safely((snapshot) => telemetry.snapshot(snapshot.context)), error: () => undefined });
  // The application's own calls are not events of the session: these three are noted on the way in.
  const { activityStart, activityEnd, audioStreamEnd } = session;
  session.activityStart = () => {
    telemetry.turns.userSpeaks();
    activityStart();
  };
  session.activityEnd = () => {
    telemetry.turns.userStopped('activityEnd', performance.now());
    activityEnd();
  };
  session.audioStreamEnd = () => {
    telemetry.turns.userStopped('audioStreamEnd', performance.now());
    audioStreamEnd();
  };
}

/** What one session's telemetry keeps, and what it does with each event. */
class SessionTelemetry {
  readonly gate = new GateClock();
  readonly turns = new TurnLatency();
  subscription: { unsubscribe(): void } | undefined;
  private generation: number;

  constructor(
    private readonly session: InstrumentedSession,
    private readonly instruments: SessionInstruments,
    private readonly spans: SessionTrace,
    private readonly common: Attributes,
  ) {
    this.generation = session.actor.getSnapshot().context.generation;
  }

  snapshot(context: { generation: number; resumptionHandle: string | undefined }): void {
    if (context.generation === this.generation) return;
    this.generation = context.generation;
    this.spans.connectionOpening(context.generation, context.resumptionHandle !== undefined);
  }

  take(event: SessionEmitted): void {
    const now = performance.now();
    switch (event.type) {
      case 'connected':
        return this.spans.connectionUp(event.generation);
      case 'reconnecting':
        this.instruments.reconnects.add(1, { [ATTR.reconnectCause]: event.cause });
        // A lost connection (or a failed attempt) has ended; after a goAway the old one stays open.
        if (event.error) this.recordCloses(this.spans.endConnections('server', event.error));
        return this.spans.reconnecting(event.cause, event.attempt, event.error?.code);
      case 'reconnected':
        this.spans.connectionUp(event.generation);
        this.recordCloses(this.spans.endConnections('client', undefined, { before: event.generation }));
        return this.spans.reconnected(event.resumed);
      case 'toolCall':
        return this.spans.toolsStarted(event.calls, this.gate.read(now));
      case 'toolResult': {
        const failed = event.outcome.status === 'error' ? event.outcome.error.code : undefined;
        return this.recordTool(this.spans.toolEnded(event.call, failed ? 'error' : 'result', failed, this.gate.read(now)));
      }
      case 'toolCancelled':
        for (const id of event.ids) this.recordTool(this.spans.toolEnded({ id }, 'cancelled', undefined, this.gate.read(now)));
        return;
      case 'toolResultDiscarded':
        return this.recordTool(this.spans.toolEnded(event.call, 'discarded', undefined, this.gate.read(now)));
      case 'gate':
        if (event.state === 'closed') return this.gate.close(now);
        return this.recordGateStretch(now);
      case 'audio': {
        // The user's end of turn and the model's first audio after it.
        const latency = this.turns.modelAudio(now);
        if (latency) this.instruments.timeToFirstAudio.record(latency.ms / 1000, { ...this.common, [ATTR.turnEndSignal]: latency.signal });
        return;
      }
      case 'inputTranscription':
        if (event.finished) this.turns.transcriptFinished(now);
        return;
      case 'closed':
        return this.close(event.closedBy, now);
      default:
        return;
    }
  }

  private close(closedBy: ClosedBy, now: number): void {
    this.subscription?.unsubscribe();
    this.recordGateStretch(now);
    // The connection the server (or a failure) ended, then any the session itself let go.
    this.recordCloses(closedBy.by === 'client' ? [] : this.spans.endConnections('server', closedBy.error));
    this.recordCloses(this.spans.endConnections('client', undefined, { before: Infinity }));
    const figures = this.session.metrics();
    const summary: Attributes = {
      [ATTR.sessionToolCalls]: figures.toolCalls,
      [ATTR.sessionReconnects]: figures.reconnects,
      [ATTR.sessionGatedMs]: figures.gatedMs,
    };
    for (const ended of this.spans.close(closedBy, summary, this.gate.read(now))) this.recordTool(ended);
    // The counters keep this session's figures; input sent to it from now on is dropped, one by one.
    this.instruments.retire(this.session);
    this.session.on('inputDropped', ({ reason }) => this.instruments.droppedAfterRetirement(reason));
  }

  private recordGateStretch(now: number): void {
    const stretch = this.gate.open(now);
    if (stretch !== undefined) this.instruments.gateClosed.record(stretch / 1000, this.common);
  }

  private recordTool(ended: EndedTool | undefined): void {
    if (!ended) return;
    const attributes: Attributes = {
      [SEMCONV.operationName]: EXECUTE_TOOL,
      [SEMCONV.toolName]: ended.name,
      [SEMCONV.providerName]: PROVIDER,
      [ATTR.toolOutcome]: ended.outcome,
    };
    if (ended.errorType !== undefined) attributes[SEMCONV.errorType] = ended.errorType;
    this.instruments.toolDuration.record(ended.seconds, attributes);
  }

  private recordCloses(closes: Attributes[]): void {
    for (const attributes of closes) this.instruments.connectionCloses.add(1, attributes);
  }
}
