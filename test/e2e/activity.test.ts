/**
 * `activity: 'vad'` end to end, through the real SDK to the emulator: the fixture's five
 * utterances (test/fixtures/vad), streamed as a microphone would (four times faster than real
 * time), each bracketed by the session itself, one of them across a tool call. The emulator runs
 * with `strictActivity`: had setup left automatic activity detection on, the first activityStart
 * would have closed the connection with 1007.
 *
 * What the emulator cannot tell: how the real service takes audio inside brackets (that it answers
 * once a bracket closes, and ignores audio outside any) is what its documentation implies, and is
 * unverified; the 1007 under automatic detection rests on field reports.
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../src/index.js';
import type { Scenario } from '../../src/testing/index.js';
import { loadCorpus } from '../vad/corpus.js';
import { pcmBytes } from '../vad/wav.js';
import { emulator, fsmSession, SDK_VERSION } from './sdk.js';

const BYTES_PER_MS = 32;
const PRE_ROLL_MS = 300;
/** How much faster than real time the microphone runs. */
const SPEED = 4;

/** Answers each utterance; calls a tool half a second into the fourth, while it is still going on. */
const scenario: Scenario = {
  name: 'vad',
  steps: [
    ...[1, 2, 3].map(() => ({ after: { activityEnd: true as const }, do: [{ audio: { ms: 100 } }, { turnComplete: true as const }] })),
    { after: { activityStart: true }, do: [] },
    // The pre-roll (about 380 ms) arrives at once; then 500 ms more of the utterance.
    { after: { audioMs: 900 }, do: [{ toolCall: [{ name: 'look_up', args: {} }] }] },
    { after: { toolResponse: true }, do: [] },
    ...[4, 5].map(() => ({ after: { activityEnd: true as const }, do: [{ audio: { ms: 100 } }, { turnComplete: true as const }] })),
  ],
};

/** 20 ms chunks of `pcm`, one every `20 / SPEED` ms of wall clock. */
async function* fasterThanRealTime(pcm: Uint8Array): AsyncGenerator<Uint8Array> {
  const frameBytes = 20 * BYTES_PER_MS;
  const started = performance.now();
  for (let offset = 0, index = 0; offset < pcm.length; offset += frameBytes, index += 1) {
    const due = started + (index * 20) / SPEED;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    yield pcm.subarray(offset, Math.min(offset + frameBytes, pcm.length));
  }
}

