/**
 * The gateway's browser page, bundled with esbuild (the library's microphone capture and audio
 * player come along) into the gitignored `test-artifacts/`.
 */
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const here = join(import.meta.dirname, 'page');

/** Where the page is built by default. */
export const DEFAULT_PAGE_DIR = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'gateway-page');

/** Bundles `page/main.ts` and copies `page/index.html` into `outDir`; returns it. */
export async function buildPage(outDir = DEFAULT_PAGE_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  await writeFile(join(outDir, 'index.html'), await readFile(join(here, 'index.html')));
  return outDir;
}
