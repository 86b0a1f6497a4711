/** The machine a bench ran on, for the results table. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Pinning } from './pinning.js';

/** What the results depend on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  /** The 1-minute load average when the bench started and when it ended: other work on the machine. */
  load: { start: number; end: number };
  /** Where the clients and the emulator ran. */
  pinning: Pinning;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall back on what Node knows.
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0] ?? Number.NaN;
}

/** Describes this machine; `loadAtStart` is {@link loadNow} when the bench started. */
export function machineInfo(loadAtStart: number, pinning: Pinning): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    load: { start: loadAtStart, end: loadNow() },
    pinning,
  };
}
