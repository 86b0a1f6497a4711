/**
 * The gateway part of the bench alone (`BENCH_QUICK=1` for a brief run whose figures mean
 * nothing): `node --expose-gc --import tsx bench/gatewayMain.ts`. `npm run bench` runs it too, as
 * its sixth part, next to figure 2 for the ratio.
 */
import { startEmulatorChild } from './emulatorChild.js';
import { GATEWAY_PLANS, measureGateway } from './gateway.js';
import { gatewayReport } from './gatewayReport.js';

const plan = process.env['BENCH_QUICK'] === '1' ? GATEWAY_PLANS.quick : GATEWAY_PLANS.full;
const emulator = await startEmulatorChild();
try {
  const result = await measureGateway(emulator.baseUrl, async () => (await emulator.stats()).cpuMicros, plan);
  for (const line of gatewayReport(result, Number(process.env['PLAIN_SESSIONS_PER_CORE'] ?? Number.NaN))) console.log(line);
} finally {
  await emulator.stop();
}
