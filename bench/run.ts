/**
 * `npm run bench`: measures gemini-live-fsm against the raw SDK and a boolean-flag client, against
 * the emulator in a child process, and ends with eleven machine-readable lines. `BENCH_QUICK=1`
 * runs every part briefly (a smoke test; its figures mean nothing); `BENCH_JSON=file` also writes
 * every result as JSON. Run node with `--expose-gc` (the npm script does).
 */
import { writeFileSync } from 'node:fs';
import { measureCpuPerFrame, type CpuOptions } from './cpuPerFrame.js';
import { startEmulatorChild } from './emulatorChild.js';
import { measureGate, type GateOptions } from './gate.js';
import { measureLongSession, type LongSessionOptions } from './longSession.js';
import { loadNow, machineInfo } from './machine.js';
import { humanReport, machineLines, type BenchResults } from './report.js';
import { pinClientProcess } from './pinning.js';
import { measureSessions, type SessionsOptions } from './sessions.js';
import { canCollectGarbage } from './stats.js';
import { measureVad, type VadOptions } from './vad.js';
import { GATEWAY_PLANS, measureGateway } from './gateway.js';

interface Plan {
  cpu: CpuOptions;
  sessions: SessionsOptions;
  gate: GateOptions;
  long: LongSessionOptions;
  vad: VadOptions;
}

const FULL: Plan = {
  cpu: { warmupFrames: 3_000, burst: 500, rounds: 40 },
  sessions: {
    memorySessions: 500,
    rawMemorySessions: 200,
    comparisons: true,
    levels: [200, 400, 600, 800, 1_000, 1_500, 2_000],
    resolution: 25,
    maxSessions: 3_000,
    warmupMs: 1_000,
    durationMs: 3_000,
  },
  gate: { toolCalls: 10_000, sessions: 50, toolMs: 30, timeLimitMs: 90_000 },
  long: { minutes: 60, fromMinute: 5, warmupMinutes: 10 },
  vad: { noiseMs: 60_000, allConditions: true, cpuRounds: 9, cpuAudioMs: 10_000 },
};

const QUICK: Plan = {
  cpu: { warmupFrames: 200, burst: 100, rounds: 4 },
  sessions: {
    memorySessions: 20,
    rawMemorySessions: 10,
    comparisons: true,
    levels: [10, 20],
    resolution: 10,
    maxSessions: 20,
    warmupMs: 200,
    durationMs: 500,
  },
  gate: { toolCalls: 40, sessions: 10, toolMs: 30, timeLimitMs: 20_000 },
  long: { minutes: 3, fromMinute: 1, warmupMinutes: 1 },
  vad: { noiseMs: 3_000, allConditions: false, cpuRounds: 1, cpuAudioMs: 1_000 },
};

function step(name: string) {
  const started = performance.now();
  console.error(`bench: ${name}…`);
  return () => console.error(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  if (!canCollectGarbage) throw new Error('run node with --expose-gc (npm run bench does)');
  const quick = process.env['BENCH_QUICK'] === '1';
  const plan = quick ? QUICK : FULL;
  const loadAtStart = loadNow();
  const pinning = pinClientProcess();
  const emulator = await startEmulatorChild(pinning);
  let results: BenchResults;
  try {
    let done = step('1/6 CPU per frame');
    const cpu = await measureCpuPerFrame(emulator.baseUrl, plan.cpu);
    done();
    done = step('2/6 sessions per core and memory');
    const sessions = await measureSessions(emulator.baseUrl, async () => (await emulator.stats()).cpuMicros, plan.sessions);
    done();
    done = step('3/6 gate');
    const gate = await measureGate(emulator.baseUrl, () => emulator.stats(), plan.gate);
    done();
    done = step('4/6 long session');
    const long = await measureLongSession(plan.long);
    done();
    done = step('5/6 voice activity detection');
    const vad = await measureVad(plan.vad);
    done();
    done = step('6/6 the gateway and its store');
    const gateway = await measureGateway(emulator.baseUrl, async () => (await emulator.stats()).cpuMicros, quick ? GATEWAY_PLANS.quick : GATEWAY_PLANS.full);
    done();
    results = { quick, machine: machineInfo(loadAtStart, pinning), cpu, sessions, gate, long, vad, gateway };
  } finally {
    await emulator.stop();
  }
  const json = process.env['BENCH_JSON'];
  if (json) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  for (const line of humanReport(results)) console.log(line);
  console.log('');
  for (const line of machineLines(results)) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
