/**
 * One-line summaries of the events the session machine takes, for the inspector's timeline:
 * what a toolCall asked, how a tool answered, why a connection closed. Payloads are sanitized,
 * so no audio byte and no function ever reaches the page.
 */
import { sanitize } from '../sanitize.js';

const MAX_DETAIL = 160;

/**
 * A one-line summary of an event's payload; none for events whose type says it all.
 *
 * @example
 * ```ts
 * describeEvent({ type: 'server.goAway', timeLeftMs: 5000 }); // 'timeLeft 5000 ms'
 * ```
 */
export function describeEvent(event: { type: string }): string | undefined {
  let text: string | undefined;
  try {
    text = summary(event as { type: string } & Record<string, unknown>);
  } catch {
    // A payload of an unexpected shape: the type alone is shown.
    text = undefined;
  }
  return text !== undefined && text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}

function summary(e: { type: string } & Record<string, unknown>): string | undefined {
  switch (e.type) {
    case 'server.toolCall':
      return (e['calls'] as { id?: string; name: string; args?: unknown }[])
        .map((call) => `${call.name}(${JSON.stringify(sanitize(call.args ?? {}))})${call.id ? ` [${call.id}]` : ''}`)
        .join(', ');
    case 'server.toolCallCancellation':
      return `cancel ${(e['ids'] as string[]).join(', ')}`;
    case 'tool.result': {
      const call = e['call'] as { name: string; id?: string };
      const outcome = e['outcome'] as { status: string; error?: { code?: string } };
      return `${call.name}${call.id ? ` [${call.id}]` : ''} → ${outcome.status === 'ok' ? 'result' : `error ${outcome.error?.code ?? ''}`.trim()}`;
    }
    case 'transport.closed':
    case 'transport.error':
    case 'server.malformed': {
      const error = e['error'] as { code?: string; reason?: string } | undefined;
      return error ? `${error.code ?? ''} ${error.reason ?? ''}`.trim() : undefined;
    }
    case 'server.content':
      return describeContent(e['content'] as Record<string, unknown>);
    case 'server.goAway':
      return e['timeLeftMs'] === undefined ? 'no timeLeft' : `timeLeft ${String(e['timeLeftMs'])} ms`;
    case 'server.resumptionUpdate':
      return e['resumable'] ? 'resumable handle' : 'not resumable';
    case 'input.text':
      return JSON.stringify(e['text']);
    case 'buffer.replay':
      return `${(e['inputs'] as unknown[]).length} inputs`;
    case 'buffer.evicted':
      return `${(e['kinds'] as unknown[]).length} evicted`;
    case 'mic.ended': {
      const error = e['error'] as { reason?: string } | undefined;
      return error ? `failed: ${error.reason ?? ''}` : 'source ended';
    }
    default:
      return undefined;
  }
}

function describeContent(content: Record<string, unknown> | undefined): string | undefined {
  if (!content) return undefined;
  const parts: string[] = [];
  const audio = (content['audio'] as unknown[] | undefined)?.length ?? 0;
  if (audio > 0) parts.push(`audio ×${audio}`);
  const text = content['text'] as string[] | undefined;
  if (text && text.length > 0) parts.push(`text ${JSON.stringify(text.join(''))}`);
  const input = content['inputTranscription'] as { text: string } | undefined;
  if (input) parts.push(`user ${JSON.stringify(input.text)}`);
  const output = content['outputTranscription'] as { text: string } | undefined;
  if (output) parts.push(`model ${JSON.stringify(output.text)}`);
  for (const flag of ['interrupted', 'generationComplete', 'turnComplete']) if (content[flag]) parts.push(flag);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
