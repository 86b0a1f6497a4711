// @ts-check
/**
 * The statechart panel of the inspector page: lays the chart out with ELK (elkjs, loaded by the
 * page from the inspector server as `/vendor/elk.bundled.js`, so no network is needed), draws it
 * with the same renderer as docs/statechart.md, and highlights a moment of the session on it: the
 * active states, the transition that last changed the state, and what the latest event took.
 */
import { chartDiagram } from '../../diagram/graph.js';
import { drawDiagram } from '../../diagram/svg.js';
import { el, svgNode } from './dom.js';

/** @typedef {import('../../chart.js').ChartState} ChartState */
/** @typedef {import('../model.js').InspectorFrame} InspectorFrame */
/** @typedef {import('../../diagram/graph.js').ElkGraphNode} ElkGraphNode */
/** @typedef {{ layout(graph: ElkGraphNode): Promise<ElkGraphNode> }} Elk */

/**
 * The layout engine the page's `<script src="/vendor/elk.bundled.js">` defined.
 * @returns {(new () => Elk) | undefined}
 */
function elkConstructor() {
  const scope = /** @type {{ ELK?: new () => Elk }} */ (/** @type {unknown} */ (globalThis));
  return scope.ELK;
}

/**
 * @typedef {object} ChartView
 * @property {Promise<void>} ready resolves once the chart is drawn
 * @property {(frame: InspectorFrame) => void} show highlights a moment of the session
 */

/**
 * Draws `chart` into `container`.
 * @param {HTMLElement} container
 * @param {ChartState} chart
 * @returns {ChartView}
 */
export function createChartView(container, chart) {
  /** @type {Map<string, Element>} */
  const states = new Map();
  /** @type {Map<string, Element[]>} */
  const transitions = new Map();
  /** @type {InspectorFrame | undefined} */
  let shown;

  const draw = async () => {
    const Elk = elkConstructor();
    if (!Elk) throw new Error('the layout library (elkjs) did not load');
    const diagram = chartDiagram(chart);
    const laidOut = await new Elk().layout(diagram.graph);
    const svg = svgNode(drawDiagram(diagram, laidOut));
    container.replaceChildren(svg);
    svg.querySelectorAll('[data-state-id]').forEach((node) => states.set(node.getAttribute('data-state-id') ?? '', node));
    svg.querySelectorAll('[data-transition-ids]').forEach((node) => {
      for (const id of (node.getAttribute('data-transition-ids') ?? '').split(' ')) {
        transitions.set(id, [...(transitions.get(id) ?? []), node]);
      }
    });
    container.setAttribute('data-layout', 'done');
    if (shown) show(shown);
  };

  /** @param {InspectorFrame} frame */
  const show = (frame) => {
    shown = frame;
    container.querySelectorAll('.active, .leaf, .last, .taken').forEach((node) => node.classList.remove('active', 'leaf', 'last', 'taken'));
    frame.activeIds.forEach((id, i) => {
      const node = states.get(id);
      node?.classList.add('active');
      if (i === frame.activeIds.length - 1) node?.classList.add('leaf');
    });
    for (const id of frame.lastTransition?.ids ?? []) {
      for (const node of transitions.get(id) ?? []) if (node.classList.contains('transition')) node.classList.add('last');
    }
    for (const id of frame.taken) for (const node of transitions.get(id) ?? []) node.classList.add('taken');
  };

  const ready = draw().catch((/** @type {unknown} */ error) => {
    container.setAttribute('data-layout', 'failed');
    container.replaceChildren(el('p', 'empty', `The chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`));
  });
  return { ready, show };
}
