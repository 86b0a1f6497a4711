// @ts-check
/**
 * Draws a laid-out {@link Diagram} as SVG: as a tree of plain element objects, which the docs
 * script writes out as a string ({@link svgMarkup}) and the inspector page turns into DOM nodes
 * (so that nothing is ever parsed as HTML there). Both draw exactly this, from one layout.
 *
 * Every state's group carries `data-state-id`; every drawn transition carries
 * `data-transition-ids` (an arrow is one transition; a line written in a box may stand for
 * several), so a page can highlight them and a test can count them.
 */
import { LINE_HEIGHT, PADDING, TITLE_HEIGHT } from './graph.js';

/** @typedef {import('./graph.js').Diagram} Diagram */
/** @typedef {import('./graph.js').ElkGraphNode} ElkGraphNode */
/** @typedef {import('./graph.js').ElkGraphEdge} ElkGraphEdge */

/**
 * An SVG element as data.
 * @typedef {object} SvgElement
 * @property {string} tag
 * @property {Record<string, string | number>} attrs
 * @property {(SvgElement | string)[]} children text children are strings
 */

/** The colours of the drawing, also used by the page's stylesheet. */
export const COLOURS = {
  ink: '#1d2330',
  muted: '#5b6478',
  line: '#8a93a5',
  box: '#fafbfc',
  compound: '#f3f5f8',
  border: '#aab3c2',
  label: '#ffffff',
};

/** The drawing's font: monospace, so that the widths the layout assumed hold. */
export const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

/**
 * An SVG element as data; attributes that are `undefined` are left out.
 * @param {string} tag
 * @param {Record<string, string | number | undefined>} attrs
 * @param {(SvgElement | string)[]} [children]
 * @returns {SvgElement}
 * @example
 * svgMarkup(svgElement('text', { x: 1 }, ['idle'])); // '<text x="1">idle</text>'
 */
export function svgElement(tag, attrs, children = []) {
  /** @type {Record<string, string | number>} */
  const defined = {};
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined) defined[key] = value;
  return { tag, attrs: defined, children };
}

/** @param {number} n */
const round = (n) => Math.round(n * 10) / 10;

/**
 * @param {ElkGraphNode} node
 * @returns {ElkGraphNode[]} the node and everything in it, outermost first
 */
function nodesOf(node) {
  return [node, ...(node.children ?? []).flatMap(nodesOf)];
}

/**
 * Text lines as a `<text>` element with one `<tspan>` per line.
 * @param {string[]} lines
 * @param {number} x
 * @param {number} y baseline of the first line
 * @param {Record<string, string | number | undefined>} attrs
 * @param {string} [title]
 * @returns {SvgElement}
 */
function textLines(lines, x, y, attrs, title) {
  /** @type {SvgElement[]} */
  const children = title ? [svgElement('title', {}, [title])] : [];
  lines.forEach((line, i) => children.push(svgElement('tspan', { x: round(x), y: round(y + i * LINE_HEIGHT) }, [line])));
  return svgElement('text', attrs, children);
}

/**
 * The box of one state, with its title and the transitions that stay in it.
 * @param {Diagram} diagram
 * @param {ElkGraphNode} node
 * @returns {SvgElement | undefined}
 */
function drawBox(diagram, node) {
  const info = diagram.boxes[node.id];
  if (!info) return undefined;
  const x = node.x ?? 0;
  const y = node.y ?? 0;
  const width = node.width ?? 0;
  const height = node.height ?? 0;
  if (info.kind === 'initial') {
    return svgElement('circle', { class: 'initial', cx: round(x + width / 2), cy: round(y + height / 2), r: 6, fill: COLOURS.ink });
  }
  if (info.kind === 'anywhere') {
    return svgElement('g', { class: 'anywhere', 'data-anywhere': info.stateId }, [
      svgElement('rect', { x: round(x), y: round(y), width: round(width), height: round(height), rx: 11, fill: COLOURS.label, stroke: COLOURS.line, 'stroke-dasharray': '4 3' }),
      svgElement('text', { x: round(x + width / 2), y: round(y + height / 2 + 4), 'text-anchor': 'middle', fill: COLOURS.muted }, [info.title]),
    ]);
  }
  const compound = (node.children ?? []).length > 0;
  /** @type {SvgElement[]} */
  const parts = [
    svgElement('title', {}, [info.stateId]),
    svgElement('rect', {
      class: 'box',
      x: round(x),
      y: round(y),
      width: round(width),
      height: round(height),
      rx: 8,
      fill: compound ? COLOURS.compound : COLOURS.box,
      stroke: COLOURS.border,
      'stroke-width': 1.5,
    }),
  ];
  if (info.type === 'final') {
    parts.push(svgElement('rect', { class: 'final-ring', x: round(x + 3), y: round(y + 3), width: round(width - 6), height: round(height - 6), rx: 6, fill: 'none', stroke: COLOURS.border }));
  }
  parts.push(svgElement('text', { class: 'name', x: round(x + PADDING), y: round(y + 18), 'font-weight': 700, 'font-size': 13, fill: COLOURS.ink }, [info.title]));
  let lineY = y + TITLE_HEIGHT + 8;
  for (const group of info.internal) {
    parts.push(textLines(group.lines, x + PADDING, lineY, { class: 'internal', 'data-transition-ids': group.transitionIds.join(' '), fill: COLOURS.muted }, group.title));
    lineY += group.lines.length * LINE_HEIGHT;
  }
  return svgElement('g', { class: `state ${info.type}${compound ? ' compound' : ''}`, 'data-state-id': info.stateId }, parts);
}

