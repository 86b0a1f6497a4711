/**
 * The `activity` option in a session, over the scripted transport with a deterministic energy
 * detector: what goes on the wire in each mode (the bracket, the pre-roll, nothing outside it in
 * 'vad'), the speech events in stream time, the counters (I4 with the pre-roll), and the gate and
 * reconnects around a bracket (I5).
 */
import { describe, expect, it } from 'vitest';
import { defineTool, type LiveSession } from '../../src/index.js';
import type { ScriptedConnection } from '../../src/testing/index.js';
import { connectedSession, deferred, isToolResponse, sentKinds, waitForState, type Harness } from '../helpers.js';
import { bracketsOn, bytesOf, energyDetector, stream } from './activityAudio.js';

/** I4, as `metrics()` tells it. */
function expectCountsAddUp(session: LiveSession) {
  const m = session.metrics();
  expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
}

function vadSession(options: Parameters<typeof connectedSession>[0] = {}): Promise<Harness> {
  return connectedSession({ activity: { mode: 'vad', detector: energyDetector() }, ...options });
}

function play(session: LiveSession, frames: readonly Uint8Array[], from = 0, to = frames.length) {
  for (let i = from; i < to; i += 1) session.sendAudio(frames[i] as Uint8Array);
}

describe("activity: 'vad'", () => {
  it('brackets an utterance: start, the 300 ms before its onset, the live audio, end; nothing outside', async () => {
    const h = await vadSession();
    expect(h.server.request.automaticActivityDetection).toBe(false);
    // 20 quiet frames (400 ms), 10 loud (200 ms), 30 quiet: speech from 400 ms, told at 480 ms
    // (80 ms of it), over at 600 ms, told 500 ms later.
    const frames = stream([20, 10, 30]);
    play(h.session, frames);

    expect(sentKinds(h.server)).toEqual(['activityStart', ...Array<string>(50).fill('audio'), 'activityEnd']);
    // From 100 ms (frame 5) to the end of the hangover (frame 54), each byte once, in order.
    expect(bracketsOn(h.server)).toEqual([bytesOf(frames, 5, 55)]);
    expect(h.of('speechStarted')).toEqual([{ type: 'speechStarted', atMs: 400, detectedAtMs: 480 }]);
    expect(h.of('speechStopped')).toEqual([{ type: 'speechStopped', atMs: 600, detectedAtMs: 1100 }]);

    const m = h.session.metrics();
    // 19 frames of pre-roll (100 to 480 ms); 24 frames before the start and 5 after the end not sent.
    expect(m.preRoll).toBe(19);
    expect(m.dropped.outsideActivity).toBe(29);
    expect(m.received.audio).toBe(60 + 19);
    expect(m.forwarded.audio).toBe(50);
    expectCountsAddUp(h.session);
    // Audio outside a bracket is counted, not reported frame by frame.
    expect(h.of('inputDropped')).toEqual([]);
  });

  it('takes preRollMs, and never sends audio twice when speech resumes right after a bracket closed', async () => {
    const h = await vadSession({ activity: { mode: 'vad', detector: energyDetector(), preRollMs: 100 } });
    // The second onset comes 5 frames after the first bracket closed: its pre-roll starts there.
    const frames = stream([10, 10, 30, 10, 30]);
    play(h.session, frames);
    const closedAt = 10 + 10 + 25; // the end, after 25 quiet frames of hangover
    expect(bracketsOn(h.server)).toEqual([bytesOf(frames, 5, closedAt), bytesOf(frames, closedAt, 60 + 25)]);
    expectCountsAddUp(h.session);
  });

  it('refuses the application’s activity signals: the detector owns the bracket', async () => {
    const h = await vadSession();
    const errors: string[] = [];
    h.session.on('error', ({ error }) => errors.push(error.code));
    h.session.activityStart();
    h.session.activityEnd();
    expect(h.server.frames).toEqual([]);
    expect(h.session.metrics().dropped.invalid).toBe(2);
    expect(errors).toEqual(['INVALID_INPUT', 'INVALID_INPUT']);
    expectCountsAddUp(h.session);
  });

  it('gate: speech that starts while gated has its start held back and its audio dropped (inputWhileGated drop)', async () => {
    const answer = deferred<string>();
    const h = await vadSession({ tools: [defineTool({ name: 'f', execute: () => answer.promise })] });
    const frames = stream([10, 10, 40]);
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    play(h.session, frames, 0, 25);
    expect(h.server.frames).toEqual([]);
    expect(h.session.metrics().deferred).toBe(1);
    answer.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    play(h.session, frames, 25);
    // The start right after the toolResponse; the audio from then on, up to the end.
    expect(sentKinds(h.server)).toEqual(['toolResponse', 'activityStart', ...Array<string>(20).fill('audio'), 'activityEnd']);
    expect(bracketsOn(h.server)).toEqual([bytesOf(frames, 25, 45)]);
    expect(h.server.violations).toEqual([]);
    const m = h.session.metrics();
    // The pre-roll (14 frames, 0 to 280 ms) and the live audio while gated (11 frames) were dropped.
    expect(m.preRoll).toBe(14);
    expect(m.dropped.gated).toBe(14 + 11);
    expectCountsAddUp(h.session);
  });

  it('gate: under inputWhileGated buffer, the utterance’s start, pre-roll and audio go out in order when the gate reopens', async () => {
    const answer = deferred<string>();
    const h = await vadSession({
      tools: [defineTool({ name: 'f', execute: () => answer.promise })],
      inputWhileGated: { buffer: { maxMs: 2000 } },
    });
    const frames = stream([20, 10, 40]);
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    play(h.session, frames, 0, 35);
    answer.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    await waitForState(h.session, 'streaming');
    play(h.session, frames, 35);
    expect(sentKinds(h.server).slice(0, 2)).toEqual(['toolResponse', 'activityStart']);
    expect(bracketsOn(h.server)).toEqual([bytesOf(frames, 5, 55)]);
    expect(h.session.metrics().dropped.activityAlreadyOpen).toBe(0);
    expectCountsAddUp(h.session);
  });

  it('gate: an end that comes while gated is sent right after the toolResponse (I5)', async () => {
    const answer = deferred<string>();
    const h = await vadSession({ tools: [defineTool({ name: 'f', execute: () => answer.promise })] });
    const frames = stream([10, 10, 40]);
    play(h.session, frames, 0, 22);
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    play(h.session, frames, 22);
    expect(h.session.metrics().deferred).toBe(1);
    answer.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    const kinds = sentKinds(h.server);
    expect(kinds.filter((kind) => kind !== 'audio')).toEqual(['activityStart', 'toolResponse', 'activityEnd']);
    expect(h.server.violations).toEqual([]);
    expectCountsAddUp(h.session);
  });

  it('reconnect: a connection opened mid-utterance opens a bracket of its own before the buffered audio', async () => {
    const h = await vadSession();
    const frames = stream([10, 20, 40]);
    play(h.session, frames, 0, 20);
    h.server.serverClose(1011, 'Internal error');
    await waitForState(h.session, 'idle');
    play(h.session, frames, 20, 25); // buffered while reconnecting
    await waitForState(h.session, 'streaming');
    const second = h.transport.connections[1] as ScriptedConnection;
    play(h.session, frames, 25);
    expect(sentKinds(second)[0]).toBe('activityStart');
    expect(bracketsOn(second)).toEqual([bytesOf(frames, 20, 55)]);
    // Counted as an activityStart received and forwarded: I4 and the wire agree.
    const m = h.session.metrics();
    expect(m.received.activityStart).toBe(2);
    expect(m.forwarded.activityStart).toBe(2);
    expectCountsAddUp(h.session);
  });

  it('reconnect: with nothing buffered, the new connection opens the bracket as it starts streaming', async () => {
    const h = await vadSession({ inputWhileReconnecting: 'drop' });
    const frames = stream([10, 20, 40]);
    play(h.session, frames, 0, 20);
    h.server.serverClose(1011, 'Internal error');
    await waitForState(h.session, 'idle');
    play(h.session, frames, 20, 25); // dropped
    await waitForState(h.session, 'streaming');
    const second = h.transport.connections[1] as ScriptedConnection;
    play(h.session, frames, 25);
    expect(bracketsOn(second)).toEqual([bytesOf(frames, 25, 55)]);
    expectCountsAddUp(h.session);
  });

  // Found by test/fuzz/activity.fuzz.test.ts.
  it('gate: a start evicted from the buffer is made up for, so the buffered speech is still inside a bracket', async () => {
    const answer = deferred<string>();
    const h = await vadSession({
      tools: [defineTool({ name: 'f', execute: () => answer.promise })],
      inputWhileGated: { buffer: { maxMs: 300 } },
      activity: { mode: 'vad', detector: energyDetector(), preRollMs: 0 },
    });
    const frames = stream([0, 21, 40]);
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    play(h.session, frames, 0, 21); // the start and 17 frames buffered; 300 ms kept
    expect(h.session.metrics().dropped.evicted).toBeGreaterThan(0);
    answer.resolve('ok');
    await h.server.waitForFrame(isToolResponse);
    await waitForState(h.session, 'streaming');
    play(h.session, frames, 21);
    expect(sentKinds(h.server).slice(0, 3)).toEqual(['toolResponse', 'activityStart', 'audio']);
    expect(bracketsOn(h.server)).toEqual([bytesOf(frames, 6, 46)]);
    expectCountsAddUp(h.session);
  });

  // Found by test/fuzz/activity.fuzz.test.ts.
  it('reconnect: an end dropped between connections, its start still buffered, is made up for on the new one', async () => {
    const h = await vadSession({
      tools: [defineTool({ name: 'f', execute: () => new Promise(() => undefined) })],
      inputWhileGated: { buffer: { maxMs: 3000 } },
      inputWhileReconnecting: 'drop',
      activity: { mode: 'vad', detector: energyDetector(), preRollMs: 0 },
    });
    const frames = stream([0, 10, 30]);
    h.server.toolCall([{ id: 'c1', name: 'f', args: {} }]);
    play(h.session, frames, 0, 10); // the start and 6 frames buffered while gated
    h.server.serverClose(1011, 'Internal error');
    await waitForState(h.session, 'idle');
    play(h.session, frames, 10); // the end comes between connections, and is dropped
    expect(h.session.metrics().dropped.notStreaming).toBeGreaterThan(0);
    await waitForState(h.session, 'streaming');
    const second = h.transport.connections[1] as ScriptedConnection;
    expect(sentKinds(second)).toEqual(['activityStart', ...Array<string>(6).fill('audio'), 'activityEnd']);
    const m = h.session.metrics();
    expect(m.received.activityEnd).toBe(2);
    expect(m.forwarded.activityEnd).toBe(1);
    expectCountsAddUp(h.session);
  });
});

