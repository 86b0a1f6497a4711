import ELK from 'elkjs/lib/elk.bundled.js';
import { createActor, type InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { allStates, describeChart, transitionIdOf } from '../../src/devtools/index.js';
import { chartDiagram, chartIds, foldEvents, guardLines, internalGroups, wrap } from '../../src/devtools/diagram/graph.js';
import { drawDiagram, svgElement, svgMarkup, type SvgElement } from '../../src/devtools/diagram/svg.js';
import { sessionMachine } from '../../src/machines/index.js';

const chart = describeChart(sessionMachine);

async function laidOut() {
  const diagram = chartDiagram(chart);
  return { diagram, graph: await new ELK.default().layout(diagram.graph) };
}

/** Every element of a drawing, depth first. */
function elements(element: SvgElement): SvgElement[] {
  return [element, ...element.children.flatMap((child) => (typeof child === 'string' ? [] : elements(child)))];
}

describe('the diagram of the chart', () => {
  it('gives every state and every transition of the machine an id', () => {
    const ids = chartIds(chart);
    expect(ids.states).toEqual(allStates(chart).map((s) => s.id));
    const total = allStates(chart).reduce((n, s) => n + s.transitions.length, 0);
    expect(ids.transitions).toHaveLength(total);
    expect(new Set(ids.transitions).size).toBe(total);
    expect(ids.transitions).toContain('session.streaming#9');
  });

  it('draws each transition once: as an arrow when it changes state, written in its box when it stays', () => {
    const diagram = chartDiagram(chart);
    const arrows = Object.values(diagram.edges).flatMap((edge) => edge.transitionIds);
    const written = Object.values(diagram.boxes).flatMap((box) => box.internal.flatMap((group) => group.transitionIds));
    expect([...arrows, ...written].sort()).toEqual([...chartIds(chart).transitions].sort());
    const targeted = allStates(chart).flatMap((s) => s.transitions.filter((t) => t.targets.length > 0));
    expect(arrows).toHaveLength(targeted.length);
    // The transitions of the whole chart (CLOSE, a final close) leave from a marker inside it.
    expect(diagram.boxes['anywhere:session']?.title).toBe('any state');
    expect(Object.values(diagram.edges).filter((e) => e.kind === 'initial')).toHaveLength(3);
  });

  it('lays the chart out with ELK as nested boxes, in the order the chart declares its states', async () => {
    const { graph } = await laidOut();
    const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
    const visit = (node: typeof graph) => {
      boxes.set(node.id, { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 });
      node.children?.forEach(visit);
    };
    visit(graph);
    for (const state of allStates(chart)) {
      const box = boxes.get(state.id);
      expect(box, state.id).toBeDefined();
      for (const child of state.states) {
        const inner = boxes.get(child.id);
        if (!box || !inner) throw new Error(`no box for ${child.id}`);
        expect(inner.x).toBeGreaterThanOrEqual(box.x);
        expect(inner.y).toBeGreaterThanOrEqual(box.y);
        expect(inner.x + inner.width).toBeLessThanOrEqual(box.x + box.width);
        expect(inner.y + inner.height).toBeLessThanOrEqual(box.y + box.height);
      }
    }
    const top = (id: string) => boxes.get(id)?.y ?? Number.NaN;
    expect(top('session.idle')).toBeLessThan(top('session.streaming'));
    expect(top('session.streaming')).toBeLessThan(top('session.awaitingToolResponse'));
    expect(top('session.awaitingToolResponse')).toBeLessThan(top('session.closed'));
  });

  it('draws every state and transition into the SVG, with ids a page can highlight', async () => {
    const { diagram, graph } = await laidOut();
    const drawing = drawDiagram(diagram, graph);
    const all = elements(drawing);
    const stateIds = all.map((e) => e.attrs['data-state-id']).filter((id) => id !== undefined);
    expect(stateIds.sort()).toEqual([...chartIds(chart).states].sort());
    const drawn = all.flatMap((e) => String(e.attrs['data-transition-ids'] ?? '').split(' ').filter(Boolean));
    expect(new Set(drawn)).toEqual(new Set(chartIds(chart).transitions));
    const arrows = all.filter((e) => e.attrs['class'] === 'transition');
    expect(arrows.every((arrow) => arrow.children.some((c) => typeof c !== 'string' && c.tag === 'path'))).toBe(true);
    const markup = svgMarkup(drawing);
    expect(markup).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(markup).not.toMatch(/(href|src)=/);
    expect(markup).toContain('>server.{toolCall, toolCallCancellation,</tspan>');
    expect(markup).toContain('>[hasBlockingCallsPending]</tspan>');
  });

  it('writes in-state transitions compactly, and labels narrowly', () => {
    expect(foldEvents(['input.audio', 'input.video', 'server.content', 'CLOSE'])).toEqual(['input.{audio, video}', 'server.content', 'CLOSE']);
    expect(wrap('aaaa, bbbb, cccc', 11)).toEqual(['aaaa, bbbb,', '  cccc']);
    expect(guardLines('a and (not b) or c')).toEqual(['[a', ' and (not b)', ' or c]']);
    expect(guardLines(undefined)).toEqual([]);
    const gated = allStates(chart).find((s) => s.key === 'awaitingToolResponse');
    if (!gated) throw new Error('no awaitingToolResponse');
    const lines = internalGroups(gated).map((g) => g.lines.join(' '));
    expect(lines[0]).toContain('input.{audio, video, text,');
    expect(lines[0]).toContain('[bufferWhileGated] · [else]');
    expect(internalGroups(gated).flatMap((g) => g.transitionIds)).toContain('session.awaitingToolResponse#0');
  });

  it('escapes text in the markup', () => {
    expect(svgMarkup(svgElement('text', { x: 1, 'data-x': 'a"b' }, ['<&>']))).toBe('<text x="1" data-x="a&#34;b">&#60;&#38;&#62;</text>');
  });

  it('knows which drawn transition XState took', () => {
    const taken: (string | undefined)[] = [];
    const inspect = (event: InspectionEvent) => {
      if (event.type === '@xstate.microstep') taken.push(...event._transitions.map(transitionIdOf));
    };
    const actor = createActor(sessionMachine, { input: {}, inspect });
    actor.start();
    actor.send({ type: 'CLOSE' });
    expect(taken).toEqual(['session#0']);
    expect(chart.transitions[0]).toMatchObject({ event: 'CLOSE', targets: ['session.closed'] });
    expect(transitionIdOf({})).toBeUndefined();
    expect(transitionIdOf(null)).toBeUndefined();
  });
});
