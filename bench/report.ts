/**
 * The bench's output: tables for people (Markdown, ready for docs/performance.md) and, last, the
 * eleven machine-readable lines, one figure each.
 */
import type { CpuResult } from './cpuPerFrame.js';
import type { GateResult } from './gate.js';
import type { LongSessionResult } from './longSession.js';
import type { MachineInfo } from './machine.js';
import { P99_LIMIT_MS, type SessionsResult } from './sessions.js';
import type { VadResult } from './vad.js';
import { vadReport } from './vadReport.js';
import type { GatewayResult } from './gateway.js';
import { gatewayReport, headlineStoreCost } from './gatewayReport.js';
import { LIBRARY_SOURCE } from './library.js';

/** Everything one run measured. */
export interface BenchResults {
  quick: boolean;
  machine: MachineInfo;
  cpu: CpuResult;
  sessions: SessionsResult;
  gate: GateResult;
  long: LongSessionResult;
  vad: VadResult;
  gateway: GatewayResult;
}

/** The targets: issue 7's, tightened by issue 12 (the fast lane on the chart's own terms must not regress). */
export const TARGETS = {
  fsmOverFlag: 0.85,
  sessionsPerCore: 1_000,
  bytesPerSession: 32 * 1024,
  leaked: 0,
  /** A flat heap: less than this growth from minute 5 to 60 (0.4 byte per frame). */
  heapGrowthBytes: 64 * 1024,
} as const;

const us = (value: number) => `${value.toFixed(2)} µs`;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

/** The figures the machine-readable lines give, as numbers. */
export function headline(results: BenchResults) {
  const storeCost = headlineStoreCost(results.gateway);
  return {
    fsmOverFlag: results.cpu.fsmOverFlag,
    fsmOverRaw: results.cpu.fsmOverRaw,
    sessionsPerCore: results.sessions.sessionsPerCore,
    bytesPerStreamingSession: Math.round(results.sessions.memory.streamingBytes),
    leaked: results.gate.leaked,
    heapGrowthBytes: Math.round(results.long.growthBytes),
    gatewaySessionsPerCore: results.gateway.sessionsPerCore,
    gatewayOverPlainCpu: results.gateway.gatewayOverPlainCpu,
    gatewayOverPlain: results.sessions.sessionsPerCore > 0 ? results.gateway.sessionsPerCore / results.sessions.sessionsPerCore : 0,
    storeWritesPerSessionMinute: storeCost?.writesPerSessionMinute ?? 0,
    storeBytesPerSessionMinute: Math.round(storeCost?.bytesPerSessionMinute ?? 0),
  };
}

/** The eleven machine-readable lines. */
export function machineLines(results: BenchResults): string[] {
  const h = headline(results);
  return [
    `cpu-per-frame fsm/flag: ${h.fsmOverFlag.toFixed(3)}`,
    `cpu-per-frame fsm/raw: ${h.fsmOverRaw.toFixed(3)}`,
    `sessions-per-core: ${h.sessionsPerCore}`,
    `bytes-per-streaming-session: ${h.bytesPerStreamingSession}`,
    `frames-leaked-after-toolcall: ${h.leaked}`,
    `heap-growth-5-to-60-min-bytes: ${h.heapGrowthBytes}`,
    `gateway-cpu-per-frame gateway/plain: ${h.gatewayOverPlainCpu.toFixed(3)}`,
    `gateway-sessions-per-core: ${h.gatewaySessionsPerCore}`,
    `gateway-over-plain-sessions: ${h.gatewayOverPlain.toFixed(3)}`,
    `store-writes-per-session-minute: ${h.storeWritesPerSessionMinute.toFixed(1)}`,
    `store-bytes-per-session-minute: ${h.storeBytesPerSessionMinute}`,
  ];
}

