/**
 * Writes docs/statechart.md and docs/statechart.svg from `sessionMachine` itself: the SVG is the
 * chart laid out by elkjs and drawn by the same renderer as the inspector page
 * (src/devtools/diagram), the Markdown shows it beside the chart's Mermaid source.
 * `test/devtools/chart.test.ts` fails when either file is out of date.
 *
 *   npm run docs:statechart
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import elk from 'elkjs/lib/elk.bundled.js';
import { describeChart, statechartMarkdown } from '../src/devtools/browser.js';
import { chartDiagram } from '../src/devtools/diagram/graph.js';
import { drawDiagram, svgMarkup } from '../src/devtools/diagram/svg.js';
import { sessionMachine } from '../src/machines/session.machine.js';

/** The command the generated files name, and the test's failure message repeats. */
export const STATECHART_COMMAND = 'npm run docs:statechart';
/** Where the Markdown lives. */
export const STATECHART_FILE = resolve(import.meta.dirname, '..', 'docs', 'statechart.md');
/** Where the drawing lives, beside it. */
export const STATECHART_SVG_FILE = resolve(import.meta.dirname, '..', 'docs', 'statechart.svg');

/** The Markdown, as the machine stands now. */
export function statechartDoc(): string {
  return statechartMarkdown(describeChart(sessionMachine), STATECHART_COMMAND, 'statechart.svg');
}

/** The drawing, as the machine stands now: laid out by elkjs as the inspector page lays it out. */
export async function statechartSvg(): Promise<string> {
  const diagram = chartDiagram(describeChart(sessionMachine));
  // A CommonJS module: its `default` is the constructor itself, as the typings say.
  const laidOut = await new elk.default().layout(diagram.graph);
  return `${svgMarkup(drawDiagram(diagram, laidOut))}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await writeFile(STATECHART_FILE, statechartDoc());
  await writeFile(STATECHART_SVG_FILE, await statechartSvg());
  console.log(`wrote ${STATECHART_FILE} and ${STATECHART_SVG_FILE}`);
}
