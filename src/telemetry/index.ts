/**
 * OpenTelemetry for Live sessions (`gemini-live-fsm/telemetry`). Every session reports through
 * `@opentelemetry/api` by default, a no-op until the application installs an SDK; this entry
 * exposes the instrumentation itself and the names it uses, for dashboards and tests.
 *
 * @packageDocumentation
 */
export { instrumentSession } from './instrumentSession.js';
export type { InstrumentedSession, SessionDetails, TelemetryOptions } from './instrumentSession.js';
export { ATTR, DURATION_BUCKETS, EXECUTE_TOOL, METRIC, PROVIDER, SCOPE, SEMCONV, SPAN } from './names.js';
export type { ToolOutcomeName } from './spans.js';
export type { TurnEndSignal } from './clocks.js';
