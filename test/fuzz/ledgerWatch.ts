/**
 * Watches the session's own ledger (`context.ledger`) through every snapshot the machine takes:
 * a call is born in a state the lifecycle allows, only ever makes the moves of `CALL_MOVES`, and
 * once it is in a terminal state it stays there (an entry leaves the ledger only once it has
 * ended, when the ledger is pruned). Each snapshot may follow several moves (one macrostep), so a
 * change must be a path of moves, not a single one.
 */
import { CALL_BIRTHS, CALL_MOVES, isTerminal, type CallState } from '../../src/machines/ledger/lifecycle.js';
import type { Ledger as SessionLedger, LedgerEntry } from '../../src/machines/ledger/entries.js';
import { fail } from './calls.js';

/** Every state reachable from `from` by zero or more moves. */
function reachable(from: CallState): Set<CallState> {
  const seen = new Set<CallState>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const next of CALL_MOVES[queue.shift() as CallState]) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}

const REACHABLE = new Map((Object.keys(CALL_MOVES) as CallState[]).map((state) => [state, reachable(state)]));
const BORN_INTO = new Set(CALL_BIRTHS.flatMap((birth) => [...(REACHABLE.get(birth) ?? [])]));

/** The session's ledger, followed snapshot by snapshot. */
export class LedgerWatch {
  /** Every entry seen, as last seen, by key (pruned ones included). */
  readonly entries = new Map<string, LedgerEntry>();
  private readonly pruned = new Set<string>();

  /** Checks one snapshot's ledger against the last; returns the keys seen for the first time. */
  follow(ledger: SessionLedger): string[] {
    const born: string[] = [];
    for (const [key, entry] of Object.entries(ledger)) {
      // A key the ledger let go of may name a new call (the server reused a finished call's id).
      if (this.pruned.has(key)) {
        if (entry === this.entries.get(key)) fail('I2', `ledger entry ${key} came back after it was pruned`);
        this.pruned.delete(key);
        this.entries.delete(key);
      }
      const before = this.entries.get(key);
      if (!before) {
        if (!BORN_INTO.has(entry.state)) fail('I2', `ledger entry ${key} appeared in state ${entry.state}, which no call is born into`);
        born.push(key);
      } else {
        if (before.id !== entry.id || before.name !== entry.name || before.generation !== entry.generation || before.idempotencyKey !== entry.idempotencyKey) {
          fail('I2', `ledger entry ${key} changed what call it is`);
        }
        if (!REACHABLE.get(before.state)?.has(entry.state)) fail('I2', `ledger entry ${key} moved from ${before.state} to ${entry.state}`);
        if (before.outcome !== undefined && before.outcome !== entry.outcome) fail('I2', `ledger entry ${key} changed its outcome`);
      }
      this.entries.set(key, entry);
    }
    for (const [key, entry] of this.entries) {
      if (key in ledger || this.pruned.has(key)) continue;
      if (!isTerminal(entry.state)) fail('I2', `ledger entry ${key} left the ledger in state ${entry.state}, before it ended`);
      this.pruned.add(key);
    }
    return born;
  }
}
