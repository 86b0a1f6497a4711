/**
 * Figure 6 in words: the gateway's sessions per core next to the plain session's, and the store's
 * cost per session per minute on each backend.
 */
import type { GatewayResult } from './gateway.js';

const round = (value: number, digits = 1) => value.toFixed(digits);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The figures, as Markdown lines; `plainSessionsPerCore` is figure 2's, for the ratio. */
export function gatewayReport(result: GatewayResult, plainSessionsPerCore: number): string[] {
  const ratio = plainSessionsPerCore > 0 ? result.sessionsPerCore / plainSessionsPerCore : Number.NaN;
  const lines = [
    `Gateway (issue 18): CPU per frame through the gateway's relay with a store ${round(result.cpuPerFrameUs.gateway, 2)} µs, a plain session's ${round(result.cpuPerFrameUs.plain, 2)} µs: ` +
      `${round(result.gatewayOverPlainCpu, 3)} times (median of the ratio within a round, as figure 1).`,
    '',
    `Gateway (issue 18): ${result.sessionsPerCore} sessions per core through the gateway's relay with a store (same test as figure 2: 50 fps each, p99 input-to-wire under 5 ms), ` +
      `against ${plainSessionsPerCore} plain sessions: ${round(ratio, 3)} of them.`,
    '',
    '| store, per session per minute | ' + result.storeCosts.map((cost) => `${cost.backend} (${cost.sessions} sessions, ${round(cost.windowMs / 1000)} s)`).join(' | ') + ' |',
    '|---|' + result.storeCosts.map(() => '---|').join(''),
    '| model turns, tool calls (the conversation) | ' + result.storeCosts.map((c) => `${round(c.turnsPerSessionMinute)}, ${round(c.toolCallsPerSessionMinute)}`).join(' | ') + ' |',
    '| writes | ' + result.storeCosts.map((c) => round(c.writesPerSessionMinute)).join(' | ') + ' |',
    '| bytes written | ' + result.storeCosts.map((c) => kib(c.bytesPerSessionMinute)).join(' | ') + ' |',
    '| lease renewals | ' + result.storeCosts.map((c) => round(c.renewalsPerSessionMinute)).join(' | ') + ' |',
    '| failed writes (in all) | ' + result.storeCosts.map((c) => String(c.failedWrites)).join(' | ') + ' |',
    '| wait before a tool outcome goes out, mean / max | ' + result.storeCosts.map((c) => `${round(c.writeAheadMeanMs, 2)} / ${round(c.writeAheadMaxMs, 2)} ms`).join(' | ') + ' |',
    '',
  ];
  return lines;
}

/** The store's cost the machine-readable lines give: Redis's when it was measured, else the memory store's. */
export function headlineStoreCost(result: GatewayResult) {
  return result.storeCosts.find((cost) => cost.backend === 'Redis') ?? result.storeCosts[0];
}
