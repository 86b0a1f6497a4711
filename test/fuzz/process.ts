/**
 * What the fuzz suites watch outside the session: unhandled rejections and uncaught exceptions
 * (I6), and a way to let every pending promise chain run.
 */
import { afterAll, beforeAll } from 'vitest';

const realSetImmediate = globalThis.setImmediate;

/** Lets every pending promise chain run: one real macrotask drains the microtask queue. */
export function flush(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** Unhandled rejections and uncaught exceptions, collected while a fuzz suite runs (I6). */
export const processFailures: unknown[] = [];
const onProcessFailure = (error: unknown) => {
  processFailures.push(error);
};

/** Watches the process (I6) for the whole of the current test file. */
export function watchProcessDuringSuite(): void {
  let unwatch: () => void = () => undefined;
  beforeAll(() => {
    unwatch = watchProcess();
  });
  afterAll(() => {
    unwatch();
    processFailures.length = 0;
  });
}

/** Installs the I6 listeners; returns their removal. Call in `beforeAll`. */
export function watchProcess(): () => void {
  process.on('unhandledRejection', onProcessFailure);
  process.on('uncaughtException', onProcessFailure);
  return () => {
    process.off('unhandledRejection', onProcessFailure);
    process.off('uncaughtException', onProcessFailure);
  };
}
