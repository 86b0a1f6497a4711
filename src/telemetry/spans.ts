/**
 * The spans of one session: the session itself; each connection (with how it ended: its close
 * code and class, or who closed it); each reconnect or resume; each tool call (its name, outcome,
 * duration and the time the gate was closed while it ran). Connections are children of the
 * session, or of the reconnect that opened them; tool calls are children of their connection.
 *
 * Nothing the session carries goes into an attribute: no audio, no tool arguments or results, no
 * resumption handle, no key.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { ClosedBy, ReconnectCause } from '../machines/types.js';
import type { FunctionCall } from '../protocol/messages.js';
import { ATTR, EXECUTE_TOOL, PROVIDER, SEMCONV, SPAN } from './names.js';

/** How a tool call ended, as `gemini_live.tool.outcome` says it. */
export type ToolOutcomeName = 'result' | 'error' | 'cancelled' | 'discarded' | 'abandoned';

/** What an error tells telemetry: its code, and for a close, the close code and its class. */
interface ErrorFacts {
  code?: unknown;
  closeCode?: unknown;
  kind?: unknown;
}

/** How a connection ended, as attributes (also those of the closes metric). */
export function closeAttributes(by: 'client' | 'server', error: ErrorFacts | undefined): Attributes {
  const attributes: Attributes = { [ATTR.closeBy]: by };
  if (typeof error?.closeCode === 'number') attributes[ATTR.closeCode] = error.closeCode;
  if (typeof error?.kind === 'string') attributes[ATTR.closeKind] = error.kind;
  if (typeof error?.code === 'string') attributes[SEMCONV.errorType] = error.code;
  return attributes;
}

interface OpenTool {
  span: Span;
  call: FunctionCall;
  name: string;
  id: string | undefined;
  startedAt: number;
  gatedAtStart: number;
}

/** An ended tool call, for the duration metric. */
export interface EndedTool {
  name: string;
  seconds: number;
  outcome: ToolOutcomeName;
  errorType: string | undefined;
}

/** The spans of one session. Every method is safe to call in any order. */
export class SessionTrace {
  private readonly session: Span;
  private readonly connections = new Map<number, Span>();
  private reconnect: Span | undefined;
  private readonly tools = new Set<OpenTool>();

  constructor(
    private readonly tracer: Tracer,
    private readonly common: Attributes,
  ) {
    this.session = tracer.startSpan(SPAN.session, { kind: SpanKind.INTERNAL, attributes: { ...common } });
  }

  private child(name: string, parent: Span, kind: SpanKind, attributes: Attributes): Span {
    return this.tracer.startSpan(name, { kind, attributes }, trace.setSpan(context.active(), parent));
  }

  /** The machine started opening connection `generation`. */
  connectionOpening(generation: number, resumed: boolean): void {
    const span = this.child(SPAN.connection, this.reconnect ?? this.session, SpanKind.CLIENT, {
      ...this.common,
      [ATTR.connectionGeneration]: generation,
      [ATTR.connectionResumed]: resumed,
    });
    this.connections.set(generation, span);
  }

  /** Setup completed on connection `generation`: it streams. */
  connectionUp(generation: number): void {
    this.connections.get(generation)?.addEvent('gemini_live.setup_complete');
  }

  /** The newest connection still open, if any. */
  private newest(): number | undefined {
    return this.connections.size === 0 ? undefined : Math.max(...this.connections.keys());
  }

  /**
   * Ends connection `generation` (default: the newest), or every one older than `before`.
   * Returns the attributes of each connection ended, for the closes metric.
   */
  endConnections(by: 'client' | 'server', error: ErrorFacts | undefined, which: { before?: number } = {}): Attributes[] {
    const generations =
      which.before === undefined ? [this.newest()].filter((g) => g !== undefined) : [...this.connections.keys()].filter((g) => g < (which.before ?? 0));
    return generations.map((generation) => {
      const span = this.connections.get(generation) as Span;
      this.connections.delete(generation);
      const attributes = closeAttributes(by, error);
      span.setAttributes(attributes);
      if (by === 'server') span.setStatus({ code: SpanStatusCode.ERROR, message: String(error?.code ?? 'closed') });
      span.end();
      return attributes;
    });
  }

