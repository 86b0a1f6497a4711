/**
 * The world of the activity fuzz suite: a session with `activity: 'vad'` and WebRTC's real
 * detector, over the scripted transport, fed speech and silence frame by frame while the server
 * calls tools, the tools answer, connections drop and goAways move the session to new ones. After every command the world checks, on
 * the wire and in `metrics()`:
 *
 * - I1: no realtime input reached a server waiting on a blocking call;
 * - I4: every input counted once (`received = forwarded + dropped + deferred + buffered`), the
 *   audio received is the frames handed over plus the pre-roll, and what was forwarded is on the
 *   wire;
 * - I5: on every connection starts and ends alternate, a start first, and (with the detector
 *   owning the bracket) no audio goes out outside one; no more starts than utterances the detector
 *   heard plus the connections that opened mid-utterance; and once streaming at rest, the bracket
 *   on the wire is open exactly while the detector hears speech.
 */
import { vi } from 'vitest';
import { createLiveSession, defineTool, type LiveSession } from '../../src/index.js';
import { createWebRtcVad, syntheticSpeech, type VoiceActivityDetector } from '../../src/audio/index.js';
import type { InputPolicy } from '../../src/machines/types.js';
import { createScriptedTransport, type ScriptedConnection, type ScriptedTransport } from '../../src/testing/index.js';

/** One thing that happens in the world. */
export type ActivityCommand =
  | { kind: 'speech'; frames: number }
  | { kind: 'silence'; frames: number; noise: boolean }
  | { kind: 'toolCall' }
  | { kind: 'answer' }
  | { kind: 'drop' }
  | { kind: 'goAway' }
  | { kind: 'wait' };

/** How a world's session is set up. */
export interface ActivityWorldOptions {
  inputWhileGated: InputPolicy;
  inputWhileReconnecting: InputPolicy;
  preRollMs: number;
}

const FRAME_BYTES = 640;
/** A minute of synthetic speech, which WebRTC's detector hears as speech, read 20 ms at a time. */
const SPEECH = syntheticSpeech(60_000);

/**
 * What the cases reached, across a suite: so that the paths that matter are fuzzed, not left to
 * luck. `startHeldWhileGated`: speech began while gated; `acrossToolCall`: a bracket with a
 * toolResponse inside it; `startMadeUp` / `endMadeUp`: the session brought the wire's bracket in
 * line with the user's speech on a connection (a start or an end it sent of its own).
 */
export const reached = new Set<'startHeldWhileGated' | 'acrossToolCall' | 'startMadeUp' | 'endMadeUp'>();

/** A failed invariant. */
export class InvariantError extends Error {}

function fail(invariant: string, message: string): never {
  throw new InvariantError(`${invariant}: ${message}`);
}

/** Lets every pending promise chain run (one real macrotask). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A world; `start()` before the commands, `finish()` after, `dispose()` always. */
export class ActivityWorld {
  readonly transport: ScriptedTransport = createScriptedTransport();
  session!: LiveSession;
  private detector!: VoiceActivityDetector;
  private readonly answers: (() => void)[] = [];
  private handed = 0;
  private speechAt = 0;
  private noiseSeed = 1;
  private calls = 0;
  private utterances = 0;
  private stops = 0;

  constructor(private readonly options: ActivityWorldOptions) {}

  async start(): Promise<void> {
    this.detector = await createWebRtcVad();
    const look = defineTool({ name: 'look', execute: () => new Promise<string>((resolve) => this.answers.push(() => resolve('seen'))) });
    this.session = createLiveSession({
      transport: this.transport,
      tools: [look],
      activity: { mode: 'vad', detector: this.detector, preRollMs: this.options.preRollMs },
      inputWhileGated: this.options.inputWhileGated,
      inputWhileReconnecting: this.options.inputWhileReconnecting,
      reconnect: { maxAttempts: 1_000, baseDelayMs: 0, maxDelayMs: 0 },
    });
    this.session.on('speechStarted', () => (this.utterances += 1));
    this.session.on('speechStopped', () => (this.stops += 1));
    await this.session.connect();
    this.check();
  }

  private get current(): ScriptedConnection | undefined {
    return this.transport.connections.at(-1);
  }

  async run(command: ActivityCommand): Promise<void> {
    switch (command.kind) {
      case 'speech':
        for (let i = 0; i < command.frames; i += 1) this.send(this.speechFrame());
        break;
      case 'silence':
        for (let i = 0; i < command.frames; i += 1) this.send(this.quietFrame(command.noise));
        break;
      case 'toolCall':
        if (this.isLive()) this.current?.toolCall([{ id: `call-${++this.calls}`, name: 'look', args: {} }]);
        break;
      case 'answer':
        this.answers.shift()?.();
        break;
      case 'drop':
        if (this.isLive()) this.current?.serverClose(1011, 'Internal error');
        break;
      case 'goAway':
        // Due in 2 ms: the session moves at a turn boundary (not mid-utterance), or when it is due.
        if (this.isLive()) this.current?.goAway('0.004s');
        break;
      case 'wait':
        await new Promise((resolve) => setTimeout(resolve, 2));
        break;
    }
    await flush();
    this.check();
  }

