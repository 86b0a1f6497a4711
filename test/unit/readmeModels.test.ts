/**
 * The README states the truth about the models and the Node versions. Guards against drift: the
 * table of the models is the one `npm run docs:models` writes from `src/models/profiles.ts`; read
 * back on its own, each row says what the profile says and what a session on that model does (the
 * behaviour it declares, whether `'interrupt'` is refused, what `connect()` refuses); and the Node
 * line matches `engines` of this package and of each `@google/genai` major installed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_TABLE_COLUMNS, MODELS_TABLE_COMMAND, modelsTable, TABLE_END, TABLE_START } from '../../scripts/models-table.js';
import { createLiveSession, defineTool } from '../../src/index.js';
import { CONSERVATIVE_PROFILE, MODEL_PROFILES, resolveProfile, type ModelProfile } from '../../src/models/index.js';
import { ModelRefusalError } from '../../src/protocol/errors.js';
import { createScriptedTransport } from '../../src/testing/index.js';

const root = resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const json = (path: string) => JSON.parse(readFileSync(resolve(root, path), 'utf8')) as { engines?: { node?: string }; version: string };

/** The README's table, between its markers. */
function tableInReadme(): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  expect(start, `README.md needs ${TABLE_START} … ${TABLE_END}`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return readme.slice(start + TABLE_START.length, end).trim();
}

/** The table's rows as cells keyed by column. */
function rows(table: string): Record<(typeof MODELS_TABLE_COLUMNS)[number], string>[] {
  const [header, , ...body] = table.split('\n').map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  expect(header).toEqual([...MODELS_TABLE_COLUMNS]);
  return body.map((cells) => Object.fromEntries(MODELS_TABLE_COLUMNS.map((column, i) => [column, cells[i] ?? ''])) as Record<(typeof MODELS_TABLE_COLUMNS)[number], string>);
}

/** The names in backticks in a cell. */
const quoted = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');

/** What a row's cells must say for a profile: read the way a person reads them. */
function expectRowSays(row: ReturnType<typeof rows>[number], profile: ModelProfile) {
  const takesNone = row['tools it takes'] === 'none';
  const taken = takesNone ? [] : row['tools it takes'].replace(/ only$/, '').split(', ');
  expect(taken).toEqual([...profile.toolBehaviors]);
  if (profile.toolBehaviors.length > 0) expect(row['a tool without `behavior` is'].split(' ')[0]).toBe(profile.defaultBehavior);
  const input = row['realtime input during a BLOCKING call'];
  const blocking = profile.toolBehaviors.includes('BLOCKING');
  expect(input.includes('1008')).toBe(blocking && profile.inputDuringBlockingCall === 'closes1008');
  expect(input.includes('cancels the call')).toBe(blocking && profile.inputDuringBlockingCall === 'cancelsCall');
  expect(row['`whileBlockingCall`'].includes('refused')).toBe(profile.inputDuringBlockingCall === 'closes1008');
  const fields = quoted(row['refused by `connect()`, before any socket']).map((field) => field.replace(/: (true|false)$/, ''));
  expect(fields).toEqual([...(profile.systemInstruction ? [] : ['systemInstruction']), ...profile.refusedFields.map((field) => field.path)]);
  expect(row['the model is idle on'].includes('IDLE')).toBe(profile.reportsInteractionStatus);
}

/** What a session on `model` really does with a tool declared without behaviour. */
async function sessionOn(model: string) {
  const transport = createScriptedTransport();
  const tools = [defineTool({ name: 'lookup', execute: () => 'found' })];
  const session = createLiveSession({ transport, model, tools });
  const connected = await session.connect().then(
    () => undefined,
    (error: unknown) => error,
  );
  await session.close();
  const interruptRefused = (() => {
    try {
      createLiveSession({ transport: createScriptedTransport(), model, whileBlockingCall: 'interrupt' });
      return false;
    } catch {
      return true;
    }
  })();
  return { refusal: connected, declared: transport.connections[0]?.request.functionDeclarations[0]?.behavior, interruptRefused };
}

describe("README: each model's rules", () => {
  it(`is the table ${MODELS_TABLE_COMMAND} writes from the profiles`, () => {
    expect(tableInReadme(), `README.md's table of the models is out of date: run \`${MODELS_TABLE_COMMAND}\` and commit the result`).toBe(modelsTable());
  });

  it('names every model of the profile table once, and says of each what its profile says', () => {
    const table = rows(tableInReadme());
    const named = table.flatMap((row) => quoted(row['model (name starts with)']));
    expect(named.sort()).toEqual(MODEL_PROFILES.map(([prefix]) => prefix).sort());
    for (const row of table) {
      const names = quoted(row['model (name starts with)']);
      const profile = names.length === 0 ? CONSERVATIVE_PROFILE : resolveProfile(names[0]).profile;
      for (const name of names) expect(resolveProfile(name)).toMatchObject({ profile, source: 'table' });
      expectRowSays(row, profile);
    }
    expect(table.at(-1)?.['model (name starts with)']).toBe('any other model');
  });

  it('says what a session on each model does: the behaviour it declares, what it refuses', async () => {
    for (const row of rows(tableInReadme())) {
      const model = quoted(row['model (name starts with)'])[0] ?? 'gemini-9-live-experimental';
      const actual = await sessionOn(model);
      expect(actual.interruptRefused, model).toBe(row['`whileBlockingCall`'].includes('refused'));
      if (row['tools it takes'] === 'none') {
        expect(actual.refusal, model).toBeInstanceOf(ModelRefusalError);
        expect(row['refused by `connect()`, before any socket']).toContain('any tool');
        continue;
      }
      expect(actual.refusal, model).toBeUndefined();
      expect(actual.declared, model).toBe(row['a tool without `behavior` is'].split(' ')[0]);
    }
  });
});

describe('README: the Node versions', () => {
  /** The lowest version a `>=x.y.z` range allows, as [major, minor]. */
  const lowest = (range: string | undefined): [number, number] => {
    const match = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range ?? '');
    if (!match) throw new Error(`not a >= range: ${range}`);
    return [Number(match[1]), Number(match[2] ?? 0)];
  };
  const atLeast = (a: [number, number], b: [number, number]): [number, number] => (a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]) ? a : b);
  const spelled = ([major, minor]: [number, number]) => (minor === 0 ? `${major}` : `${major}.${minor}`);

  it("states the Node each SDK major needs, as this package's engines and the SDKs' own say", () => {
    const own = lowest(json('package.json').engines?.node);
    const sdk2 = json('node_modules/@google/genai/package.json');
    const sdk3 = json('node_modules/genai3/package.json');
    expect(sdk2.version).toMatch(/^2\./);
    expect(sdk3.version).toMatch(/^3\./);
    const withSdk2 = spelled(atLeast(own, lowest(sdk2.engines?.node)));
    const withSdk3 = spelled(atLeast(own, lowest(sdk3.engines?.node)));
    expect(readme).toContain(`Node ${withSdk2} or newer with \`@google/genai\` 2.x`);
    expect(readme).toContain(`Node ${withSdk3} or newer with 3.x`);
    expect([withSdk2, withSdk3]).toEqual(['20.19', '22']);
  });
});
