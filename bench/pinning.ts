/**
 * Gives the clients and the emulator cores of their own: the bench process (every thread of it,
 * V8's GC helpers included) on CPU 0, the emulator on the others. "Sessions per core" then means
 * one core, and the emulator cannot steal it. Linux only, with `taskset` (util-linux); elsewhere,
 * or with one CPU, nothing is pinned and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Which CPUs each side runs on, or why nothing was pinned. */
export type Pinning =
  | { pinned: true; clientCpus: string; emulatorCpus: string }
  | { pinned: false; why: string };

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process to CPU 0 and returns where the emulator should run. */
export function pinClientProcess(): Pinning {
  if (process.env['BENCH_NO_PIN'] === '1') return { pinned: false, why: 'BENCH_NO_PIN=1' };
  const cpus = availableParallelism();
  if (cpus < 2) return { pinned: false, why: 'one CPU' };
  if (process.platform !== 'linux' || !hasTaskset()) return { pinned: false, why: 'no taskset' };
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', '0', String(process.pid)], { stdio: 'ignore' });
  } catch (error) {
    return { pinned: false, why: `taskset failed: ${String(error)}` };
  }
  return { pinned: true, clientCpus: '0', emulatorCpus: cpus === 2 ? '1' : `1-${cpus - 1}` };
}

/** The command that starts `argv` on the emulator's CPUs. */
export function onEmulatorCpus(pinning: Pinning, argv: [string, ...string[]]): [string, ...string[]] {
  return pinning.pinned ? ['taskset', '--cpu-list', pinning.emulatorCpus, ...argv] : argv;
}