  /** Answers every tool, lets the session settle, closes it, and checks once more. */
  async finish(): Promise<void> {
    while (this.answers.length > 0) this.answers.shift()?.();
    await flush();
    this.check();
    // A connection the last commands dropped comes back by itself (no backoff, on real timers):
    // wait for it, so that what the session owes the new connection (an activityEnd of its own)
    // is on the wire before the close, however loaded the machine is.
    await vi.waitFor(() => {
      if (this.session.state === 'idle') throw new Error('the session is still reconnecting');
    });
    this.check();
    await this.session.close();
    this.check();
    const m = this.session.metrics();
    if (m.buffered !== 0 || m.deferred !== 0) fail('I4', `closed with ${m.buffered} buffered and ${m.deferred} deferred`);
  }

  dispose(): void {
    void this.session?.close();
    this.detector?.dispose();
  }

  private isLive(): boolean {
    return this.session.state === 'streaming' || this.session.state === 'awaitingToolResponse';
  }

  private send(frame: Uint8Array): void {
    this.handed += 1;
    this.session.sendAudio(frame);
  }

  private speechFrame(): Uint8Array {
    if (this.speechAt + FRAME_BYTES > SPEECH.length) this.speechAt = 0;
    const frame = SPEECH.slice(this.speechAt, this.speechAt + FRAME_BYTES);
    this.speechAt += FRAME_BYTES;
    return frame;
  }

  /** Digital silence, or faint noise (a seeded generator: a case replays the same). */
  private quietFrame(noise: boolean): Uint8Array {
    const samples = new Int16Array(FRAME_BYTES / 2);
    if (noise) {
      for (let i = 0; i < samples.length; i += 1) {
        this.noiseSeed = (this.noiseSeed * 1_103_515_245 + 12_345) % 2 ** 31;
        samples[i] = (this.noiseSeed % 61) - 30;
      }
    }
    return new Uint8Array(samples.buffer);
  }

  /** I1, I4 and I5, as they must hold after every command. */
  check(): void {
    const m = this.session.metrics();
    for (const connection of this.transport.connections) {
      if (connection.violations.length > 0) fail('I1', `connection ${connection.index} saw realtime input while a call was pending`);
    }
    if (m.totalReceived !== m.totalForwarded + m.totalDropped + m.deferred + m.buffered) {
      fail('I4', `received ${m.totalReceived} != forwarded ${m.totalForwarded} + dropped ${m.totalDropped} + deferred ${m.deferred} + buffered ${m.buffered}`);
    }
    if (m.received.audio !== this.handed + m.preRoll) fail('I4', `${this.handed} frames handed over and ${m.preRoll} of pre-roll, ${m.received.audio} audio inputs received`);
    const onWire = this.transport.frames.filter(({ frame }) => frame.type === 'realtimeInput').length;
    if (m.totalForwarded !== onWire) fail('I4', `${m.totalForwarded} inputs counted forwarded, ${onWire} on the wire`);

    let starts = 0;
    for (const connection of this.transport.connections) starts += checkBrackets(connection);
    const connectionsAfterFirst = this.transport.connections.length - 1;
    if (starts > this.utterances + connectionsAfterFirst) {
      fail('I5', `${starts} activityStarts on the wire for ${this.utterances} utterances and ${connectionsAfterFirst} reconnects`);
    }
    const { context } = this.session.actor.getSnapshot();
    if (context.deferredActivity.includes('activityStart')) reached.add('startHeldWhileGated');
    if (m.received.activityStart > this.utterances) reached.add('startMadeUp');
    if (m.received.activityEnd > this.stops) reached.add('endMadeUp');
    if (this.session.state === 'streaming' && m.buffered === 0 && context.activityOpen !== (context.userSpeaking === true)) {
      fail('I5', `streaming with the bracket ${context.activityOpen ? 'open' : 'closed'} while the user is ${context.userSpeaking ? '' : 'not '}speaking`);
    }
  }
}

/** I5 on one connection: starts and ends alternate, a start first, and no audio outside a bracket. Returns its starts. */
function checkBrackets(connection: ScriptedConnection): number {
  let open = false;
  let starts = 0;
  for (const { frame, seq } of connection.frames) {
    if (frame.type === 'toolResponse' && open) reached.add('acrossToolCall');
    if (frame.type !== 'realtimeInput') continue;
    const { kind } = frame.input;
    if (kind === 'activityStart') {
      if (open) fail('I5', `a second activityStart (frame ${seq}) on connection ${connection.index}`);
      open = true;
      starts += 1;
    } else if (kind === 'activityEnd') {
      if (!open) fail('I5', `an activityEnd with no start (frame ${seq}) on connection ${connection.index}`);
      open = false;
    } else if (kind === 'audio' && !open) {
      fail('I5', `audio outside a bracket (frame ${seq}) on connection ${connection.index}`);
    }
  }
  return starts;
}
