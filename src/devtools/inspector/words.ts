/**
 * The session told in words for the inspector page: what happens to realtime input in a state,
 * what became of one input, why a session closed, and its counters as sentences. A person reads
 * these, so they say what happened rather than show the JSON it happened in.
 */
import type { ClosedBy, DropReason, InputPolicy, SessionContext, SessionCounters } from '../../machines/types.js';

/** What became of one realtime input. */
export type InputMark = 'forwarded' | 'dropped' | 'buffered' | 'deferred';

/** What happens to realtime input in a state, under the session's policies. */
export function inputFate(state: string, settings: SessionContext['settings'] | undefined): string {
  const policy = (p: InputPolicy | undefined, dropped: string) =>
    p === undefined || p === 'drop' ? dropped : `buffered (up to ${p.buffer.maxMs} ms)`;
  if (state === 'streaming') return 'forwarded';
  if (state === 'awaitingToolResponse') return policy(settings?.inputWhileGated, 'dropped (gated)');
  if (state.startsWith('idle.reconnecting')) return policy(settings?.inputWhileReconnecting, 'dropped (not streaming)');
  if (state === 'closed') return 'dropped (closed)';
  return 'dropped (not streaming)';
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

/** What became of an input, read off the counters before and after it. */
export function inputOutcome(before: SessionCounters, after: SessionCounters): { mark?: InputMark; reason?: DropReason } {
  if (sum(after.forwarded) > sum(before.forwarded)) return { mark: 'forwarded' };
  for (const [reason, count] of Object.entries(after.dropped) as [DropReason, number][]) {
    if (count > before.dropped[reason]) return { mark: 'dropped', reason };
  }
  if (after.buffered > before.buffered) return { mark: 'buffered' };
  if (after.deferred > before.deferred) return { mark: 'deferred' };
  return {};
}

/** `1 call`, `2 calls`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const DROP_WORDS: Record<DropReason, string> = {
  gated: 'while a tool call was pending',
  notStreaming: 'with no live connection',
  noOpenActivity: 'as an activityEnd with no activityStart',
  activityAlreadyOpen: 'as a second activityStart',
  closed: 'after the session closed',
  evicted: 'evicted from a full buffer',
  invalid: 'as a value that is not input of its kind',
  sendFailed: 'as the connection refused the send',
  outsideActivity: 'while the user was not speaking',
};

interface ErrorLike {
  code?: unknown;
  reason?: unknown;
  closeCode?: unknown;
  kind?: unknown;
}

/** An error as a phrase: its reason, with the close code and its class when it is a close. */
function describeError(error: ErrorLike | undefined): string {
  if (!error) return 'no error was given';
  const reason = typeof error.reason === 'string' && error.reason ? error.reason : String(error.code ?? 'unknown error');
  if (typeof error.closeCode === 'number') return `${error.closeCode} “${reason}” (${String(error.kind ?? 'unknown')})`;
  return `${reason} (${String(error.code ?? 'error')})`;
}

/**
 * Why a session closed, in one sentence.
 *
 * @example
 * ```ts
 * describeEnding({ by: 'client' }); // 'Closed by the application (close()).'
 * ```
 */
export function describeEnding(closedBy: ClosedBy | undefined): string {
  if (!closedBy || closedBy.by === 'client') return 'Closed by the application (close()).';
  const error: ErrorLike = closedBy.error;
  if (closedBy.by === 'attemptsExhausted') {
    return `Gave up reconnecting after ${count(closedBy.attempts, 'failed attempt')}; the last: ${describeError(error)}.`;
  }
  if (closedBy.by === 'takenOver') return `Taken over by another process: ${describeError(error)}.`;
  if (typeof error.closeCode === 'number') return `Closed by the server: ${describeError(error)}.`;
  return `Ended by an error that no retry can mend: ${describeError(error)}.`;
}

/**
 * The counters as sentences: inputs and their fate, tool calls and answers, time gated,
 * reconnects, errors.
 *
 * @example
 * ```ts
 * describeCounters(counters)[0]; // '130 inputs received: 70 forwarded, 60 dropped (60 while a tool call was pending).'
 * ```
 */
export function describeCounters(c: SessionCounters): string[] {
  const drops = (Object.entries(c.dropped) as [DropReason, number][])
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${DROP_WORDS[reason]}`);
  const fate = [`${sum(c.forwarded)} forwarded`, `${sum(c.dropped)} dropped${drops.length > 0 ? ` (${drops.join(', ')})` : ''}`];
  if (c.buffered > 0) fate.push(`${c.buffered} still buffered`);
  if (c.replayed > 0) fate.push(`${c.replayed} replayed from a buffer`);
  if (c.deferred > 0) fate.push(`${c.deferred} held back`);
  const answered = c.toolResults - c.toolErrors;
  const tools =
    c.toolCalls === 0
      ? 'No tool calls.'
      : `${count(c.toolCalls, 'tool call')}: ${answered} answered with a result, ${c.toolErrors} with an error, ${c.toolCancellations} cancelled; ${count(c.toolResponsesSent, 'toolResponse')} sent${c.toolResultsDiscarded > 0 ? `, ${count(c.toolResultsDiscarded, 'late result')} discarded` : ''}.`;
  return [
    `${count(sum(c.received), 'input')} received: ${fate.join(', ')}.`,
    tools,
    c.gatedMs > 0 ? `The gate was closed for ${(c.gatedMs / 1000).toFixed(2)} s in all.` : 'The gate never closed.',
    c.reconnects === 0 ? 'No reconnects.' : `${count(c.reconnects, 'reconnect')}.`,
    c.errors === 0 ? 'No errors.' : `${count(c.errors, 'error')} reported.`,
  ];
}