describe(`activity: 'vad' through the real SDK (${SDK_VERSION})`, () => {
  it('brackets each utterance of the fixture once, the 300 ms before each onset first, one of them across a tool call', async () => {
    const corpus = loadCorpus();
    const pcm = pcmBytes(corpus.speech);
    // Frames sent just before the toolCall reached the session cross it on the wire: the grace
    // window takes those (counted); the client-side audit is exact.
    const emu = await emulator({ strictActivity: true, graceMs: 250, scenario });
    const tool = defineTool({ name: 'look_up', execute: () => new Promise<string>((resolve) => setTimeout(() => resolve('found'), 300)) });
    const session = fsmSession(emu, [tool], { activity: 'vad' });
    const onsets: number[] = [];
    session.on('speechStarted', ({ atMs }) => onsets.push(atMs));
    const stopped = new Promise<void>((resolve) => {
      let count = 0;
      session.on('speechStopped', () => {
        count += 1;
        if (count === corpus.utterances.length) resolve();
      });
    });
    const connecting = emu.nextConnection();
    await session.connect();
    const conn = await connecting;
    session.attachMic(fasterThanRealTime(pcm));
    await stopped;
    await conn.waitForMessage(() => conn.activity.brackets.at(-1)?.endFrame !== undefined);

    // Setup turned the server's detection off, and nothing was refused.
    expect(conn.setup?.['realtimeInputConfig']).toEqual({ automaticActivityDetection: { disabled: true } });
    expect(conn.activity.automaticDetection).toBe(false);
    expect(conn.isOpen).toBe(true);
    expect(session.gateViolations).toEqual([]);
    expect(emu.stats.violations1008).toBe(0);

    // Exactly one start and one end per utterance, and no audio outside them.
    const { brackets } = conn.activity;
    expect(brackets).toHaveLength(corpus.utterances.length);
    expect(conn.counters.activityStarts).toBe(corpus.utterances.length);
    expect(conn.counters.activityEnds).toBe(corpus.utterances.length);
    expect(conn.activity.audioOutsideMs).toBe(0);
    expect(onsets).toHaveLength(corpus.utterances.length);

    brackets.forEach((bracket, index) => {
      const onset = onsets[index] as number;
      const label = corpus.utterances[index];
      // Each onset near its utterance's label (the detector's own accuracy is gated elsewhere).
      expect(Math.abs(onset - (label?.startMs ?? 0))).toBeLessThan(150);
      // The first thing inside the bracket: the 300 ms before the onset, byte for byte.
      const from = (onset - PRE_ROLL_MS) * BYTES_PER_MS;
      expect(bracket.audio.subarray(0, PRE_ROLL_MS * BYTES_PER_MS)).toEqual(pcm.subarray(from, from + PRE_ROLL_MS * BYTES_PER_MS));
    });

    // The fourth utterance spans the tool call: its toolResponse went out inside its bracket, and
    // the audio while gated was dropped, not sent.
    const across = brackets[3];
    const answered = conn.frames.findIndex((frame) => frame.message?.toolResponse !== undefined);
    expect(answered).toBeGreaterThan(across?.startFrame ?? Infinity);
    expect(answered).toBeLessThan(across?.endFrame ?? -1);
    expect(session.metrics().dropped.gated).toBeGreaterThan(0);
    // The others are whole: from 300 ms before the onset to past the label's end.
    for (const index of [0, 1, 2, 4]) {
      const label = corpus.utterances[index];
      const covered = (brackets[index]?.audioMs ?? 0) + (onsets[index] ?? 0) - PRE_ROLL_MS;
      expect(covered).toBeGreaterThanOrEqual(label?.endMs ?? Infinity);
    }

    const m = session.metrics();
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
    expect(m.preRoll).toBeGreaterThan(0);
  }, 30_000);

  it("'server' leaves detection on and sends no signal; 'manual' turns it off and sends the app's", async () => {
    const corpus = loadCorpus();
    // The first two utterances, 4.5 s of audio, handed over at once.
    const pcm = pcmBytes(corpus.speech.subarray(0, 4_500 * 16));
    const emu = await emulator({ strictActivity: true });

    const server = fsmSession(emu, [], { activity: 'server' });
    const heard: string[] = [];
    server.on('speechStarted', ({ atMs }) => heard.push(`started ${atMs}`));
    server.on('speechStopped', ({ atMs }) => heard.push(`stopped ${atMs}`));
    let connecting = emu.nextConnection();
    await server.connect();
    const serverConn = await connecting;
    for (let offset = 0; offset < pcm.length; offset += 640) server.sendAudio(pcm.subarray(offset, offset + 640));
    await serverConn.waitForMessage(() => serverConn.counters.audioMs >= 4_500);
    expect(serverConn.activity.automaticDetection).toBe(true);
    expect(serverConn.counters.activityStarts).toBe(0);
    expect(heard.filter((line) => line.startsWith('started'))).toHaveLength(2);
    expect(serverConn.isOpen).toBe(true);

    const manual = fsmSession(emu, [], { activity: 'manual' });
    connecting = emu.nextConnection();
    await manual.connect();
    const manualConn = await connecting;
    manual.activityStart();
    manual.sendAudio(pcm.subarray(0, 640));
    manual.activityEnd();
    await manualConn.waitForMessage((message) => message.realtimeInput?.activityEnd !== undefined);
    expect(manualConn.activity.automaticDetection).toBe(false);
    expect(manualConn.activity.brackets).toHaveLength(1);
    expect(manualConn.isOpen).toBe(true);
  });
});
