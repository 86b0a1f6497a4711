import type { LiveTransport, RealtimeInputKind } from '../../src/protocol/index.js';

/**
 * Wraps a transport to check I1 exactly, on the client side: from the moment a toolCall reaches
 * the session until every pending blocking call of that connection is answered or cancelled, no
 * realtime input may be sent on it. (The emulator checks the same on the server side, where
 * frames already in flight when it sent the toolCall are indistinguishable from late ones.) Calls
 * to functions declared NON_BLOCKING do not block, as on the server.
 */
export function auditGate(inner: LiveTransport) {
  const violations: { kind: RealtimeInputKind; pending: string[] }[] = [];
  const transport: LiveTransport = {
    async connect(request) {
      const pending = new Set<string>();
      const nonBlocking = new Set(request.functionDeclarations.filter((fn) => fn.behavior === 'NON_BLOCKING').map((fn) => fn.name));
      const connection = await inner.connect({
        ...request,
        handlers: {
          ...request.handlers,
          onMessage(message) {
            const m = message as {
              toolCall?: { functionCalls?: { id?: string; name?: string }[] };
              toolCallCancellation?: { ids?: string[] };
            };
            for (const call of m.toolCall?.functionCalls ?? []) {
              if (!nonBlocking.has(call.name ?? '')) pending.add(call.id ?? call.name ?? '');
            }
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
        sendClientContent: (turns, turnComplete) => connection.sendClientContent?.(turns, turnComplete),
        sendContextUpdate(update) {
          connection.sendContextUpdate?.(update);
          nonBlocking.clear();
          for (const fn of update.tools) if (fn.behavior === 'NON_BLOCKING') nonBlocking.add(fn.name);
        },
        close: () => connection.close(),
      };
    },
  };
  return { transport, violations };
}
