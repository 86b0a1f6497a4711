/**
 * The page of the browser VAD test, bundled by esbuild as an app would bundle the library: it
 * loads the default detector (WebRTC's, `@echogarden/fvad-wasm` imported by the app) with its
 * WebAssembly fetched from a URL, feeds it the speech fixture in 20 ms chunks through the same
 * stream and hysteresis the activity actor uses, and reports the speech it found.
 */
import { createDetectorStream } from '../../../src/audio/vad/detectorStream.js';
import { createSpeechSegmenter, type SpeechSegmentEvent } from '../../../src/audio/vad/segmenter.js';
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
