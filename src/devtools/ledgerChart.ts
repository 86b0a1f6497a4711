/**
 * The tool-call ledger's lifecycle as a chart, read from `CALL_MOVE_CAUSES` and
 * `CALL_BIRTH_CAUSES`, so that docs/ledger.md and docs/ledger.svg draw the table the machine
 * enforces (with the statechart's own renderer), and cannot drift from it.
 */
import { CALL_BIRTH_CAUSES, CALL_MOVE_CAUSES, isTerminal, type CallState } from '../machines/ledger/lifecycle.js';
import type { ChartState, ChartTransition } from './chart.js';
import { toMermaid } from './mermaid.js';

const ROOT = 'ledger';
const ARRIVAL = 'toolCall';

function stateOf(key: string, type: ChartState['type'], transitions: ChartTransition[]): ChartState {
  return { id: `${ROOT}.${key}`, key, type, entry: [], exit: [], transitions, states: [] };
}

function moves(causes: Readonly<Partial<Record<CallState, string>>>): ChartTransition[] {
  return Object.entries(causes).map(([to, cause]) => ({ kind: 'event', event: cause, targets: [`${ROOT}.${to}`], actions: [] }));
}

/**
 * The lifecycle of one call: a `toolCall` arrives and is born running (or lost), then moves as
 * the table says until it ends, once, in a terminal state.
 *
 * @example
 * ```ts
 * const mermaid = toMermaid(ledgerChart());
 * ```
 */
export function ledgerChart(): ChartState {
  const states = (Object.keys(CALL_MOVE_CAUSES) as CallState[]).map((state) =>
    stateOf(state, isTerminal(state) ? 'final' : 'atomic', moves(CALL_MOVE_CAUSES[state])),
  );
  return {
    id: ROOT,
    key: ROOT,
    type: 'compound',
    initial: `${ROOT}.${ARRIVAL}`,
    entry: [],
    exit: [],
    transitions: [],
    states: [stateOf(ARRIVAL, 'atomic', moves(CALL_BIRTH_CAUSES)), ...states],
  };
}

/** The ledger's lifecycle as Mermaid `stateDiagram-v2` source. */
export function ledgerMermaid(): string {
  return toMermaid(ledgerChart());
}
