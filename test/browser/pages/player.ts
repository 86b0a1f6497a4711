/**
 * A test page for the browser player: it plays a tone through `createAudioPlayer`, taps the
 * player's output with a recorder worklet of its own (every sample, with the frame it was
 * rendered at), interrupts, and reports what came out before and after.
 */
import { createAudioPlayer, type PlaybackReport } from '../../../src/audio/index.js';

/** What one run measured. */
export interface BargeInMeasure {
  sampleRate: number;
  report: PlaybackReport;
  /** The frame the player says its fade began at. */
  cutFrame: number;
  /** The first frame the recorder rendered after the page asked for the interruption. */
  askedFrame: number;
  /** Samples with sound at or after the cut, and at or after the request. */
  audibleAfterCut: number;
  audibleAfterAsked: number;
  /** The last frame with sound. */
  lastAudibleFrame: number;
  /** Samples with sound in all (what the user heard), in output frames. */
  audibleFrames: number;
  /** Loudest sample in the first and the last 16 frames of the fade. */
  fadeStartPeak: number;
  fadeEndPeak: number;
}

declare global {
  interface Window {
    measureBargeIn(sampleRate: number): Promise<BargeInMeasure>;
  }
}

const RECORDER = `
class Recorder extends AudioWorkletProcessor {
  constructor() {
    super();
    this.quanta = [];
    this.asked = -1;
    this.port.onmessage = (event) => {
      if (event.data === 'asked') this.asked = -2;
      else this.port.postMessage({ quanta: this.quanta, asked: this.asked });
    };
  }
  process(inputs, outputs) {
    if (this.asked === -2) this.asked = currentFrame;
    const input = inputs[0] && inputs[0][0];
    const samples = input ? Float32Array.from(input) : new Float32Array(128);
    this.quanta.push({ frame: currentFrame, samples });
    outputs[0][0].set(samples);
    return true;
  }
}
registerProcessor('recorder', Recorder);
`;

const AUDIBLE = 1e-4;

/**
 * `ms` of a 440 Hz tone at half scale, 24 kHz PCM16. Its phase keeps every zero crossing off the
 * sample points and their midpoints, so that no sample, played or interpolated, is silent by chance.
 */
function tone(ms: number): Uint8Array {
  const samples = (ms * 24_000) / 1000;
  const pcm = new Uint8Array(samples * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < samples; i += 1) view.setInt16(i * 2, Math.round(Math.sin((2 * Math.PI * 440 * (i + 0.3)) / 24_000) * 16_000), true);
  return pcm;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => requestAnimationFrame(resolve));
}

window.measureBargeIn = async (sampleRate) => {
  const context = new AudioContext({ sampleRate });
  await context.resume();
  const url = URL.createObjectURL(new Blob([RECORDER], { type: 'text/javascript' }));
  await context.audioWorklet.addModule(url);
  const recorder = new AudioWorkletNode(context, 'recorder', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], channelCount: 1, channelCountMode: 'explicit' });
  recorder.connect(context.destination);
  const player = createAudioPlayer({ audioContext: context, destination: recorder });
  await player.ready;
  const answer = tone(2000);
  for (let offset = 0; offset < answer.length; offset += 4800) player.enqueue(answer.subarray(offset, offset + 4800));
  await until(async () => (await player.stats()).playedMs >= 300);

  recorder.port.postMessage('asked');
  const report = await player.interrupt();
  const cutFrame = player.interruptions[0]?.frame ?? -1;
  type Dump = { quanta: { frame: number; samples: Float32Array }[]; asked: number };
  const dump = () =>
    new Promise<Dump>((resolve) => {
      recorder.port.onmessage = (event: MessageEvent<Dump>) => resolve(event.data);
      recorder.port.postMessage('dump');
    });
  let recorded: Dump = { quanta: [], asked: -1 };
  await until(async () => {
    recorded = await dump();
    return (recorded.quanta.at(-1)?.frame ?? 0) > cutFrame + 4096;
  });
  await player.close();

  let audibleAfterCut = 0;
  let audibleAfterAsked = 0;
  let lastAudibleFrame = -1;
  let audibleFrames = 0;
  const fade: number[] = [];
  for (const { frame, samples } of recorded.quanta) {
    samples.forEach((value, index) => {
      const at = frame + index;
      if (at >= cutFrame && at < cutFrame + report.fadeFrames) fade.push(Math.abs(value));
      if (Math.abs(value) <= AUDIBLE) return;
      audibleFrames += 1;
      lastAudibleFrame = at;
      if (at >= cutFrame) audibleAfterCut += 1;
      if (at >= recorded.asked) audibleAfterAsked += 1;
    });
  }
  await context.close();
  return {
    sampleRate,
    report,
    cutFrame,
    askedFrame: recorded.asked,
    audibleAfterCut,
    audibleAfterAsked,
    lastAudibleFrame,
    audibleFrames,
    fadeStartPeak: Math.max(...fade.slice(0, 16)),
    fadeEndPeak: Math.max(...fade.slice(-16)),
  };
};