/**
 * One edge: its path, arrowhead and label.
 * @param {Diagram} diagram
 * @param {ElkGraphEdge} edge
 * @returns {SvgElement | undefined}
 */
function drawEdge(diagram, edge) {
  const info = diagram.edges[edge.id];
  const section = edge.sections?.[0];
  if (!info || !section) return undefined;
  const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)} ${round(p.y)}`).join(' ');
  const path = svgElement('path', { class: 'wire', d, fill: 'none', stroke: COLOURS.line, 'stroke-width': 1.4, 'marker-end': 'url(#statechart-arrow)' });
  if (info.kind === 'initial') return svgElement('g', { class: 'initial-edge' }, [path]);
  /** @type {SvgElement[]} */
  const parts = [svgElement('title', {}, [info.title]), path];
  const label = edge.labels?.[0];
  if (label && label.x !== undefined && label.y !== undefined) {
    parts.push(svgElement('rect', { class: 'label-bg', x: round(label.x), y: round(label.y), width: label.width, height: label.height, rx: 3, fill: COLOURS.label, 'fill-opacity': 0.85 }));
    parts.push(textLines(info.lines, label.x + 3, label.y + LINE_HEIGHT - 4, { class: 'label', fill: COLOURS.ink }));
  }
  return svgElement('g', { class: 'transition', 'data-transition-ids': info.transitionIds.join(' ') }, parts);
}

/**
 * The whole drawing, from a diagram whose graph ELK has laid out.
 * @param {Diagram} diagram
 * @param {ElkGraphNode} laidOut what `elk.layout(diagram.graph)` resolved to
 * @param {string} [title] what the drawing shows, for screen readers and tooltips
 * @returns {SvgElement}
 */
export function drawDiagram(diagram, laidOut, title = 'The session statechart') {
  const width = Math.ceil(laidOut.width ?? 0);
  const height = Math.ceil(laidOut.height ?? 0);
  const marker = (/** @type {string} */ id, /** @type {string} */ fill) =>
    svgElement('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
      svgElement('path', { d: 'M0 0 L10 5 L0 10 z', fill }),
    ]);
  const boxes = nodesOf(laidOut).map((node) => drawBox(diagram, node));
  const edges = (laidOut.edges ?? []).map((edge) => drawEdge(diagram, edge));
  return svgElement(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'statechart',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      'font-family': FONT,
      'font-size': 12,
      role: 'img',
    },
    [
      svgElement('title', {}, [title]),
      // Opaque, so the drawing reads the same on a dark page.
      svgElement('rect', { class: 'background', width, height, fill: '#ffffff' }),
      svgElement('defs', {}, [marker('statechart-arrow', COLOURS.line), marker('statechart-arrow-hot', '#d9480f')]),
      svgElement('g', { class: 'boxes' }, boxes.filter((b) => b !== undefined)),
      svgElement('g', { class: 'edges' }, edges.filter((e) => e !== undefined)),
    ],
  );
}

/** @param {string} text */
function escapeXml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The SVG as markup, one element per line, for a file.
 * @param {SvgElement} element
 * @param {string} [indent]
 * @returns {string}
 */
export function svgMarkup(element, indent = '') {
  const attrs = Object.entries(element.attrs)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  if (element.children.length === 0) return `${indent}<${element.tag}${attrs}/>`;
  if (element.children.every((child) => typeof child === 'string')) {
    return `${indent}<${element.tag}${attrs}>${escapeXml(element.children.join(''))}</${element.tag}>`;
  }
  const inner = element.children.map((child) => (typeof child === 'string' ? `${indent}  ${escapeXml(child)}` : svgMarkup(child, `${indent}  `)));
  return [`${indent}<${element.tag}${attrs}>`, ...inner, `${indent}</${element.tag}>`].join('\n');
}
