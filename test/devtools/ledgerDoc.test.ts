/**
 * The ledger's lifecycle table, and docs/ledger.md and docs/ledger.svg drawn from it: a call ends
 * once, and the docs cannot drift from the table the machine enforces.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ledgerChart, ledgerMermaid } from '../../src/devtools/index.js';
import { CALL_BIRTHS, CALL_MOVES, isTerminal, moveCall, TERMINAL_STATES, type CallState } from '../../src/machines/ledger/lifecycle.js';
import { generatedPart, LEDGER_FILE, LEDGER_SVG_FILE, ledgerBlock, ledgerSvg, STATECHART_COMMAND } from '../../scripts/statechart-docs.js';

const STATES = Object.keys(CALL_MOVES) as CallState[];

describe('the ledger lifecycle', () => {
  it('ends a call once: a terminal state moves nowhere, and every other state reaches one', () => {
    expect(STATES.filter(isTerminal)).toEqual([...TERMINAL_STATES]);
    for (const from of TERMINAL_STATES) for (const to of STATES) expect(moveCall(from, to)).toBe(from);
    const reachesEnd = (state: CallState, seen = new Set<CallState>()): boolean =>
      isTerminal(state) || (!seen.has(state) && CALL_MOVES[state].some((next) => reachesEnd(next, new Set([...seen, state]))));
    for (const state of STATES) expect(reachesEnd(state), state).toBe(true);
  });

  it('refuses every move the table does not list', () => {
    for (const from of STATES) {
      for (const to of STATES) expect(moveCall(from, to)).toBe(CALL_MOVES[from].includes(to) ? to : from);
    }
    expect(moveCall('answered', 'deliveredAsContext')).toBe('answered');
    expect(moveCall('running', 'deliveredAsContext')).toBe('running');
  });

  it('is drawn with every birth and every move, terminal states final', () => {
    const chart = ledgerChart();
    const moves = chart.states.flatMap((state) => state.transitions.flatMap((t) => t.targets.map((target) => `${state.key}->${target.split('.')[1]}`)));
    const expected = [...CALL_BIRTHS.map((state) => `toolCall->${state}`), ...STATES.flatMap((from) => CALL_MOVES[from].map((to) => `${from}->${to}`))];
    expect(moves.sort()).toEqual(expected.sort());
    expect(chart.states.filter((state) => state.type === 'final').map((state) => state.key)).toEqual([...TERMINAL_STATES]);
    expect(ledgerMermaid()).toContain('orphaned --> deliveredAsContext : outcome sent as a clientContent turn on a streaming connection');
  });
});

describe('docs/ledger.md and docs/ledger.svg', () => {
  it('are up to date with the lifecycle table', async () => {
    const onDisk = await readFile(LEDGER_FILE, 'utf8').catch(() => '(missing)');
    const stale = `docs/ledger.md is out of date: run \`${STATECHART_COMMAND}\` and commit the result`;
    expect(generatedPart(onDisk), stale).toBe(ledgerBlock());
    const svg = await readFile(LEDGER_SVG_FILE, 'utf8').catch(() => '(missing)');
    expect(svg, `docs/ledger.svg is out of date: run \`${STATECHART_COMMAND}\``).toBe(await ledgerSvg());
  });
});
