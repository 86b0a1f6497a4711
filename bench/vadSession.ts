/**
 * What `activity: 'vad'` costs a session per 20 ms chunk: a session streams the clean speech
 * scene (speech, and silence between) to a transport that only builds each frame's wire text,
 * with and without the option. With it, each chunk also passes the activity lane and WebRTC's
 * detector, and the chunks outside speech are held back instead of sent (the pre-roll is sent
 * again inside the bracket). Process CPU time, the median of rounds, each after a full GC.
 */
import { wireTextTransport } from './wireTextTransport.js';
import { createWebRtcVad } from '../src/audio/vad/webrtc.js';
import { createLiveSession, type LiveSession, type LiveSessionOptions } from '../src/index.js';
import type { Scene } from '../test/vad/corpus.js';
import { pcmBytes } from '../test/vad/wav.js';
import { collectGarbage, median } from './stats.js';

/** A session's CPU per 20 ms chunk, in µs, with and without `activity: 'vad'`. */
export interface VadSessionCost {
  plainUs: number;
  vadUs: number;
}

const WARMUP_PASSES = 5;

const wire = wireTextTransport();

/** A connected session streaming to the wire-text transport. */
async function connected(options: Partial<LiveSessionOptions>): Promise<LiveSession> {
  const session = createLiveSession({ transport: wire.transport, tools: [], telemetry: false, ...options } as LiveSessionOptions);
  await session.connect();
  return session;
}

/** CPU µs per chunk of one pass of the scene through `session`, after a full GC. */
function pass(session: LiveSession, chunks: readonly Uint8Array[]): number {
  collectGarbage();
  const started = process.cpuUsage();
  for (const chunk of chunks) session.sendAudio(chunk);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / chunks.length;
}

/**
 * Measures two sessions streaming `scene` in 20 ms chunks, one with `activity: 'vad'`: each warmed
 * up over a few passes (the JIT compiles in background threads, whose CPU time counts), then
 * `rounds` passes each, taking turns.
 */
export async function measureVadSession(scene: Scene, rounds: number): Promise<VadSessionCost> {
  const pcm = pcmBytes(scene.samples);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset + 640 <= pcm.length; offset += 640) chunks.push(pcm.subarray(offset, offset + 640));
  const detector = await createWebRtcVad();
  const plainSession = await connected({});
  const vadSession = await connected({ activity: { mode: 'vad', detector } });
  const plain: number[] = [];
  const vad: number[] = [];
  try {
    for (let warmup = 0; warmup < WARMUP_PASSES; warmup += 1) {
      pass(plainSession, chunks);
      pass(vadSession, chunks);
    }
    for (let round = 0; round < rounds; round += 1) {
      plain.push(pass(plainSession, chunks));
      vad.push(pass(vadSession, chunks));
    }
  } finally {
    await Promise.all([plainSession.close(), vadSession.close()]);
    detector.dispose();
  }
  if (wire.bytes() === 0) throw new Error('nothing reached the transport');
  return { plainUs: median(plain), vadUs: median(vad) };
}
