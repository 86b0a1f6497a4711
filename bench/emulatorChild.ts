/**
 * Starts the bench's emulator in a child process and talks to it over stdio.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { EmulatorStats } from '../src/testing/index.js';
import { onEmulatorCpus, type Pinning } from './pinning.js';

/** The emulator's totals, and the CPU time (user + system) its process has used. */
export type EmulatorChildStats = EmulatorStats & { cpuMicros: number };

/** A running emulator process. */
export interface EmulatorChild {
  readonly baseUrl: string;
  /** The emulator's totals right now. */
  stats(): Promise<EmulatorChildStats>;
  /** Stops the process; resolves when it has exited. */
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./emulatorProcess.ts', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/** Spawns the emulator process (on the emulator's CPUs, when pinned) and resolves once it listens. */
export async function startEmulatorChild(pinning: Pinning = { pinned: false, why: 'not asked' }): Promise<EmulatorChild> {
  const [command, ...args] = onEmulatorCpus(pinning, [process.execPath, '--import', 'tsx', SCRIPT]);
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else early.push(line);
  });
  const nextLine = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const line = early.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`the emulator process said nothing in ${timeoutMs} ms`)), timeoutMs);
      waiting.push((text) => {
        clearTimeout(timer);
        resolve(text);
      });
    });

  const exited = once(child, 'exit');
  const first = await Promise.race([
    nextLine(START_TIMEOUT_MS),
    exited.then(([code]) => Promise.reject(new Error(`the emulator process exited with ${String(code)}`))),
  ]);
  const match = /^ready (\S+)$/.exec(first);
  if (!match?.[1]) throw new Error(`unexpected line from the emulator process: ${first}`);

  return {
    baseUrl: match[1],
    async stats() {
      child.stdin.write('stats\n');
      return JSON.parse(await nextLine(5_000)) as EmulatorChildStats;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
