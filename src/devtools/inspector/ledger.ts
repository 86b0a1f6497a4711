/**
 * The tool-call ledger as the inspector shows it. The ledger is the machine's record of every
 * call it was asked to make, kept in `context.ledger` by key; the inspector reads it by shape, so
 * it shows one as soon as the machine keeps one, and nothing before.
 */
import { sanitize, type Plain } from '../sanitize.js';

/** The states a ledgered call can be in. */
export type LedgerState = 'running' | 'answered' | 'cancelled' | 'orphaned' | 'deliveredAsContext' | 'superseded';

/** Every ledger state, in the order a call can pass through them. */
export const LEDGER_STATES: readonly LedgerState[] = ['running', 'answered', 'cancelled', 'orphaned', 'deliveredAsContext', 'superseded'];

/** One call of the ledger, as the page shows it: its arguments sanitized. */
export interface LedgerEntryView {
  key: string;
  id?: string;
  name: string;
  args: Plain;
  /** The connection it came on. */
  generation: number;
  state: LedgerState;
  startedAt: number;
  endedAt?: number;
}

function isLedgerEntry(value: unknown): value is Record<string, unknown> & { key: string; name: string; state: LedgerState } {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry['key'] === 'string' &&
    typeof entry['name'] === 'string' &&
    typeof entry['generation'] === 'number' &&
    typeof entry['startedAt'] === 'number' &&
    LEDGER_STATES.includes(entry['state'] as LedgerState)
  );
}

/**
 * The ledger of a context, oldest call first; `undefined` when the context keeps none.
 * Entries of a shape it does not know are left out rather than shown wrong.
 *
 * @example
 * ```ts
 * ledgerView({ ledger: { c1: { key: 'c1', name: 'get_weather', args: {}, generation: 1, state: 'running', startedAt: 0 } } });
 * ```
 */
export function ledgerView(context: { ledger?: unknown }): LedgerEntryView[] | undefined {
  const ledger = context.ledger;
  if (typeof ledger !== 'object' || ledger === null) return undefined;
  const entries: LedgerEntryView[] = [];
  for (const value of Object.values(ledger)) {
    if (!isLedgerEntry(value)) continue;
    const entry: LedgerEntryView = {
      key: value.key,
      name: value.name,
      args: sanitize(value['args'] ?? null, { maxDepth: 4, maxItems: 10 }),
      generation: value['generation'] as number,
      state: value.state,
      startedAt: value['startedAt'] as number,
    };
    if (typeof value['id'] === 'string') entry.id = value['id'];
    if (typeof value['endedAt'] === 'number') entry.endedAt = value['endedAt'];
    entries.push(entry);
  }
  return entries.sort((a, b) => a.startedAt - b.startedAt);
}
