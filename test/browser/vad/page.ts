/**
 * The page of the browser VAD test, bundled by esbuild as an app would bundle the library: it
 * loads the default detector (WebRTC's, `@echogarden/fvad-wasm` imported by the app) with its
 * WebAssembly fetched from a URL, feeds it the speech fixture in 20 ms chunks through the same
 * stream and hysteresis the activity actor uses, and reports the speech it found. It does the same
 * with Silero, its runtime imported by the app and its WebAssembly and model fetched from URLs.
 */
import { createDetectorStream } from '../../../src/audio/vad/detectorStream.js';
import { createSpeechSegmenter, type SpeechSegmentEvent } from '../../../src/audio/vad/segmenter.js';
import { createSileroVad } from '../../../src/audio/vad/silero.js';
import { createWebRtcVad } from '../../../src/audio/vad/webrtc.js';

/** What the page reports. */
export interface VadPageResult {
  frameSamples: number;
  events: SpeechSegmentEvent[];
  errors: string[];
}

declare global {
  interface Window {
    /** Runs the default detector on the WAV at `wavUrl`; `wasmUrl` undefined: fvad.wasm's default place. */
    runVad(wavUrl: string, wasmUrl: string | undefined): Promise<VadPageResult>;
  }
}

window.runVad = async (wavUrl, wasmUrl) => {
  const detector = await createWebRtcVad({ load: () => import('@echogarden/fvad-wasm'), ...(wasmUrl ? { wasm: wasmUrl } : {}) });
  const wav = new Uint8Array(await (await fetch(wavUrl)).arrayBuffer());
  const pcm = wav.subarray(44); // the fixtures are 16 kHz mono PCM16 with a 44-byte header
  const segmenter = createSpeechSegmenter();
  const result: VadPageResult = { frameSamples: detector.frameSamples, events: [], errors: [] };
  const stream = createDetectorStream(detector, {
    onScore: ({ probability, startMs, endMs }) => {
      const event = segmenter.push(probability, startMs, endMs);
      if (event) result.events.push(event);
    },
    onError: (error) => result.errors.push(error.message),
  });
  for (let offset = 0; offset < pcm.length; offset += 640) stream.push(pcm.subarray(offset, offset + 640));
  const end = segmenter.finish(stream.positionMs);
  if (end) result.events.push(end);
  detector.dispose();
  return result;
};

declare global {
  interface Window {
    /** Runs Silero on the WAV at `wavUrl`, the model and onnxruntime's WebAssembly fetched from the URLs given. */
    runSilero(wavUrl: string, modelUrl: string, wasmUrl: string): Promise<VadPageResult>;
  }
}

window.runSilero = async (wavUrl, modelUrl, wasmUrl) => {
  const detector = await createSileroVad({ load: () => import('onnxruntime-web/wasm'), model: modelUrl, wasm: wasmUrl });
  const wav = new Uint8Array(await (await fetch(wavUrl)).arrayBuffer());
  const pcm = wav.subarray(44);
  const segmenter = createSpeechSegmenter();
  const result: VadPageResult = { frameSamples: detector.frameSamples, events: [], errors: [] };
  let finish = () => undefined as void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let scored = 0;
  const frames = Math.floor(pcm.length / 2 / detector.frameSamples);
  const stream = createDetectorStream(detector, {
    maxBacklogMs: 60_000, // the whole file is pushed at once: let every frame wait its turn
    onScore: ({ probability, startMs, endMs }) => {
      const event = segmenter.push(probability, startMs, endMs);
      if (event) result.events.push(event);
      scored += 1;
      if (scored === frames) finish();
    },
    onError: (error) => {
      result.errors.push(error.message);
      finish();
    },
  });
  for (let offset = 0; offset < pcm.length; offset += 640) stream.push(pcm.subarray(offset, offset + 640));
  await finished;
  detector.dispose();
  return result;
};
