import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { activeStateIds, allStates, describeChart, toMermaid } from '../../src/devtools/index.js';
import { guardName } from '../../src/devtools/chart.js';
import { sessionMachine } from '../../src/machines/index.js';
import { STATECHART_COMMAND, STATECHART_FILE, STATECHART_SVG_FILE, statechartDoc, statechartSvg } from '../../scripts/statechart-docs.js';

describe('the chart, read from the machine', () => {
  const chart = describeChart(sessionMachine);

  it('has every state of the design, nested', () => {
    expect(allStates(chart).map((s) => s.id)).toEqual([
      'session',
      'session.idle',
      'session.idle.disconnected',
      'session.idle.connecting',
      'session.idle.reconnecting',
      'session.idle.reconnecting.backoff',
      'session.idle.reconnecting.opening',
      'session.streaming',
      'session.awaitingToolResponse',
      'session.closed',
    ]);
    expect(chart.initial).toBe('session.idle');
    expect(allStates(chart).find((s) => s.key === 'closed')?.type).toBe('final');
  });

  it('has the transitions with their guards, delays and eventless ones', () => {
    const streaming = chart.states.find((s) => s.key === 'streaming');
    // The gate follows from the pending set: any blocking call pending, and streaming holds no more.
    expect(streaming?.transitions).toContainEqual(
      expect.objectContaining({ kind: 'always', targets: ['session.awaitingToolResponse'], guard: 'hasBlockingCallsPending' }),
    );
    expect(chart.transitions).toContainEqual({
      kind: 'event',
      event: 'server.toolCall',
      targets: [],
      guard: 'isFromOpenConnection',
      actions: ['acceptToolCall', 'answerSettledBatches'],
    });
    expect(streaming?.transitions).toContainEqual(
      expect.objectContaining({ kind: 'after', event: 'after connectionStable', targets: [], guard: 'hasFailedAttempts' }),
    );
    const gated = chart.states.find((s) => s.key === 'awaitingToolResponse');
    expect(gated?.transitions.filter((t) => t.kind === 'always').map((t) => t.guard)).toEqual(['not hasBlockingCallsPending']);
    // After a goAway, streaming resumes at a turn boundary.
    expect(streaming?.transitions.filter((t) => t.kind === 'always').map((t) => t.guard)).toEqual([
      'hasBlockingCallsPending',
      'goAwayAnnounced and atTurnBoundary',
    ]);
    expect(gated?.transitions).toContainEqual(expect.objectContaining({ event: 'input.activityEnd', guard: 'canDeferActivityEnd' }));
    expect(gated?.transitions).toContainEqual(expect.objectContaining({ event: 'input.activityStart', guard: 'canDeferActivityStart' }));
  });

  it('writes guards and active state ids out', () => {
    expect(guardName('plain')).toBe('plain');
    expect(guardName({ type: 'named' })).toBe('named');
    expect(activeStateIds('session', { idle: { reconnecting: 'backoff' } })).toEqual([
      'session',
      'session.idle',
      'session.idle.reconnecting',
      'session.idle.reconnecting.backoff',
    ]);
  });

  it('draws a Mermaid statechart with the nested states and labelled transitions', () => {
    const diagram = toMermaid(chart);
    expect(diagram.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(diagram).toContain('  state reconnecting {\n      [*] --> backoff');
    expect(diagram).toContain('streaming --> awaitingToolResponse : always [hasBlockingCallsPending]');
    expect(diagram).toContain('backoff --> opening : after reconnectBackoff');
    expect(diagram).toContain('closed --> [*]');
  });
});

describe('docs/statechart.md and docs/statechart.svg', () => {
  it('are up to date with the machine', async () => {
    const onDisk = await readFile(STATECHART_FILE, 'utf8').catch(() => '(missing)');
    expect(onDisk, `docs/statechart.md is out of date: run \`${STATECHART_COMMAND}\` and commit the result`).toBe(statechartDoc());
    expect(onDisk).toContain('![The session statechart: states as nested boxes, transitions as labelled arrows](statechart.svg)');
    const svg = await readFile(STATECHART_SVG_FILE, 'utf8').catch(() => '(missing)');
    expect(svg, `docs/statechart.svg is out of date: run \`${STATECHART_COMMAND}\` and commit the result`).toBe(await statechartSvg());
  });
});
