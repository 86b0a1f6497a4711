/**
 * Writes docs/statechart.md, a Mermaid diagram of the session statechart generated from
 * `sessionMachine` itself. `test/docs/statechart.test.ts` fails when the file is out of date.
 *
 *   npm run docs:statechart
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describeChart, statechartMarkdown } from '../src/devtools/browser.js';
import { sessionMachine } from '../src/machines/session.machine.js';

/** The command the generated file names, and the test's failure message repeats. */
export const STATECHART_COMMAND = 'npm run docs:statechart';
/** Where the diagram lives. */
export const STATECHART_FILE = resolve(import.meta.dirname, '..', 'docs', 'statechart.md');

/** The file's content, as the machine stands now. */
export function statechartDoc(): string {
  return statechartMarkdown(describeChart(sessionMachine), STATECHART_COMMAND);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await writeFile(STATECHART_FILE, statechartDoc());
  console.log(`wrote ${STATECHART_FILE}`);
}
