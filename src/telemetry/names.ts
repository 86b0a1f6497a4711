/**
 * The names the session's telemetry uses. Where the OpenTelemetry GenAI semantic conventions name
 * a thing (`gen_ai.*`, `error.type`) their name is used; the rest, which they do not cover (a
 * Live session, its connections, the gate), is under `gemini_live.*`. The GenAI conventions are
 * in Development status, so these follow them as of their late-2026 text.
 */

/** The instrumentation scope of every tracer and meter. */
export const SCOPE = 'gemini-live-fsm';

/** Attributes named by the GenAI and general semantic conventions. */
export const SEMCONV = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  errorType: 'error.type',
} as const;

/** `gen_ai.provider.name` for any Google generative AI endpoint (Gemini API or Vertex AI). */
export const PROVIDER = 'gcp.gen_ai';
/** `gen_ai.operation.name` of a tool call. */
export const EXECUTE_TOOL = 'execute_tool';

/** Attributes of our own, for what the conventions do not name. */
export const ATTR = {
  connectionGeneration: 'gemini_live.connection.generation',
  connectionResumed: 'gemini_live.connection.resumed',
  closeBy: 'gemini_live.close.by',
  closeCode: 'gemini_live.close.code',
  closeKind: 'gemini_live.close.kind',
  closedBy: 'gemini_live.session.closed_by',
  sessionToolCalls: 'gemini_live.session.tool_calls',
  sessionReconnects: 'gemini_live.session.reconnects',
  sessionGatedMs: 'gemini_live.session.gated_ms',
  toolOutcome: 'gemini_live.tool.outcome',
  toolGatedMs: 'gemini_live.tool.gated_ms',
  reconnectCause: 'gemini_live.reconnect.cause',
  reconnectAttempts: 'gemini_live.reconnect.attempts',
  reconnectResumed: 'gemini_live.reconnect.resumed',
  inputKind: 'gemini_live.input.kind',
  dropReason: 'gemini_live.input.drop_reason',
  turnEndSignal: 'gemini_live.turn.end_signal',
} as const;

/** Span names. A tool call's span is `execute_tool {gen_ai.tool.name}`, as the conventions say. */
export const SPAN = {
  session: 'gemini_live.session',
  connection: 'gemini_live.connection',
  reconnect: 'gemini_live.reconnect',
} as const;

/** Metric names. */
export const METRIC = {
  /** Histogram, s: how long each tool call ran (the GenAI conventions' tool duration). */
  toolDuration: 'gen_ai.execute_tool.duration',
  /** Histogram, s: each stretch the gate stayed closed. */
  gateClosed: 'gemini_live.gate.closed.duration',
  /** Histogram, s: from the user's end of turn to the model's first audio. */
  timeToFirstAudio: 'gemini_live.response.time_to_first_audio',
  /** Counter: realtime inputs sent to the server, by kind. */
  inputForwarded: 'gemini_live.input.forwarded',
  /** Counter: realtime inputs not sent, by reason. */
  inputDropped: 'gemini_live.input.dropped',
  /** Counter: reconnect attempts, by cause. */
  reconnects: 'gemini_live.reconnects',
  /** Counter: connections ended, by close code (and who closed them). */
  connectionCloses: 'gemini_live.connection.closes',
} as const;

/** Buckets for durations in seconds, as the GenAI conventions advise for theirs. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
