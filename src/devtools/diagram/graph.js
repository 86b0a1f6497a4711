// @ts-check
/**
 * The statechart as a graph for ELK (elkjs) to lay out: states as nested boxes, every transition
 * that changes state as an edge labelled `event` and `[guard]`, and, written inside each box, the
 * transitions that stay in it. The inspector page runs this very file in the browser, and
 * `scripts/statechart-docs.ts` runs it in Node, so the page and docs/statechart.md draw one layout.
 *
 * Plain JavaScript, type-checked through its JSDoc: a browser can load it as it is, with no build.
 * Text is measured with fixed character widths (the diagram is drawn in a monospace font), so the
 * layout comes out the same wherever it runs.
 */

/** @typedef {import('../chart.js').ChartState} ChartState */
/** @typedef {import('../chart.js').ChartTransition} ChartTransition */

/** @typedef {import('elkjs/lib/elk-api.js').ElkNode} ElkGraphNode a graph in ELK's JSON format */
/** @typedef {import('elkjs/lib/elk-api.js').ElkExtendedEdge} ElkGraphEdge */

/**
 * What a box of the diagram stands for.
 * @typedef {object} BoxInfo
 * @property {'state' | 'initial' | 'anywhere'} kind
 * @property {string} stateId the state it is (or, for `initial` and `anywhere`, the state it marks)
 * @property {string} title
 * @property {ChartState['type']} type
 * @property {InternalGroup[]} internal the transitions that stay in the state, written in its box
 */

/**
 * Transitions that stay in their state, written as one item of text (wrapped to lines).
 * @typedef {object} InternalGroup
 * @property {string[]} lines
 * @property {string[]} transitionIds
 * @property {string} title what each transition does: its event, guard and actions
 */

/**
 * What an edge of the diagram stands for.
 * @typedef {object} EdgeInfo
 * @property {'transition' | 'initial'} kind
 * @property {string[]} transitionIds
 * @property {string[]} lines its label, one line per item
 * @property {string} title
 */

/**
 * The graph to lay out, and what each of its boxes and edges means.
 * @typedef {object} Diagram
 * @property {ElkGraphNode} graph
 * @property {Record<string, BoxInfo>} boxes by ELK node id
 * @property {Record<string, EdgeInfo>} edges by ELK edge id
 */

/** Width of one character of diagram text (12 px monospace), and of a title (13 px bold). */
export const CHAR_WIDTH = 7.3;
export const TITLE_CHAR_WIDTH = 8;
/** Height of a line of text, and of a box's title row. */
export const LINE_HEIGHT = 15;
export const TITLE_HEIGHT = 26;
/** Inner margin of a box. */
export const PADDING = 10;
/** Lines of in-state transitions are wrapped at this many characters. */
const WRAP = 46;

/** ELK's options for the whole graph: layered, top to bottom, edges routed across nesting. */
export const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.edgeEdge': '14',
  'elk.layered.spacing.edgeNodeBetweenLayers': '18',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};

/**
 * The id of a transition: its state's id and its place among that state's transitions
 * (`session.streaming#9`), in the order {@link describeChart} lists them.
 * @param {string} stateId
 * @param {number} index
 * @returns {string}
 */
export function transitionId(stateId, index) {
  return `${stateId}#${index}`;
}

/**
 * Every state and transition of a chart, with the ids the diagram gives them.
 * @param {ChartState} chart
 * @returns {{ states: string[], transitions: string[] }}
 */
export function chartIds(chart) {
  /** @type {string[]} */
  const states = [];
  /** @type {string[]} */
  const transitions = [];
  /** @param {ChartState} state */
  const visit = (state) => {
    states.push(state.id);
    state.transitions.forEach((_, index) => transitions.push(transitionId(state.id, index)));
    state.states.forEach(visit);
  };
  visit(chart);
  return { states, transitions };
}

/**
 * `input.audio, input.video, server.content` → `input.{audio, video}, server.content`.
 * @param {string[]} events
 * @returns {string[]}
 */
