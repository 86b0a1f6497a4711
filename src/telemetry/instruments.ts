/**
 * The session metrics' instruments, made once per meter and shared by every session measured
 * with it. Per-frame figures (input forwarded, dropped by reason) are never counted as frames
 * pass: observable counters read each live session's `metrics()` when the SDK collects, and keep
 * the final figures of sessions that have closed, so the totals only ever grow.
 */
import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { DROP_REASONS, type DropReason } from '../machines/types.js';
import { REALTIME_INPUT_KINDS, type RealtimeInputKind } from '../protocol/messages.js';
import { ATTR, DURATION_BUCKETS, METRIC } from './names.js';

/** What an observable counter reads off a session. */
export interface InputFigures {
  forwarded: Record<RealtimeInputKind, number>;
  dropped: Record<DropReason, number>;
}

/** A session the observable counters read. */
export interface MeasuredSession {
  metrics(): InputFigures;
}

/** Every instrument of one meter. */
export interface SessionInstruments {
  toolDuration: Histogram;
  gateClosed: Histogram;
  timeToFirstAudio: Histogram;
  reconnects: Counter;
  connectionCloses: Counter;
  /** Starts reading a session's input figures at each collection. */
  watch(session: MeasuredSession): void;
  /** Stops reading it, keeping its last figures in the totals; later drops are added one by one. */
  retire(session: MeasuredSession): void;
  /** An input dropped after its session was retired (sent to a closed session). */
  droppedAfterRetirement(reason: DropReason): void;
}

const byMeter = new WeakMap<Meter, SessionInstruments>();

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** The instruments of `meter`, made on first use. */
export function instrumentsFor(meter: Meter): SessionInstruments {
  const known = byMeter.get(meter);
  if (known) return known;
  const seconds = (name: string, description: string) =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });

  const live = new Set<MeasuredSession>();
  const retired: InputFigures = { forwarded: zeroes(REALTIME_INPUT_KINDS), dropped: zeroes(DROP_REASONS) };
  const totals = (): InputFigures => {
    const sum: InputFigures = { forwarded: { ...retired.forwarded }, dropped: { ...retired.dropped } };
    for (const session of live) {
      const figures = session.metrics();
      for (const kind of REALTIME_INPUT_KINDS) sum.forwarded[kind] += figures.forwarded[kind];
      for (const reason of DROP_REASONS) sum.dropped[reason] += figures.dropped[reason];
    }
    return sum;
  };

  const forwarded = meter.createObservableCounter(METRIC.inputForwarded, { description: 'Realtime inputs sent to the server', unit: '{input}' });
  const dropped = meter.createObservableCounter(METRIC.inputDropped, { description: 'Realtime inputs not sent, by reason', unit: '{input}' });
  meter.addBatchObservableCallback(
    (observer) => {
      const sum = totals();
      for (const kind of REALTIME_INPUT_KINDS) observer.observe(forwarded, sum.forwarded[kind], { [ATTR.inputKind]: kind });
      for (const reason of DROP_REASONS) observer.observe(dropped, sum.dropped[reason], { [ATTR.dropReason]: reason });
    },
    [forwarded, dropped],
  );

  const instruments: SessionInstruments = {
    toolDuration: seconds(METRIC.toolDuration, 'How long each tool call ran, from the toolCall to its answer, cancellation or discard'),
    gateClosed: seconds(METRIC.gateClosed, 'Each stretch of time realtime input was held back for a pending tool call'),
    timeToFirstAudio: seconds(METRIC.timeToFirstAudio, 'From the end of the user turn to the first audio of the model'),
    reconnects: meter.createCounter(METRIC.reconnects, { description: 'Reconnect attempts, by cause', unit: '{attempt}' }),
    connectionCloses: meter.createCounter(METRIC.connectionCloses, { description: 'Connections ended, by close code', unit: '{connection}' }),
    watch: (session) => live.add(session),
    retire(session) {
      if (!live.delete(session)) return;
      const figures = session.metrics();
      for (const kind of REALTIME_INPUT_KINDS) retired.forwarded[kind] += figures.forwarded[kind];
      for (const reason of DROP_REASONS) retired.dropped[reason] += figures.dropped[reason];
    },
    droppedAfterRetirement(reason) {
      retired.dropped[reason] += 1;
    },
  };
  byMeter.set(meter, instruments);
  return instruments;
}