/** The human-readable report, in Markdown. */
export function humanReport(results: BenchResults): string[] {
  const { machine, cpu, sessions, gate, long } = results;
  const h = headline(results);
  const lines: string[] = [];
  lines.push(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (V8 ${machine.v8})${results.quick ? ' — QUICK MODE, figures are not meaningful' : ''}`);
  lines.push('');
  lines.push(
    machine.pinning.pinned
      ? `Pinned: the clients (every thread of the bench process) on CPU ${machine.pinning.clientCpus}, the emulator on CPU ${machine.pinning.emulatorCpus}.`
      : `Not pinned (${machine.pinning.why}): the clients and the emulator shared every core.`,
  );
  lines.push('');
  lines.push(
    LIBRARY_SOURCE === 'dist'
      ? 'Library: the compiled package (`dist/`, built by `npm run bench`), as users install it.'
      : 'Library: the sources through tsx (no `dist/`): heap per session is higher than a build gives (see bench/library.ts).',
  );
  lines.push('');
  lines.push(`Load average (1 min) at start and end: ${machine.load.start.toFixed(2)}, ${machine.load.end.toFixed(2)} (the bench and its emulator count for up to 2; more means other work shared the cores).`);
  lines.push('');
  lines.push('| figure | result | target | |');
  lines.push('|---|---|---|---|');
  lines.push(`| CPU per frame, fsm / flag | ${h.fsmOverFlag.toFixed(3)} | ≤ ${TARGETS.fsmOverFlag} | ${verdict(h.fsmOverFlag <= TARGETS.fsmOverFlag)} |`);
  lines.push(`| CPU per frame, fsm / raw | ${h.fsmOverRaw.toFixed(3)} | — | |`);
  lines.push(`| sessions per core (50 fps each, p99 < ${P99_LIMIT_MS} ms) | ${h.sessionsPerCore} | ≥ ${TARGETS.sessionsPerCore} | ${verdict(h.sessionsPerCore >= TARGETS.sessionsPerCore)} |`);
  for (const comparison of sessions.comparisons) {
    lines.push(`| ${comparison.client} clients per core, same test, for comparison | ${comparison.capacity} | — | |`);
  }
  lines.push(`| heap per streaming session | ${kib(h.bytesPerStreamingSession)} | ≤ ${kib(TARGETS.bytesPerSession)} | ${verdict(h.bytesPerStreamingSession <= TARGETS.bytesPerSession)} |`);
  lines.push(`| heap per idle session | ${kib(sessions.memory.idleBytes)} | ≤ ${kib(TARGETS.bytesPerSession)} | ${verdict(sessions.memory.idleBytes <= TARGETS.bytesPerSession)} |`);
  lines.push(`| frames sent after a toolCall was delivered | ${h.leaked} (of ${gate.toolCalls} tool calls) | 0 | ${verdict(h.leaked === TARGETS.leaked)} |`);
  lines.push(`| heap growth, minute ${long.fromMinute} to ${long.minutes} | ${kib(h.heapGrowthBytes)} | < ${kib(TARGETS.heapGrowthBytes)} | ${verdict(Math.abs(h.heapGrowthBytes) < TARGETS.heapGrowthBytes)} |`);
  lines.push('');
  lines.push(`CPU per frame (median of ${cpu.rounds} rounds of ${cpu.framesPerBurst} frames each): raw ${us(cpu.perFrameUs.raw)}, flag ${us(cpu.perFrameUs.flag)}, fsm ${us(cpu.perFrameUs.fsm)}.`);
  lines.push('');
  const raw = sessions.rawMemory;
  lines.push(
    `Heap per session (${sessions.memory.sessions} sessions): idle ${kib(sessions.memory.idleBytes)}, streaming ${kib(sessions.memory.streamingBytes)}` +
      (raw ? `; raw SDK connection for comparison (${raw.sessions}): idle ${kib(raw.idleBytes)}, streaming ${kib(raw.streamingBytes)}.` : '.'),
  );
  lines.push('');
  const table = (title: string, loads: SessionsResult['loads']) => {
    lines.push(`${title}:`);
    lines.push('');
    lines.push('| sessions | frames | due → wire p50 | p99 | max | call → wire p99 | core busy sending | emulator CPU | sustained |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const load of loads) {
      lines.push(
        `| ${load.sessions} | ${load.frames} | ${ms(load.dueToWire.p50)} | ${ms(load.dueToWire.p99)} | ${ms(load.dueToWire.max)} | ${ms(load.callToWire.p99)} | ${load.busyShare.toFixed(2)} | ${load.emulatorCpuShare.toFixed(2)} | ${load.passed ? 'yes' : 'no'} |`,
      );
    }
    lines.push('');
  };
  table(`gemini-live-fsm sessions (most sustained: ${sessions.sessionsPerCore})`, sessions.loads);
  for (const comparison of sessions.comparisons) {
    table(`${comparison.client} clients, for comparison (most sustained: ${comparison.capacity})`, comparison.loads);
  }
  lines.push('');
  lines.push(
    `Gate: ${gate.toolCalls} tool calls (${gate.toolResponses} answered) in ${(gate.elapsedMs / 1000).toFixed(1)} s; ` +
      `${gate.leaked} frames sent while a call was pending; ${gate.heldBack} frames held back by the gate, ${gate.droppedAfterAnswer} after the answer; ` +
      `${gate.framesForwarded} forwarded, ${gate.framesOnWire} seen at ws.send; emulator: ${gate.emulatorViolations} closes with 1008, ${gate.emulatorGraceTolerated} frames in its grace window.`,
  );
  lines.push(
    `Gate reopening, toolResponse → next forwarded frame (${gate.reopen.samples}): p50 ${ms(gate.reopen.p50)}, p99 ${ms(gate.reopen.p99)}, max ${ms(gate.reopen.max)}; ` +
      `of which the gate's share (that frame's sendAudio → forwarded): p50 ${ms(gate.reopenGateShare.p50)}, p99 ${ms(gate.reopenGateShare.p99)}.`,
  );
  lines.push('');
  lines.push(
    `Long session: ${long.minutes} simulated minutes in ${(long.realMs / 1000).toFixed(1)} s, ${long.framesSent} frames, ` +
      `${long.counts.toolCallsSent} toolCalls, ${long.counts.goAways} goAways, ${long.reconnects} reconnects, ${long.counts.violations} gate violations, counters add up: ${long.countersAddUp ? 'yes' : 'NO'}. ` +
      `Heap (less code) at minute ${long.fromMinute}: ${kib(long.heapByMinute[long.fromMinute] ?? Number.NaN)}, at ${long.minutes}: ${kib(long.heapByMinute[long.minutes] ?? Number.NaN)}; ` +
      `growth ${kib(long.growthBytes)} (slope ${(long.slopeBytesPerMinute / 1024).toFixed(2)} KiB/min); total heapUsed growth ${kib(long.totalGrowthBytes)}.`,
  );
  lines.push('');
  lines.push(...vadReport(results.vad));
  lines.push('');
  lines.push(...gatewayReport(results.gateway, results.sessions.sessionsPerCore));
  return lines;
}
