/**
 * How the hysteresis defaults were chosen: runs a detector once over the VAD fixtures, then tries
 * every pair of `minSpeechMs` and `hangoverMs` on its scores, and prints a Markdown table.
 *
 *   npx tsx scripts/tune-vad.ts [webrtc | webrtc-20 | webrtc-30 | silero-v5 | silero-v6]
 *
 * Scenes: clean speech, speech in white and pink noise at 20 and 10 dB and in babble at 20 dB,
 * and two minutes of white and pink noise alone (docs/activity.md).
 */
import type { VoiceActivityDetector } from '../src/audio/vad/detector.js';
import { createSileroVad } from '../src/audio/vad/silero.js';
import { createWebRtcVad } from '../src/audio/vad/webrtc.js';
import { loadCorpus, noiseScenes, speechScenes } from '../test/vad/corpus.js';
import { evaluate, scoreScene, segment, summarize, type SceneScores } from '../test/vad/evaluate.js';

const MIN_SPEECH_MS = [40, 60, 80, 100, 120, 160];
const HANGOVER_MS = [200, 250, 300, 400, 500, 600];

const detectors: Record<string, () => Promise<VoiceActivityDetector>> = {
  webrtc: () => createWebRtcVad(),
  'webrtc-20': () => createWebRtcVad({ frameMs: 20 }),
  'webrtc-30': () => createWebRtcVad({ frameMs: 30 }),
  'silero-v5': () => createSileroVad({ model: 'v5' }),
  'silero-v6': () => createSileroVad({ model: 'v6' }),
};

const name = process.argv[2] ?? 'webrtc';
const make = detectors[name];
if (!make) throw new Error(`unknown detector ${name}; one of ${Object.keys(detectors).join(', ')}`);

const corpus = loadCorpus();
const speech = speechScenes(corpus).filter((s) => s.snrDb === undefined || s.snrDb >= (s.noise === 'babble' ? 20 : 10));
const noise = noiseScenes(corpus, 60_000, ['white', 'pink']);
const detector = await make();
const score = async (scenes: typeof speech) => {
  const out: SceneScores[] = [];
  for (const scene of scenes) out.push(await scoreScene(detector, scene));
  return out;
};
const speechScores = await score(speech);
const noiseScores = await score(noise);
detector.dispose();

console.log(`${name}: ${speech.map((s) => s.name).join(', ')}; ${noise.map((s) => s.name).join(', ')} (60 s each)`);
console.log('');
console.log('| minSpeechMs | hangoverMs | one to one | split | merged | onset latency max | false starts (speech scenes) | false starts / min (noise) |');
console.log('|---|---|---|---|---|---|---|---|');
for (const minSpeechMs of MIN_SPEECH_MS) {
  for (const hangoverMs of HANGOVER_MS) {
    const options = { minSpeechMs, hangoverMs };
    const s = summarize(speechScores.map((x) => evaluate(x.scene, segment(x, options))));
    const n = summarize(noiseScores.map((x) => evaluate(x.scene, segment(x, options))));
    console.log(
      `| ${minSpeechMs} | ${hangoverMs} | ${s.oneToOne}/${s.utterances} | ${s.split} | ${s.merged} | ${Math.round(s.onsetLatencyMs.max)} ms | ${s.falseStarts} | ${n.falseStartsPerMinute.toFixed(2)} |`,
    );
  }
}
