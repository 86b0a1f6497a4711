/**
 * The files the inspector page is made of, each served from this package by a fixed path (no
 * path from a request ever reaches the file system): the page's ES modules, the diagram modules
 * it shares with the docs, its stylesheet, and elkjs's browser bundle for the layout. Node only.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { INSPECTOR_STYLE } from './style.js';

/** One file of the page. */
export interface PageAsset {
  contentType: string;
  body: string;
}

const JS = 'text/javascript; charset=utf-8';

/** Where each module of the page is, beside this file (in `src` or in `dist` alike). */
const MODULES: Record<string, URL> = {
  '/page/main.js': new URL('./page/main.js', import.meta.url),
  '/page/chart.js': new URL('./page/chart.js', import.meta.url),
  '/page/panels.js': new URL('./page/panels.js', import.meta.url),
  '/page/timeline.js': new URL('./page/timeline.js', import.meta.url),
  '/page/dom.js': new URL('./page/dom.js', import.meta.url),
  '/diagram/graph.js': new URL('../diagram/graph.js', import.meta.url),
  '/diagram/svg.js': new URL('../diagram/svg.js', import.meta.url),
};

/** The path of elkjs's self-contained browser build, as this package's dependency. */
export function elkBundlePath(): string {
  return createRequire(import.meta.url).resolve('elkjs/lib/elk.bundled.js');
}

/**
 * Reads every file of the page once, for a server to answer from memory.
 *
 * @example
 * ```ts
 * const assets = await loadPageAssets();
 * assets.get('/page/main.js')?.contentType; // 'text/javascript; charset=utf-8'
 * ```
 */
export async function loadPageAssets(): Promise<Map<string, PageAsset>> {
  const assets = new Map<string, PageAsset>([['/style.css', { contentType: 'text/css; charset=utf-8', body: INSPECTOR_STYLE }]]);
  const files = [...Object.entries(MODULES).map(([path, url]) => [path, fileURLToPath(url)] as const), ['/vendor/elk.bundled.js', elkBundlePath()] as const];
  await Promise.all(
    files.map(async ([path, file]) => {
      assets.set(path, { contentType: JS, body: await readFile(file, 'utf8') });
    }),
  );
  return assets;
}
