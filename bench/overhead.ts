/**
 * `npm run bench:overhead`: the session's own CPU per frame, without a network. Sessions stream
 * to a transport that only builds each frame's wire text (what the SDK adapter does before the
 * socket), so what is left is the session: the fast path of `sendAudio`; every frame sent to the
 * actor as an event, which the machine forwards (the path every frame took before the fast path);
 * `sendAudio` with an inspector attached, whose frames keep the lane; and with an inspector that
 * asks for every frame (`observeEveryFrame`), which makes every frame an event and pays for the
 * inspection events besides. Run node with `--expose-gc`.
 */
import { createLiveSession, type LiveSession } from '../src/index.js';
import { audioFrameText } from '../src/adapters/genai.js';
import { wireTextTransport } from './wireTextTransport.js';
import { INPUT_AUDIO_MIME_TYPE } from '../src/protocol/messages.js';
import { pcmFrame } from './config.js';
import { collectGarbage, median } from './stats.js';

// BENCH_QUICK=1 runs it briefly (what the smoke test runs); its figures mean nothing.
const QUICK = process.env['BENCH_QUICK'] === '1';
const SESSIONS = QUICK ? 10 : 200;
const FRAMES_PER_SESSION = QUICK ? 20 : 200;
const ROUNDS = QUICK ? 3 : 15;

let wireBytes = 0;

const wire = wireTextTransport();
const nullTransport = wire.transport;

/** Median CPU µs per frame of `send` over the rounds, each after a full GC. */
function perFrame(send: () => void, frames: number): number {
  for (let i = 0; i < 3; i += 1) send();
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    collectGarbage();
    const start = process.cpuUsage();
    send();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / frames);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const frame = pcmFrame();
  const sessions: LiveSession[] = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    const session = createLiveSession({ transport: nullTransport, tools: [] });
    await session.connect();
    sessions.push(session);
  }
  const frames = SESSIONS * FRAMES_PER_SESSION;
  const stream = () => {
    for (let k = 0; k < FRAMES_PER_SESSION; k += 1) for (const session of sessions) session.sendAudio(frame);
  };

  const textOnly = perFrame(() => {
    for (let k = 0; k < frames; k += 1) wireBytes += audioFrameText(frame).length;
  }, frames);
  const fast = perFrame(stream, frames);
  const event = { type: 'input.audio', data: frame, mimeType: INPUT_AUDIO_MIME_TYPE } as const;
  const asEvents = perFrame(() => {
    for (let k = 0; k < FRAMES_PER_SESSION; k += 1) for (const session of sessions) session.actor.send(event);
  }, frames);
  const inspections = sessions.map((session) => session.actor.system.inspect(() => undefined));
  const inspectedOnLane = perFrame(stream, frames);
  const everyFrame = sessions.map((session) => session.observeEveryFrame());
  const inspected = perFrame(stream, frames);
  for (const release of everyFrame) release();
  for (const inspection of inspections) inspection.unsubscribe();
  await Promise.all(sessions.map((session) => session.close()));

  console.log(`${SESSIONS} sessions, ${frames} frames a round, median of ${ROUNDS} rounds (CPU µs per frame):`);
  console.log(`| path | per frame | over the wire text alone |`);
  console.log(`|---|---|---|`);
  console.log(`| wire text alone (base64 + concatenation) | ${textOnly.toFixed(2)} | — |`);
  console.log(`| session, fast path | ${fast.toFixed(2)} | ${(fast - textOnly).toFixed(2)} |`);
  console.log(`| session, every frame an event the machine processes | ${asEvents.toFixed(2)} | ${(asEvents - textOnly).toFixed(2)} |`);
  console.log(`| session, inspector attached (frames keep the lane) | ${inspectedOnLane.toFixed(2)} | ${(inspectedOnLane - textOnly).toFixed(2)} |`);
  console.log(`| session, inspector attached that asks for every frame (every frame an event, and inspected) | ${inspected.toFixed(2)} | ${(inspected - textOnly).toFixed(2)} |`);
  if (wire.bytes() + wireBytes === 0) throw new Error('nothing reached the transport');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
