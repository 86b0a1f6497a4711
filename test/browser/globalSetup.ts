import type { TestProject } from 'vitest/node';
import { chromiumExecutable } from './chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium binary the browser tests launch. */
    chromiumPath: string;
  }
}

/** Finds (and on first use unpacks) Chromium once, before any browser test file runs. */
export default async function setup(project: TestProject) {
  project.provide('chromiumPath', await chromiumExecutable());
}