export function foldEvents(events) {
  /** @type {Map<string, string[]>} */
  const byFamily = new Map();
  for (const event of events) {
    const dot = event.indexOf('.');
    const family = dot > 0 ? event.slice(0, dot) : event;
    const members = byFamily.get(family) ?? [];
    members.push(event);
    byFamily.set(family, members);
  }
  return [...byFamily].map(([family, members]) =>
    members.length > 1 ? `${family}.{${members.map((e) => e.slice(family.length + 1)).join(', ')}}` : /** @type {string} */ (members[0]),
  );
}

/**
 * Words wrapped to lines of at most `width` characters, broken after `, ` or ` · `.
 * @param {string} text
 * @param {number} width
 * @returns {string[]}
 */
export function wrap(text, width) {
  const pieces = text.split(/(?<=, |· )/);
  /** @type {string[]} */
  const lines = [];
  let line = '';
  for (const piece of pieces) {
    if (line.length > 0 && (line + piece).trimEnd().length > width) {
      lines.push(line.trimEnd());
      line = `  ${piece}`;
    } else {
      line += piece;
    }
  }
  if (line.trim().length > 0) lines.push(line.trimEnd());
  return lines;
}

/**
 * A transition written out for a tooltip: `event [guard] → target / actions`.
 * @param {ChartTransition} t
 * @returns {string}
 */
export function describeTransition(t) {
  const guard = t.guard ? ` [${t.guard}]` : '';
  const target = t.targets.length > 0 ? ` → ${t.targets.map(shortId).join(', ')}` : '';
  const actions = t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : '';
  return `${t.event}${guard}${target}${actions}`;
}

/**
 * `session.idle.connecting` → `idle.connecting`.
 * @param {string} id
 * @returns {string}
 */
export function shortId(id) {
  const dot = id.indexOf('.');
  return dot > 0 ? id.slice(dot + 1) : id;
}

/**
 * The transitions that stay in a state, grouped: events with the same list of guards share an
 * item, written `events: [guard] · [else]` (or just the events when none is guarded).
 * @param {ChartState} state
 * @returns {InternalGroup[]}
 */
export function internalGroups(state) {
  /** @type {Map<string, { guards: string[], ids: string[], titles: string[] }>} */
  const byEvent = new Map();
  state.transitions.forEach((t, index) => {
    if (t.targets.length > 0) return;
    const entry = byEvent.get(t.event) ?? { guards: [], ids: [], titles: [] };
    entry.guards.push(t.guard ? `[${t.guard}]` : '[else]');
    entry.ids.push(transitionId(state.id, index));
    entry.titles.push(describeTransition(t));
    byEvent.set(t.event, entry);
  });
  /** @type {Map<string, { events: string[], ids: string[], titles: string[] }>} */
  const bySignature = new Map();
  for (const [event, entry] of byEvent) {
    const signature = entry.guards.length === 1 && entry.guards[0] === '[else]' ? '' : entry.guards.join(' · ');
    const group = bySignature.get(signature) ?? { events: [], ids: [], titles: [] };
    group.events.push(event);
    group.ids.push(...entry.ids);
    group.titles.push(...entry.titles);
    bySignature.set(signature, group);
  }
  return [...bySignature].map(([signature, group]) => {
    const events = foldEvents(group.events).join(', ');
    return {
      lines: wrap(signature ? `${events}: ${signature}` : events, WRAP),
      transitionIds: group.ids,
      title: group.titles.join('\n'),
    };
  });
}

/**
 * A guard as label lines, `[a and b]` broken before each `and` / `or` so that labels stay narrow.
 * @param {string | undefined} guard
 * @returns {string[]}
 */
export function guardLines(guard) {
  if (!guard) return [];
  const parts = `[${guard}]`.split(/ (?=(?:and|or) )/);
  return parts.map((part, i) => (i === 0 ? part : ` ${part}`));
}

/**
 * @param {string[]} lines
 * @param {number} charWidth
 * @returns {number}
 */
function textWidth(lines, charWidth) {
  return Math.ceil(Math.max(0, ...lines.map((line) => line.length)) * charWidth);
}

/**
 * The diagram of a chart, ready for `new ELK().layout(diagram.graph)`.
 * @param {ChartState} chart
 * @returns {Diagram}
 * @example
 * const diagram = chartDiagram(describeChart(sessionMachine));
 * const drawing = drawDiagram(diagram, await new ELK().layout(diagram.graph));
 */
