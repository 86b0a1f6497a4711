/**
 * The VAD part of the bench's report: one Markdown table, a column per candidate detector, each
 * figure beside its ratio to the default detector's where the two compare.
 */
import type { VadCandidateResult, VadResult } from './vad.js';
import type { Summary } from '../test/vad/evaluate.js';

const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');

/** `value`, and `(×ratio)` to the default's when the default's is not zero. */
function withRatio(value: number, base: number, format: (v: number) => string): string {
  if (base === 0 || !Number.isFinite(base) || !Number.isFinite(value)) return format(value);
  return `${format(value)} (×${(value / base).toFixed(value / base >= 10 ? 0 : 2)})`;
}

function found(s: Summary): string {
  const faults = [s.split > 0 ? `${s.split} split` : '', s.merged > 0 ? `${s.merged} merged` : ''].filter(Boolean);
  return `${s.oneToOne}/${s.utterances}${faults.length > 0 ? ` (${faults.join(', ')})` : ''}`;
}

/** The VAD table, in Markdown. */
export function vadReport(vad: VadResult): string[] {
  const { candidates } = vad;
  const base = candidates.find((c) => c.isDefault) ?? (candidates[0] as VadCandidateResult);
  const row = (label: string, cell: (c: VadCandidateResult) => string) => `| ${label} | ${candidates.map(cell).join(' | ')} |`;
  const lines: string[] = [];
  lines.push(`Voice activity detection, with the default hysteresis, on ${vad.scenes.length} scenes (${vad.scenes.join(', ')}):`);
  lines.push('');
  lines.push(`| | ${candidates.map((c) => (c.isDefault ? `${c.name} (default)` : c.name)).join(' | ')} |`);
  lines.push(`|---|${candidates.map(() => '---').join('|')}|`);
  lines.push(row('CPU per 20 ms of audio', (c) => withRatio(c.cpuPerFrameUs, base.cpuPerFrameUs, (v) => `${v.toFixed(v < 10 ? 2 : 0)} µs`)));
  lines.push(row('bytes a page loads', (c) => withRatio(c.bundle.bytes, base.bundle.bytes, kib)));
  lines.push(row('… gzipped', (c) => withRatio(c.bundle.gzipBytes, base.bundle.gzipBytes, kib)));
  lines.push(row('utterances bracketed one to one, clean to 10 dB SNR', (c) => found(c.speech)));
  lines.push(row('… onset latency, median / max', (c) => `${ms(c.speech.onsetLatencyMs.median)} / ${ms(c.speech.onsetLatencyMs.max)}`));
  lines.push(row('… speech missed', (c) => percent(c.speech.missedSpeech)));
  lines.push(row('… false starts; pauses called speech', (c) => `${c.speech.falseStarts}; ${percent(c.speech.falseAlarm)}`));
  if (candidates.every((c) => c.hardSpeech)) {
    const hard = (c: VadCandidateResult) => c.hardSpeech as Summary;
    lines.push(row('utterances bracketed one to one, 5 dB SNR', (c) => found(hard(c))));
    lines.push(row('… onset latency max; speech missed', (c) => `${ms(hard(c).onsetLatencyMs.max)}; ${percent(hard(c).missedSpeech)}`));
    lines.push(row('… false starts; pauses called speech', (c) => `${hard(c).falseStarts}; ${percent(hard(c).falseAlarm)}`));
  }
  lines.push(row('false starts per minute, white and pink noise', (c) => c.noise.falseStartsPerMinute.toFixed(2)));
  lines.push(row('babble alone called speech', (c) => percent(c.babble.falseAlarm)));
  lines.push('');
  for (const c of candidates) {
    lines.push(`${c.name} loads: ${c.bundle.files.map((f) => `${f.file} ${kib(f.bytes)} (${kib(f.gzipBytes)} gzipped)`).join(', ')}.`);
  }
  lines.push('');
  lines.push(`The activity actor ('vad' mode, default detector, 300 ms pre-roll) per 20 ms chunk, each an XState event: ${vad.actorPerFrameUs.toFixed(2)} µs.`);
  const { speech, noise } = vad.session;
  lines.push(
    `A session per 20 ms chunk, wire text included, with activity 'vad' (the lane, the detector, the brackets and their pre-roll; chunks outside speech held back) and without: ` +
      `${speech.vadUs.toFixed(2)} µs and ${speech.plainUs.toFixed(2)} µs over the clean speech scene, ${noise.vadUs.toFixed(2)} µs and ${noise.plainUs.toFixed(2)} µs over pink noise.`,
  );
  return lines;
}
