/**
 * A Mermaid `stateDiagram-v2` of a chart: nested states, and every transition that changes state,
 * labelled with its event and guard. Transitions that stay in their state (counted drops,
 * buffering, bookkeeping) would turn the picture into a hairball; they are listed in a table
 * beside it instead.
 */
import { allStates, type ChartState, type ChartTransition } from './chart.js';

/** Mermaid ids: the state's key when it is unique in the chart, its path otherwise. */
function idsOf(chart: ChartState): Map<string, string> {
  const states = allStates(chart).slice(1);
  const keyCount = new Map<string, number>();
  for (const state of states) keyCount.set(state.key, (keyCount.get(state.key) ?? 0) + 1);
  const ids = new Map<string, string>();
  for (const state of states) {
    const unique = keyCount.get(state.key) === 1 && /^[A-Za-z_][\w]*$/.test(state.key);
    ids.set(state.id, unique ? state.key : state.id.split('.').slice(1).join('_').replace(/\W/g, '_'));
  }
  return ids;
}

function label(transition: ChartTransition): string {
  const text = transition.guard ? `${transition.event} [${transition.guard}]` : transition.event;
  // A colon or semicolon would end the label early in Mermaid's grammar.
  return text.replace(/[:;]/g, ' ');
}

/**
 * The chart as a Mermaid `stateDiagram-v2`.
 *
 * @example
 * ```ts
 * const diagram = toMermaid(describeChart(sessionMachine));
 * ```
 */
export function toMermaid(chart: ChartState): string {
  const ids = idsOf(chart);
  const id = (stateId: string) => ids.get(stateId) ?? stateId;
  const lines = ['stateDiagram-v2'];

  const declare = (state: ChartState, indent: string) => {
    if (state.states.length === 0) {
      lines.push(`${indent}state "${state.key}" as ${id(state.id)}`);
      return;
    }
    lines.push(`${indent}state ${id(state.id)} {`);
    if (state.initial) lines.push(`${indent}  [*] --> ${id(state.initial)}`);
    for (const child of state.states) declare(child, `${indent}  `);
    lines.push(`${indent}}`);
  };

  if (chart.initial) lines.push(`  [*] --> ${id(chart.initial)}`);
  for (const state of chart.states) declare(state, '  ');

  // Transitions are declared at the top level, after every state, so that Mermaid never mistakes
  // a target in another composite state for a new state of its own.
  for (const state of allStates(chart).slice(1)) {
    for (const transition of state.transitions) {
      for (const target of transition.targets) lines.push(`  ${id(state.id)} --> ${id(target)} : ${label(transition)}`);
    }
    if (state.type === 'final') lines.push(`  ${id(state.id)} --> [*]`);
  }
  const fromAnywhere = chart.transitions.filter((t) => t.targets.length > 0);
  for (const target of new Set(fromAnywhere.flatMap((t) => t.targets))) {
    const events = fromAnywhere.filter((t) => t.targets.includes(target)).map(label);
    lines.push(`  note right of ${id(target)}`, `    from any state: ${events.join(', ')}`, '  end note');
  }
  return `${lines.join('\n')}\n`;
}

/** The events a state handles without leaving it, with the `input.*` family folded. */
export function staysOn(state: ChartState): string[] {
  const events = [...new Set(state.transitions.filter((t) => t.targets.length === 0).map((t) => t.event))];
  const inputs = events.filter((e) => e.startsWith('input.'));
  const rest = events.filter((e) => !e.startsWith('input.'));
  return inputs.length > 1 ? [`input.* (${inputs.length})`, ...rest] : [...inputs, ...rest];
}

/**
 * The whole `docs/statechart.md`: the drawing (`svgFile`, an image beside it, when given), the
 * Mermaid diagram and the table of events handled in place. `scripts/statechart-docs.ts` writes
 * it; a test checks that it matches the machine.
 */
export function statechartMarkdown(chart: ChartState, command: string, svgFile?: string): string {
  const rows = allStates(chart)
    .filter((state) => staysOn(state).length > 0)
    .map((state) => {
      const name = state.id === chart.id ? `${state.id} (every state)` : state.id.split('.').slice(1).join('.');
      return `| \`${name}\` | ${staysOn(state).map((e) => `\`${e}\``).join(', ')} |`;
    });
  const drawing = svgFile
    ? [
        `![The session statechart: states as nested boxes, transitions as labelled arrows](${svgFile})`,
        '',
        `[\`${svgFile}\`](${svgFile}) is laid out by elkjs and drawn by the renderer the offline inspector`,
        'page uses, so it is the picture the page shows. Each arrow is a transition that changes state,',
        'labelled with its event and `[guard]`; the lines written inside a box are the transitions that',
        'stay in that state (`[else]` is the unguarded fallback); a dot marks the initial state; `any',
        'state` is where the transitions that apply in every state leave from.',
        '',
        'The same chart as Mermaid source:',
        '',
      ]
    : [];
  return [
    '# The session statechart',
    '',
    `Generated from \`sessionMachine\` by \`${command}\`; do not edit by hand. A test fails when this`,
    'file and the machine disagree. Every transition that changes state is drawn, labelled',
    '`event [guard]`; `always` transitions are taken as soon as their guard holds, `after X` ones when',
    'the delay `X` has passed.',
    '',
    ...drawing,
    '```mermaid',
    toMermaid(chart).trimEnd(),
    '```',
    '',
    '## Handled without a change of state',
    '',
    'Each of these events runs actions (forward, drop and count, buffer, record, ignore a stale',
    'connection\u2019s event) and leaves the state as it was. A state also handles those of its ancestors.',
    '',
    '| state | events |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}
