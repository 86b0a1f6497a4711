/**
 * The ledger's records, and the pure work on them: a new entry, a move through the lifecycle, the
 * earlier call a re-issued one repeats, the turn that tells the conversation an orphan's outcome,
 * and the bound on how much the ledger keeps.
 */
import type { FunctionCall } from '../../protocol/messages.js';
import type { ToolOutcome } from '../types/outcome.js';
import { isTerminal, moveCall, type CallState } from './lifecycle.js';

/** One call's record. */
export interface LedgerEntry {
  /** The pending set's key. */
  key: string;
  id?: string | undefined;
  name: string;
  /** The arguments as the server sent them. */
  args: unknown;
  /** The connection it came on. */
  generation: number;
  state: CallState;
  /** The same for every run of one operation: a call the model repeats after a reconnect shares it. */
  idempotencyKey: string;
  /** Clock ms when it came, and when it ended. */
  startedAt: number;
  endedAt?: number | undefined;
  /** How its tool settled, once it has. */
  outcome?: ToolOutcome | undefined;
  /** The earlier call it repeats, whose outcome it gets. */
  sameAs?: string | undefined;
}

/** The ledger's entries, by key. */
export type Ledger = Record<string, LedgerEntry>;

/** The ledger with `keys` moved to `to` (where the lifecycle allows), ended at `now` if that ends them. */
export function moved(ledger: Ledger, keys: Iterable<string>, to: CallState, now: number, patch: Partial<LedgerEntry> = {}): Ledger {
  const next = { ...ledger };
  for (const key of keys) {
    const entry = next[key];
    if (!entry) continue;
    const state = moveCall(entry.state, to);
    if (state === entry.state) continue;
    next[key] = { ...entry, ...patch, state, endedAt: isTerminal(state) ? now : entry.endedAt };
  }
  return next;
}

/** The ledger with `patch` applied to `keys` (an outcome learned), their state unchanged. */
export function patched(ledger: Ledger, keys: Iterable<string>, patch: Partial<Pick<LedgerEntry, 'outcome'>>): Ledger {
  const next = { ...ledger };
  for (const key of keys) {
    const entry = next[key];
    if (entry) next[key] = { ...entry, ...patch };
  }
  return next;
}

/** A call's arguments in a form that compares equal for equal JSON, whatever the key order. */
export function canonicalArgs(args: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(Reflect.get(value, key))]));
    }
    return value;
  };
  try {
    return JSON.stringify(canonical(args)) ?? 'undefined';
  } catch {
    return String(args);
  }
}

/**
 * The earlier call that `call` repeats, if it does: same name and arguments, made on an earlier
 * connection, and still running, orphaned, or ended by an answer within the window.
 */
export function repeatedCall(ledger: Ledger, call: FunctionCall, generation: number, sinceMs: number): LedgerEntry | undefined {
  const args = canonicalArgs(call.args);
  let found: LedgerEntry | undefined;
  for (const entry of Object.values(ledger)) {
    if (entry.name !== call.name || entry.generation >= generation || entry.sameAs !== undefined) continue;
    const live = entry.state === 'running' || entry.state === 'orphaned';
    const justEnded = (entry.state === 'answered' || entry.state === 'deliveredAsContext') && (entry.endedAt ?? 0) >= sinceMs;
    if ((live || justEnded) && canonicalArgs(entry.args) === args) found = entry;
  }
  return found;
}

/** How much of an outcome a conversation turn quotes. */
const MAX_QUOTED = 4_000;

/** A call and its outcome in words: `name({args}) [call id] returned …`. */
export function callOutcomeText(entry: LedgerEntry): string {
  const call = `${entry.name}(${canonicalArgs(entry.args)})${entry.id === undefined ? '' : ` [call ${entry.id}]`}`;
  const outcome = entry.outcome;
  const what =
    outcome === undefined
      ? 'has no outcome'
      : outcome.status === 'ok'
        ? `returned ${JSON.stringify(outcome.output)?.slice(0, MAX_QUOTED) ?? 'nothing'}`
        : `failed: ${outcome.error.reason}`;
  return `${call} ${what}`;
}

/** The words that tell the model an orphaned call's outcome, in one conversation turn. */
export function outcomeText(entry: LedgerEntry): string {
  return `A tool call made before the connection was lost has finished. ${callOutcomeText(entry)}.`;
}

/**
 * The ledger kept small: ended entries older than `keepMs` go, and past `maxEntries` the oldest
 * ended ones go first. Entries that have not ended always stay.
 */
export function pruned(ledger: Ledger, now: number, keepMs: number, maxEntries: number): Ledger {
  const ended = Object.values(ledger)
    .filter((entry) => isTerminal(entry.state))
    .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
  const total = Object.keys(ledger).length;
  const drop = new Set<string>();
  for (const entry of ended) {
    if ((entry.endedAt ?? 0) < now - keepMs || total - drop.size > maxEntries) drop.add(entry.key);
  }
  if (drop.size === 0) return ledger;
  return Object.fromEntries(Object.entries(ledger).filter(([key]) => !drop.has(key)));
}

/** How many calls are in each state. */
export function countsByState(ledger: Ledger): Record<CallState, number> {
  const counts: Record<CallState, number> = {
    running: 0,
    answered: 0,
    cancelled: 0,
    orphaned: 0,
    deliveredAsContext: 0,
    superseded: 0,
    discarded: 0,
    lost: 0,
  };
  for (const entry of Object.values(ledger)) counts[entry.state] += 1;
  return counts;
}