  /** A reconnect began, or (while one is under way) another attempt of it. */
  reconnecting(cause: ReconnectCause, attempt: number, errorType: string | undefined): void {
    if (!this.reconnect) {
      this.reconnect = this.child(SPAN.reconnect, this.session, SpanKind.INTERNAL, { ...this.common, [ATTR.reconnectCause]: cause });
    }
    this.reconnect.setAttribute(ATTR.reconnectAttempts, attempt);
    this.reconnect.addEvent('gemini_live.reconnect.attempt', errorType === undefined ? { attempt } : { attempt, [SEMCONV.errorType]: errorType });
  }

  /** The reconnect under way succeeded; `resumed` if the server resumed the conversation. */
  reconnected(resumed: boolean): void {
    this.reconnect?.setAttribute(ATTR.reconnectResumed, resumed);
    this.reconnect?.end();
    this.reconnect = undefined;
  }

  /** A toolCall's calls started; `gated` is the session's gated clock now. */
  toolsStarted(calls: readonly FunctionCall[], gated: number): void {
    const connection = this.connections.get(this.newest() ?? -1) ?? this.session;
    for (const call of calls) {
      const attributes: Attributes = {
        [SEMCONV.operationName]: EXECUTE_TOOL,
        [SEMCONV.toolName]: call.name,
        [SEMCONV.toolType]: 'function',
        [SEMCONV.providerName]: PROVIDER,
      };
      if (call.id !== undefined) attributes[SEMCONV.toolCallId] = call.id;
      const tool: OpenTool = {
        span: this.child(`${EXECUTE_TOOL} ${call.name}`, connection, SpanKind.INTERNAL, attributes),
        call,
        name: call.name,
        id: call.id,
        startedAt: performance.now(),
        gatedAtStart: gated,
      };
      this.tools.add(tool);
    }
  }

  /** Ends the span of `call` (the same object, or the same id); `gated` is the gated clock now. */
  toolEnded(call: FunctionCall | { id: string }, outcome: ToolOutcomeName, errorType: string | undefined, gated: number): EndedTool | undefined {
    const open = [...this.tools];
    const tool = open.find((t) => t.call === call) ?? open.find((t) => call.id !== undefined && t.id === call.id);
    return tool ? this.finish(tool, outcome, errorType, gated) : undefined;
  }

  private finish(tool: OpenTool, outcome: ToolOutcomeName, errorType: string | undefined, gated: number): EndedTool | undefined {
    if (!this.tools.delete(tool)) return undefined;
    const attributes: Attributes = { [ATTR.toolOutcome]: outcome, [ATTR.toolGatedMs]: Math.round(gated - tool.gatedAtStart) };
    if (errorType !== undefined) {
      attributes[SEMCONV.errorType] = errorType;
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    tool.span.setAttributes(attributes);
    tool.span.end();
    return { name: tool.name, seconds: (performance.now() - tool.startedAt) / 1000, outcome, errorType };
  }

  /** The session closed: every span still open ends, the session's last. */
  close(closedBy: ClosedBy, summary: Attributes, gated: number): EndedTool[] {
    // Calls whose answer never went out: their tools were aborted, or run on for nobody.
    const abandoned = [...this.tools].map((tool) => this.finish(tool, 'abandoned', undefined, gated));
    if (this.reconnect) {
      this.reconnect.setStatus({ code: SpanStatusCode.ERROR, message: 'the session closed before it reconnected' });
      this.reconnect.end();
      this.reconnect = undefined;
    }
    const error: ErrorFacts | undefined = closedBy.by === 'client' ? undefined : closedBy.error;
    this.session.setAttributes({ ...summary, [ATTR.closedBy]: closedBy.by });
    if (error) {
      this.session.setAttribute(SEMCONV.errorType, String(error.code ?? 'error'));
      this.session.setStatus({ code: SpanStatusCode.ERROR, message: String(error.code ?? 'error') });
    }
    this.session.end();
    return abandoned.filter((tool): tool is EndedTool => tool !== undefined);
  }
}
