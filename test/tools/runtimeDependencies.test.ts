/**
 * Schema libraries are the application's: no zod, valibot or arktype in what the library loads
 * (the main entry and `gemini-live-fsm/tools`, bundled for the browser), nor among its
 * dependencies. The JSON Schema validator is the one runtime addition.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const SCHEMA_LIBRARIES = /node_modules\/(zod|valibot|arktype|@valibot|@ark|json-schema-to-ts)\//;

/** The packages a browser bundle of an entry takes its code from. */
async function packagesIn(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [resolve(root, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
  });
  const packages = Object.keys(metafile.inputs)
    .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(packages)].sort();
}

describe('runtime dependencies', () => {
  it.each(['src/index.ts', 'src/tools/index.ts'])('%s bundles no schema library', async (entry) => {
    const packages = await packagesIn(entry);
    expect(packages).toContain('@cfworker/json-schema');
    expect(packages.filter((name) => SCHEMA_LIBRARIES.test(`node_modules/${name}/`))).toEqual([]);
  });

  it('package.json depends on no schema library', () => {
    const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const runtime = [...Object.keys(manifest['dependencies'] ?? {}), ...Object.keys(manifest['peerDependencies'] ?? {})];
    expect(runtime.filter((name) => SCHEMA_LIBRARIES.test(`node_modules/${name}/`))).toEqual([]);
    expect(Object.keys(manifest['devDependencies'] ?? {})).toEqual(expect.arrayContaining(['zod', 'valibot', 'arktype', '@valibot/to-json-schema']));
  });
});
