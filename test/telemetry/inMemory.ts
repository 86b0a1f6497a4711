/**
 * A real OpenTelemetry SDK (traces and metrics) whose exporters keep everything in memory, for
 * tests to read what a session reported, and helpers to find spans and data points in it.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The SDK's providers and what they exported. */
export interface InMemoryTelemetry {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  /** Every span that ended. */
  spans(): ReadableSpan[];
  /** Collects the metrics now and returns them, by name. */
  metrics(): Promise<Map<string, MetricData>>;
  shutdown(): Promise<void>;
}

/** Starts an SDK with in-memory exporters. */
export function inMemoryTelemetry(): InMemoryTelemetry {
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when asked (forceFlush): an hour between rounds is never reached in a test.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => spanExporter.getFinishedSpans(),
    async metrics() {
      metricExporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      }
      return byName;
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** The data points of a metric whose attributes include `match`. */
export function pointsOf(metric: MetricData | undefined, match: Attributes = {}): DataPoint<number | Histogram>[] {
  const points = (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[];
  return points.filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));
}

/** The sum of a counter's points matching `match`. */
export function counterValue(metric: MetricData | undefined, match: Attributes = {}): number {
  return pointsOf(metric, match).reduce((sum, point) => sum + (point.value as number), 0);
}

/** How many values a histogram recorded under `match`. */
export function histogramCount(metric: MetricData | undefined, match: Attributes = {}): number {
  return pointsOf(metric, match).reduce((sum, point) => sum + (point.value as Histogram).count, 0);
}

/** Every attribute value anywhere in the spans and metrics, as text, to look for secrets in. */
export function everyValue(spans: ReadableSpan[], metrics: Map<string, MetricData>): string[] {
  const values: unknown[] = [];
  for (const span of spans) {
    values.push(span.name, ...Object.values(span.attributes), span.status.message);
    for (const event of span.events) values.push(event.name, ...Object.values(event.attributes ?? {}));
  }
  for (const metric of metrics.values()) for (const point of metric.dataPoints) values.push(...Object.values(point.attributes));
  return values.filter((value) => value !== undefined).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
}
