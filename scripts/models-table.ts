/**
 * Writes the README's table of the models (what the session does on each) from the profile table
 * itself (`src/models/profiles.ts`), between the markers `<!-- models-table:start -->` and
 * `<!-- models-table:end -->`. `test/unit/readmeModels.test.ts` fails when the README's table is
 * not the one this writes, and checks it against the profiles on its own.
 *
 *   npm run docs:models
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CONSERVATIVE_PROFILE, MODEL_PROFILES, type ModelProfile, type RefusedField, type ToolBehavior } from '../src/models/profiles.js';

/** The command the test's failure message names. */
export const MODELS_TABLE_COMMAND = 'npm run docs:models';
/** The file the table lives in. */
export const README_FILE = resolve(import.meta.dirname, '..', 'README.md');
export const TABLE_START = '<!-- models-table:start -->';
export const TABLE_END = '<!-- models-table:end -->';

/** The table's columns, in order; the test reads the rows by them. */
export const MODELS_TABLE_COLUMNS = [
  'model (name starts with)',
  'a tool without `behavior` is',
  'tools it takes',
  'realtime input during a BLOCKING call',
  '`whileBlockingCall`',
  'refused by `connect()`, before any socket',
  'the model is idle on',
] as const;

const OTHER_MODELS = 'any other model';

function behaviors(profile: ModelProfile): string {
  if (profile.toolBehaviors.length === 0) return 'none';
  if (profile.toolBehaviors.length === 1) return `${profile.toolBehaviors[0]} only`;
  return profile.toolBehaviors.join(', ');
}

function defaultBehavior(profile: ModelProfile, other: boolean): string {
  if (profile.toolBehaviors.length === 0) return '—';
  return other ? `${profile.defaultBehavior} (the conservative profile; an \`info\` event UNKNOWN_MODEL says so)` : profile.defaultBehavior;
}

function inputDuringBlockingCall(profile: ModelProfile): string {
  if (profile.toolBehaviors.length === 0) return '— (no tools)';
  if (!profile.toolBehaviors.includes('BLOCKING')) return '— (no BLOCKING tool)';
  if (profile.inputDuringBlockingCall === 'closes1008') return 'closes the socket with 1008: the gate holds it';
  return "cancels the call: held under `'gate'`; under `'interrupt'` it goes out, and the call's signal fires, `toolCancelled` has `implicit: true`, no answer is sent";
}

function whileBlockingCall(profile: ModelProfile): string {
  return profile.inputDuringBlockingCall === 'cancelsCall' ? "`'gate'` (default) or `'interrupt'`" : "`'gate'` only (`'interrupt'` is refused: it would be a 1008)";
}

function refused(profile: ModelProfile): string {
  const refusals: string[] = [];
  if (profile.toolBehaviors.length === 0) refusals.push('any tool');
  else {
    const notTaken = (['BLOCKING', 'NON_BLOCKING'] as const).filter((behavior: ToolBehavior) => !profile.toolBehaviors.includes(behavior));
    refusals.push(...notTaken.map((behavior) => `a ${behavior} tool`));
  }
  if (!profile.systemInstruction) refusals.push('`systemInstruction`');
  refusals.push(...profile.refusedFields.map((field) => `\`${field.path}${refusedValue(field)}\` (${field.why})`));
  return refusals.length === 0 ? 'nothing' : refusals.join('; ');
}

/** `: false` or `: true` for a field refused with that value only (found by asking it); nothing for any value. */
function refusedValue(field: RefusedField): string {
  if (!field.refuses) return '';
  const [onFalse, onTrue] = [field.refuses(false), field.refuses(true)];
  if (onFalse && !onTrue) return ': false';
  if (onTrue && !onFalse) return ': true';
  return '';
}

function idleOn(profile: ModelProfile): string {
  return profile.reportsInteractionStatus ? '`interactionStatus: IDLE` (not `turnComplete`)' : '`turnComplete`';
}

function row(names: string, profile: ModelProfile, other = false): string {
  const cells = [names, defaultBehavior(profile, other), behaviors(profile), inputDuringBlockingCall(profile), whileBlockingCall(profile), refused(profile), idleOn(profile)];
  return `| ${cells.join(' | ')} |`;
}

/** The known profiles, each with the name prefixes that lead to it, in the table's order (most specific first). */
export function profilesByPrefix(): { prefixes: string[]; profile: ModelProfile }[] {
  const groups: { prefixes: string[]; profile: ModelProfile }[] = [];
  for (const [prefix, profile] of MODEL_PROFILES) {
    const group = groups.find((candidate) => candidate.profile === profile);
    if (group) group.prefixes.push(prefix);
    else groups.push({ prefixes: [prefix], profile });
  }
  return groups;
}

/** The Markdown table, as the profiles stand now. */
export function modelsTable(): string {
  const lines = [`| ${MODELS_TABLE_COLUMNS.join(' | ')} |`, `|${MODELS_TABLE_COLUMNS.map(() => '---').join('|')}|`];
  for (const { prefixes, profile } of profilesByPrefix()) lines.push(row(prefixes.map((prefix) => `\`${prefix}\``).join(', '), profile));
  lines.push(row(OTHER_MODELS, CONSERVATIVE_PROFILE, true));
  return lines.join('\n');
}

/** `readme` with the table between its markers replaced by {@link modelsTable}. */
export function withModelsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${modelsTable()}\n${readme.slice(end)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await writeFile(README_FILE, withModelsTable(await readFile(README_FILE, 'utf8')));
  console.log(`wrote the models table into ${README_FILE}`);
}
