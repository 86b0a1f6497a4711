/**
 * A Live API server simulated in-process for the long-session bench: a {@link LiveTransport}
 * whose server side is played step by step by the bench, in simulated time. It keeps no record
 * of the frames (a recording transport would itself grow for an hour), only counts, and checks
 * the gate as the service does.
 */
import type { FunctionResponse, RealtimeInput } from '../src/protocol/messages.js';
import type { LiveConnection, LiveTransport, TransportHandlers } from '../src/protocol/transport.js';

/** 100 ms of quiet 24 kHz PCM16 model audio, base64. */
const MODEL_AUDIO = Buffer.alloc(4_800, 1).toString('base64');

/** Totals over every connection. */
export interface SimCounts {
  connections: number;
  framesReceived: number;
  toolCallsSent: number;
  toolResponses: number;
  /** Realtime input while a call was pending (the service would close with 1008). */
  violations: number;
  goAways: number;
}

interface SimConnection {
  handlers: TransportHandlers;
  pending: Set<string>;
  /** Simulated ms at which the server ends a connection it announced the end of. */
  deadline: number | undefined;
  open: boolean;
}

/** The server and its transport. */
export interface SimServer {
  readonly transport: LiveTransport;
  readonly counts: Readonly<SimCounts>;
  /** Sends a toolCall with `calls` calls on the newest connection. */
  toolCall(calls: number): void;
  /** Sends 100 ms of model audio, a turnComplete and a resumption handle. */
  modelTurn(): void;
  /** Announces the end of the newest connection in `timeLeftMs`, at simulated time `now`. */
  goAway(now: number, timeLeftMs: number): void;
  /** Closes the connections whose announced end has come. */
  advance(now: number): void;
}

/** Creates a simulated server. */
export function createSimServer(): SimServer {
  const counts: SimCounts = { connections: 0, framesReceived: 0, toolCallsSent: 0, toolResponses: 0, violations: 0, goAways: 0 };
  const connections: SimConnection[] = [];
  let callIds = 0;
  let handles = 0;
  const newest = () => connections[connections.length - 1];
  const deliver = (connection: SimConnection | undefined, message: unknown) => {
    if (connection?.open) connection.handlers.onMessage(message);
  };
  const issueHandle = (connection: SimConnection) => {
    const resumable = connection.pending.size === 0;
    deliver(connection, { sessionResumptionUpdate: resumable ? { newHandle: `h-${++handles}`, resumable } : { resumable } });
  };

  const transport: LiveTransport = {
    connect(request) {
      counts.connections += 1;
      const connection: SimConnection = { handlers: request.handlers, pending: new Set(), deadline: undefined, open: true };
      // Only the newest connection is talked to; older ones are forgotten once closed.
      for (let i = connections.length - 1; i >= 0; i -= 1) if (!connections[i]?.open) connections.splice(i, 1);
      connections.push(connection);
      const live: LiveConnection = {
        sendRealtimeInput(_input: RealtimeInput) {
          counts.framesReceived += 1;
          if (connection.pending.size > 0) counts.violations += 1;
        },
        sendToolResponse(responses: FunctionResponse[]) {
          counts.toolResponses += 1;
          for (const response of responses) connection.pending.delete(response.id ?? response.name);
          issueHandle(connection);
        },
        close() {
          connection.open = false;
        },
      };
      deliver(connection, { setupComplete: {} });
      issueHandle(connection);
      return Promise.resolve(live);
    },
  };

  return {
    transport,
    counts,
    toolCall(calls) {
      const connection = newest();
      if (!connection?.open) return;
      const functionCalls = Array.from({ length: calls }, () => ({ id: `fc-${++callIds}`, name: 'get_weather', args: { city: 'Paris' } }));
      for (const call of functionCalls) connection.pending.add(call.id);
      counts.toolCallsSent += 1;
      deliver(connection, { toolCall: { functionCalls } });
    },
    modelTurn() {
      const connection = newest();
      if (!connection?.open) return;
      deliver(connection, { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: MODEL_AUDIO } }] } } });
      deliver(connection, { serverContent: { turnComplete: true }, usageMetadata: { promptTokenCount: 120, responseTokenCount: 40, totalTokenCount: 160 } });
      issueHandle(connection);
    },
    goAway(now, timeLeftMs) {
      const connection = newest();
      if (!connection?.open) return;
      counts.goAways += 1;
      connection.deadline = now + timeLeftMs;
      deliver(connection, { goAway: { timeLeft: `${timeLeftMs / 1000}s` } });
    },
    advance(now) {
      for (const connection of connections) {
        if (!connection.open || connection.deadline === undefined || now < connection.deadline) continue;
        connection.open = false;
        connection.handlers.onClose(1001, 'Session time limit reached.');
      }
    },
  };
}
