import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** Bundles an entry for the browser and returns the Node built-ins it reached for, by importer. */
async function nodeImportsOf(entry: string): Promise<string[]> {
  const found: string[] = [];
  const catchBuiltins: Plugin = {
    name: 'catch-node-builtins',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, (args) => {
        if (!nodeBuiltins.has(args.path) && !args.path.startsWith('node:')) return undefined;
        found.push(`${args.path} (imported by ${args.importer.replace(`${root}/`, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  await build({
    entryPoints: [resolve(root, entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
    plugins: [catchBuiltins],
  });
  return found;
}

describe('browser builds', () => {
  it('the main entry bundles for the browser with no Node built-in', async () => {
    expect(await nodeImportsOf('src/index.ts')).toEqual([]);
  });

  it('the audio entry too: the players (the Node one writes to any stream) and the browser mic', async () => {
    expect(await nodeImportsOf('src/audio/index.ts')).toEqual([]);
  });

  it('the browser devtools entry too (the inspector server is left out of it)', async () => {
    expect(await nodeImportsOf('src/devtools/browser.ts')).toEqual([]);
  });

  it('the audio entry too, and it leaves the detectors\' optional packages out (an app that uses one imports it itself)', async () => {
    expect(await nodeImportsOf('src/audio/index.ts')).toEqual([]);
    const { metafile } = await build({
      entryPoints: [resolve(root, 'src/audio/index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('src/audio/vad/webrtc.ts');
    expect(inputs.filter((input) => /fvad-wasm|onnxruntime|vad-web/.test(input))).toEqual([]);
  });

  it('and the check would see one: the Node devtools entry serves pages with node:http', async () => {
    expect(await nodeImportsOf('src/devtools/index.ts')).toContainEqual(expect.stringMatching(/^node:http /));
  });
});