export function chartDiagram(chart) {
  /** @type {Record<string, BoxInfo>} */
  const boxes = {};
  /** @type {Record<string, EdgeInfo>} */
  const edges = {};
  /** @type {ElkGraphEdge[]} */
  const edgeList = [];
  // Where each state comes in the chart's own order (depth first, as declared).
  const order = new Map(chartIds(chart).states.map((id, index) => [id, index]));

  /**
   * @param {string} id
   * @param {string} source
   * @param {string} target
   * @param {EdgeInfo} info
   */
  const addEdge = (id, source, target, info) => {
    edges[id] = info;
    const from = order.get(boxes[source]?.stateId ?? source) ?? 0;
    const forward = (order.get(target) ?? 0) > from;
    /** @type {ElkGraphEdge} */
    const edge = {
      id,
      sources: [source],
      targets: [target],
      // Edges that follow the chart's order point down; the others (back to streaming, retries)
      // are the ones turned round to break cycles. So the states read top to bottom as declared.
      layoutOptions: { 'elk.layered.priority.direction': forward ? '10' : '0' },
    };
    if (info.lines.length > 0) {
      edge.labels = [{ text: info.lines.join('\n'), width: textWidth(info.lines, CHAR_WIDTH) + 6, height: info.lines.length * LINE_HEIGHT }];
    }
    edgeList.push(edge);
  };

  /**
   * @param {ChartState} state
   * @returns {ElkGraphNode}
   */
  const node = (state) => {
    const internal = internalGroups(state);
    const lines = internal.flatMap((group) => group.lines);
    boxes[state.id] = { kind: 'state', stateId: state.id, title: state.key, type: state.type, internal };
    const width = Math.max(textWidth([state.key], TITLE_CHAR_WIDTH), textWidth(lines, CHAR_WIDTH)) + 2 * PADDING;
    const height = TITLE_HEIGHT + lines.length * LINE_HEIGHT + (lines.length > 0 ? PADDING : 0);
    if (state.states.length === 0) return { id: state.id, width, height: Math.max(height, 40) };

    /** @type {ElkGraphNode[]} */
    const children = [];
    if (state.initial) {
      const id = `initial:${state.id}`;
      boxes[id] = { kind: 'initial', stateId: state.id, title: '', type: state.type, internal: [] };
      children.push({ id, width: 12, height: 12 });
      addEdge(`${id}->`, id, state.initial, { kind: 'initial', transitionIds: [], lines: [], title: `initial state of ${state.key}` });
    }
    // A compound state's own transitions leave from a marker inside it: from any of its states.
    if (state.transitions.some((t) => t.targets.length > 0)) {
      const id = `anywhere:${state.id}`;
      const title = state.id === chart.id ? 'any state' : `any state of ${state.key}`;
      boxes[id] = { kind: 'anywhere', stateId: state.id, title, type: state.type, internal: [] };
      children.push({ id, width: textWidth([title], CHAR_WIDTH) + 16, height: 22 });
    }
    children.push(...state.states.map(node));
    const top = height + 6;
    return {
      id: state.id,
      // ELK lays out each level of nesting with that level's own options.
      layoutOptions: {
        ...LAYOUT_OPTIONS,
        'elk.padding': `[top=${top},left=14,bottom=14,right=14]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${width}, ${top + 20})`,
      },
      children,
    };
  };

  const root = node(chart);
  /** @param {ChartState} state */
  const visit = (state) => {
    state.transitions.forEach((t, index) => {
      const source = state.states.length > 0 ? `anywhere:${state.id}` : state.id;
      t.targets.forEach((target, n) => {
        const id = transitionId(state.id, index);
        const lines = [t.event, ...guardLines(t.guard)];
        addEdge(`${id}>${n}`, source, target, { kind: 'transition', transitionIds: [id], lines, title: describeTransition(t) });
      });
    });
    state.states.forEach(visit);
  };
  visit(chart);

  const graph = { id: 'diagram', layoutOptions: { ...LAYOUT_OPTIONS }, children: [root], edges: edgeList };
  return { graph, boxes, edges };
}
