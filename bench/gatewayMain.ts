/**
 * The gateway part of the bench alone (`BENCH_QUICK=1` for a brief run whose figures mean
 * nothing): `node --expose-gc --single-threaded-gc --import tsx bench/gatewayMain.ts`, pinned as
 * `npm run bench` pins (the clients on CPU 0, the emulator on the others). `npm run bench` runs it
 * too, as its sixth part, next to figure 2 for the ratio; alone, `PLAIN_SESSIONS_PER_CORE` gives
 * that figure.
 */
import { startEmulatorChild } from './emulatorChild.js';
import { GATEWAY_PLANS, measureGateway } from './gateway.js';
import { gatewayReport } from './gatewayReport.js';
import { loadNow } from './machine.js';
import { pinClientProcess } from './pinning.js';

const plan = process.env['BENCH_QUICK'] === '1' ? GATEWAY_PLANS.quick : GATEWAY_PLANS.full;
const loadAtStart = loadNow();
const pinning = pinClientProcess();
const emulator = await startEmulatorChild(pinning);
try {
  const result = await measureGateway(emulator.baseUrl, async () => (await emulator.stats()).cpuMicros, plan);
  console.log(`${pinning.pinned ? 'Pinned' : `Not pinned (${pinning.why})`}; load average (1 min) at start and end: ${loadAtStart.toFixed(2)}, ${loadNow().toFixed(2)}.`);
  console.log('');
  for (const line of gatewayReport(result, Number(process.env['PLAIN_SESSIONS_PER_CORE'] ?? Number.NaN))) console.log(line);
} finally {
  await emulator.stop();
}