describe("activity: 'server'", () => {
  it('sends every frame and no activity signal; speech events come from the detector, for the UI only', async () => {
    const h = await connectedSession({ activity: { mode: 'server', detector: energyDetector() } });
    expect(h.server.request.automaticActivityDetection).toBeUndefined();
    play(h.session, stream([20, 10, 30]));
    expect(sentKinds(h.server)).toEqual(Array<string>(60).fill('audio'));
    expect(h.of('speechStarted')).toEqual([{ type: 'speechStarted', atMs: 400, detectedAtMs: 480 }]);
    expect(h.of('speechStopped')).toEqual([{ type: 'speechStopped', atMs: 600, detectedAtMs: 1100 }]);
    expect(h.session.metrics().preRoll).toBe(0);
    // The server owns the bracket: signals from the app would close the connection (1007).
    h.session.activityStart();
    expect(sentKinds(h.server)).toHaveLength(60);
    expect(h.session.metrics().dropped.invalid).toBe(1);
    expectCountsAddUp(h.session);
  });
});

describe("activity: 'manual'", () => {
  it('the app’s signals bracket the audio, with speech events in stream time; setup turns server detection off', async () => {
    const h = await connectedSession({ activity: 'manual' });
    expect(h.server.request.automaticActivityDetection).toBe(false);
    const frames = stream([60]);
    play(h.session, frames, 0, 10);
    h.session.activityStart();
    play(h.session, frames, 10, 30);
    h.session.activityEnd();
    play(h.session, frames, 30);
    expect(sentKinds(h.server)).toEqual([...Array<string>(10).fill('audio'), 'activityStart', ...Array<string>(20).fill('audio'), 'activityEnd', ...Array<string>(30).fill('audio')]);
    expect(h.of('speechStarted')).toEqual([{ type: 'speechStarted', atMs: 200, detectedAtMs: 200 }]);
    expect(h.of('speechStopped')).toEqual([{ type: 'speechStopped', atMs: 600, detectedAtMs: 600 }]);
    expectCountsAddUp(h.session);
  });

  it('counts a second press and a release with nothing pressed as dropped, as without the option', async () => {
    const h = await connectedSession({ activity: 'manual' });
    h.session.activityEnd();
    h.session.activityStart();
    h.session.activityStart();
    h.session.activityEnd();
    expect(sentKinds(h.server)).toEqual(['activityStart', 'activityEnd']);
    const m = h.session.metrics();
    expect(m.dropped.noOpenActivity).toBe(1);
    expect(m.dropped.activityAlreadyOpen).toBe(1);
    expect(h.of('speechStarted')).toHaveLength(1);
    expectCountsAddUp(h.session);
  });

  it('sends a pre-roll when asked: the audio before the press, again, inside the bracket', async () => {
    const h = await connectedSession({ activity: { mode: 'manual', preRollMs: 100 } });
    const frames = stream([20]);
    play(h.session, frames, 0, 10);
    h.session.activityStart();
    expect(bracketsOn({ ...h.server, frames: h.server.frames.slice(10) })).toEqual([bytesOf(frames, 5, 10)]);
    expect(h.session.metrics().preRoll).toBe(5);
    expectCountsAddUp(h.session);
  });
});

describe('without the activity option', () => {
  it('runs no activity actor, declares nothing, and emits no speech events', async () => {
    const h = await connectedSession();
    expect(h.server.request.automaticActivityDetection).toBeUndefined();
    expect(h.session.actor.getSnapshot().children['activity']).toBeUndefined();
    play(h.session, stream([20, 10, 30]));
    expect(sentKinds(h.server)).toHaveLength(60);
    expect(h.emitted.filter((event) => event.type.startsWith('speech'))).toEqual([]);
  });
});

