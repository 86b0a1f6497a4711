import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The eleven figures `npm run bench` ends with, in order. */
const FIGURES = [
  'cpu-per-frame fsm/flag',
  'cpu-per-frame fsm/raw',
  'sessions-per-core',
  'bytes-per-streaming-session',
  'frames-leaked-after-toolcall',
  'heap-growth-5-to-60-min-bytes',
  'gateway-cpu-per-frame gateway/plain',
  'gateway-sessions-per-core',
  'gateway-over-plain-sessions',
  'store-writes-per-session-minute',
  'store-bytes-per-session-minute',
];

describe('npm run bench', () => {
  // The harness only: BENCH_QUICK runs every part briefly. Targets are the bench's business, not a test's.
  it('runs every part and ends with the eleven machine-readable lines', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--single-threaded-gc', '--import', 'tsx', 'bench/run.ts'], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: '1' },
      timeout: 110_000,
    });
    expect(stdout).toMatch(/^(Pinned: the clients|Not pinned \()/m);
    expect(stdout).toContain('raw SDK clients, for comparison');
    expect(stdout).toContain('bare ws clients, for comparison');
    // The voice activity part: a column per candidate detector, a figure in every cell.
    expect(stdout).toContain('| | webrtc (default) | silero-v6 | silero-v5 |');
    for (const row of ['CPU per 20 ms of audio', 'bytes a page loads', 'utterances bracketed one to one, clean to 10 dB SNR', 'false starts per minute, white and pink noise']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${row} \\|( [^|]*\\d[^|]* \\|){3}$`, 'm'));
    }
    // The gateway part: a column per store backend, a figure in every cell.
    expect(stdout).toMatch(/^Gateway \(issue 18\): \d+ sessions per core through the gateway's relay/m);
    for (const row of ['writes', 'bytes written', 'lease renewals']) {
      expect(stdout).toMatch(new RegExp(`^\\| ${row} \\|( [^|]*\\d[^|]* \\|){2}$`, 'm'));
    }
    const last = stdout.trimEnd().split('\n').slice(-FIGURES.length);
    expect(last.map((line) => line.slice(0, line.lastIndexOf(':')))).toEqual(FIGURES);
    for (const line of last) {
      const value = line.slice(line.lastIndexOf(':') + 1).trim();
      expect(value, line).toMatch(/^-?\d+(\.\d+)?$/);
      expect(Number.isFinite(Number(value)), line).toBe(true);
    }
  }, 120_000);

  it("npm run bench:overhead prints the session's own cost per frame on each path", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/overhead.ts'], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: '1' },
      timeout: 50_000,
    });
    for (const path of ['wire text alone', 'session, fast path', 'every frame an event the machine processes', 'inspector attached']) {
      expect(stdout).toMatch(new RegExp(`\\|[^|]*${path}[^|]*\\| \\d+\\.\\d\\d \\|`));
    }
  }, 60_000);
});
