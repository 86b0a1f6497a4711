/**
 * Gateway processes for the tests: `examples/gateway/serve.ts` run as `npm run example:gateway`
 * runs it (node with tsx), in a child process of its own, its output read line by line. Every
 * process started here is killed after the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A gateway in a process of its own. */
export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Every line it printed, in order. */
  readonly lines: string[];
  /** The lines that are JSON (with `--json`: the gateway's log). */
  readonly events: Record<string, unknown>[];
  /** Resolves with the first line (already printed or to come) that `match` accepts. */
  waitForLine(description: string, match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The first JSON event that `match` accepts. */
  waitForEvent(description: string, match: (event: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();

afterEach(async () => {
  for (const child of [...running]) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    running.delete(child);
  }
});

/** Starts `serve.ts` with `args`. */
export function spawnGateway(args: string[]): GatewayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/gateway/serve.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit');
  const lines: string[] = [];
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    if (line.startsWith('{')) {
      try {
        events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON after all: a line for people
      }
    }
    for (const waiter of [...waiters]) waiter();
  });
  child.once('exit', () => {
    for (const waiter of [...waiters]) waiter();
  });

  const waitFor = <T>(description: string, find: () => T | undefined, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before ${description}:\n${lines.join('\n')}\n${stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${description} within ${timeoutMs} ms:\n${lines.join('\n')}\n${stderr}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    lines,
    events,
    waitForLine: (description, match, timeoutMs = 20_000) => waitFor(description, () => lines.find(match), timeoutMs),
    waitForEvent: (description, match, timeoutMs = 20_000) => waitFor(description, () => events.find(match), timeoutMs),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      running.delete(child);
    },
  };
}
