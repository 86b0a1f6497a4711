import type { LiveTransport, RealtimeInputKind } from '../../src/protocol/index.js';

/**
 * Wraps a transport to check I1 exactly, on the client side: from the moment a toolCall reaches
 * the session until every pending call is answered or cancelled, no realtime input may be sent.
 * (The emulator checks the same on the server side, where frames already in flight when it sent
 * the toolCall are indistinguishable from late ones.)
 */
export function auditGate(inner: LiveTransport) {
  const violations: { kind: RealtimeInputKind; pending: string[] }[] = [];
  const pending = new Set<string>();
  const transport: LiveTransport = {
    async connect(request) {
      const connection = await inner.connect({
        ...request,
        handlers: {
          ...request.handlers,
          onMessage(message) {
            const m = message as {
              toolCall?: { functionCalls?: { id?: string; name?: string }[] };
              toolCallCancellation?: { ids?: string[] };
            };
            for (const call of m.toolCall?.functionCalls ?? []) pending.add(call.id ?? call.name ?? '');
            for (const id of m.toolCallCancellation?.ids ?? []) pending.delete(id);
            request.handlers.onMessage(message);
          },
        },
      });
      return {
        sendRealtimeInput(input) {
          if (pending.size > 0) violations.push({ kind: input.kind, pending: [...pending] });
          connection.sendRealtimeInput(input);
        },
        sendToolResponse(responses) {
          connection.sendToolResponse(responses);
          for (const response of responses) pending.delete(response.id ?? response.name);
        },
        close: () => connection.close(),
      };
    },
  };
  return { transport, violations };
}
