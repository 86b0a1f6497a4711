/**
 * Collects unhandled rejections and uncaught exceptions while a suite runs, so that a test can
 * say none happened (vitest reports them too, but only at the end of the run).
 */
import { afterAll, beforeAll } from 'vitest';

/** Watches the process during the suite; call the returned function for what was seen so far. */
export function watchUnhandled(): () => unknown[] {
  const seen: unknown[] = [];
  const record = (error: unknown) => seen.push(error);
  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  return () => [...seen];
}
