/**
 * The library the bench measures: the compiled package (`dist/`, what `npm install` gives a user),
 * which `npm run bench` builds first. Not the sources through tsx: tsx compiles with esbuild's
 * `keepNames`, which wraps every function in a call that defines its `name`, so each closure a
 * session creates carries a property dictionary of its own (about 250 bytes) that no user's build
 * has. Without a build (the smoke test's quick run) the sources are measured, and the report says
 * so.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Library from '../src/index.js';

const DIST = resolve(import.meta.dirname, '..', 'dist', 'index.js');

/** Where the measured library came from. */
export const LIBRARY_SOURCE: 'dist' | 'sources' = existsSync(DIST) ? 'dist' : 'sources';

/** The main entry of the measured library. */
export const library: typeof Library =
  LIBRARY_SOURCE === 'dist' ? await import(pathToFileURL(DIST).href) : await import('../src/index.js');
