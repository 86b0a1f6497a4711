/**
 * `npm run bench:vad`: the voice activity part of the bench alone (`BENCH_QUICK=1` for a brief
 * run whose figures mean nothing). `npm run bench` runs it too, as its fifth part.
 */
import { measureVad } from './vad.js';
import { vadReport } from './vadReport.js';

const quick = process.env['BENCH_QUICK'] === '1';
const vad = await measureVad(quick ? { noiseMs: 3_000, allConditions: false, cpuRounds: 1, cpuAudioMs: 1_000 } : { noiseMs: 60_000, allConditions: true, cpuRounds: 9, cpuAudioMs: 10_000 });
for (const line of vadReport(vad)) console.log(line);
