/**
 * The world a fuzz case runs in: a real `createLiveSession` over a scripted transport (the
 * server), tools whose results the fast-check scheduler releases, a mic the test pushes frames
 * into, fake timers for timeouts, and our own bookkeeping of everything the server did and got.
 * `check()` asserts I1–I7 after every step; `finish()` lets everything settle and asserts what
 * must hold once nothing is left to happen.
 */
import type { Scheduler } from 'fast-check';
import { afterAll, beforeAll, vi } from 'vitest';
import { createLiveSession, defineTool, LiveSessionError, type LiveSession } from '../../src/index.js';
import type { FunctionCall } from '../../src/protocol/index.js';
import type { InputPolicy } from '../../src/machines/types.js';
import {
  createScriptedTransport,
  type RecordedFrame,
  type ScriptedConnection,
  type ScriptedTransport,
} from '../../src/testing/index.js';
import { PushSource } from './pushSource.js';

/**
 * How a tool call behaves: settles at once, later (released by the scheduler), rejects later,
 * throws, hangs until its timeout, names no tool, gets invalid arguments, closes the session from
 * inside `execute` (a hang-up tool), or talks to the session from inside `execute`.
 */
export const BEHAVIOURS = ['sync', 'async', 'reject', 'throw', 'hang', 'unknown', 'badArgs', 'hangUp', 'chatty'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** A realtime input the application can send. */
export const INPUT_KINDS = ['audio', 'video', 'text', 'activityStart', 'activityEnd', 'audioStreamEnd'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** Server messages that change nothing the gate depends on. */
export const NOISE = [
  'content',
  'usage',
  'goAway',
  'resumption',
  'resumptionNotResumable',
  'malformed',
  'transportError',
  'setupAgain',
] as const;
export type Noise = (typeof NOISE)[number];

/** Close codes a server (or a dropped socket) ends a connection with. */
export const CLOSE_CODES = [1000, 1006, 1007, 1008, 1011] as const;

/** Emitted event types a throwing application listener may be subscribed to. */
export const LISTENED = ['gate', 'toolCall', 'toolResult', 'inputDropped', 'audio', 'goAway', 'closed'] as const;

/** What a re-entrant application listener does from inside the session's event. */
export const REENTRANT_ACTS = ['audio', 'activityStart', 'activityEnd', 'close'] as const;

/**
 * The events a re-entrant listener may act on. Not `inputDropped`: an input sent from the drop
 * of an input is dropped again, forever (the application's loop, not the session's).
 */
export const REENTRANT_ON = ['gate', 'toolCall', 'toolResult', 'audio', 'goAway', 'closed'] as const;

export interface WorldOptions {
  scheduler: Scheduler;
  /** The session's `toolTimeoutMs` (fake milliseconds). */
  toolTimeoutMs: number;
  /** An application listener on this event type throws every time. */
  throwingListener?: (typeof LISTENED)[number] | undefined;
  /** An application listener that calls the session back from inside one of its events. */
  reentrant?: { on: (typeof REENTRANT_ON)[number]; act: (typeof REENTRANT_ACTS)[number] } | undefined;
  /** The session's `inputWhileGated` policy (default: drop). */
  inputWhileGated?: InputPolicy | undefined;
}

/**
 * The session's reconnect settings (fake milliseconds): two attempts in a row, a backoff and a
 * stable time the clock commands reach. `Math.random` is pinned while a case runs, so the
 * backoff's jitter is the same on every replay.
 */
export const RECONNECT = { maxAttempts: 2, baseDelayMs: 200, maxDelayMs: 1_000, stableAfterMs: 1_500 } as const;

/** The session's `connectTimeoutMs` (fake milliseconds): short enough for the clock to reach. */
export const CONNECT_TIMEOUT_MS = 2_000;

/** 20 ms of 16 kHz PCM16. */
const FRAME = new Uint8Array(640);
const TOOL = 'work';
const STRICT_TOOL = 'strict';
const FAILURE = 'tool failed';

/** A call the server made, and what became of it. */
interface CallRecord {
  id: string;
  behaviour: Behaviour;
  /** Which connection it came on. */
  connection: number;
  /** Fake time when the server sent it. */
  issuedAt: number;
  signal: AbortSignal | undefined;
  /** The server cancelled it while it was pending. */
  cancelled: boolean;
  /** Its tool settled and the session recorded the answer. */
  settled: boolean;
  /** The session closed while its tool was still running. */
  orphaned: boolean;
}

/** Something the server did, at a position in the stream of frames it received. */
type ServerAction =
  | { at: number; kind: 'call'; ids: string[] }
  | { at: number; kind: 'cancel'; ids: string[] }
  | { at: number; kind: 'close'; connection: number };

const realSetImmediate = globalThis.setImmediate;

/** Lets every pending promise chain run: one real macrotask drains the microtask queue. */
export function flush(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** An invariant broke: the message says which and why. */
export class InvariantError extends Error {}

function fail(invariant: string, detail: string): never {
  throw new InvariantError(`${invariant}: ${detail}`);
}

/** Unhandled rejections and uncaught exceptions, collected while a fuzz suite runs (I6). */
export const processFailures: unknown[] = [];
const onProcessFailure = (error: unknown) => {
  processFailures.push(error);
};

/** Watches the process (I6) for the whole of the current test file. */
export function watchProcessDuringSuite(): void {
  let unwatch: () => void = () => undefined;
  beforeAll(() => {
    unwatch = watchProcess();
  });
  afterAll(() => {
    unwatch();
    processFailures.length = 0;
  });
}

/** Installs the I6 listeners; returns their removal. Call in `beforeAll`. */
export function watchProcess(): () => void {
  process.on('unhandledRejection', onProcessFailure);
  process.on('uncaughtException', onProcessFailure);
  return () => {
    process.off('unhandledRejection', onProcessFailure);
    process.off('uncaughtException', onProcessFailure);
  };
}

/**
 * One fuzz case: the session, its server, its tools, its mic and its clock, and the bookkeeping
 * that `check()` holds them to. Create one per case and `dispose()` it after.
 */
export class World {
  readonly transport: ScriptedTransport;
  readonly session: LiveSession;
  readonly errors: unknown[] = [];
  private readonly calls = new Map<string, CallRecord>();
  private readonly log: ServerAction[] = [];
  private nextId = 0;
  private mic: PushSource | undefined;
  private connecting: Promise<void> | undefined;
  /** Connections (by index) whose setup the server completed, or that it refused. */
  private readonly accepted = new Set<number>();
  private readonly refused = new Set<number>();
  private readonly restoreRandom: () => void;
  /** Frames on the wire when the session closed. */
  private framesAtClose: number | undefined;
  // Replay of the server's view, up to `cursor` frames.
  private cursor = 0;
  private logCursor = 0;
  private readonly serverPending = new Set<string>();
  private readonly answers = new Map<string, number>();
  private wireActivityOpen = false;
  /** The connection the activity bracket above is on: a new connection starts with none open. */
  private wireConnection = 0;
  /** The application asked for an activityEnd while one was open on the wire: it is owed. */
  private endOwed = false;
  /** Every input handed to the session, by kind: by the application, and by the mic actor. */
  private readonly handed: Record<InputKind, number> = {
    audio: 0,
    video: 0,
    text: 0,
    activityStart: 0,
    activityEnd: 0,
    audioStreamEnd: 0,
  };

  constructor(private readonly options: WorldOptions) {
    // A failure of an earlier case has been reported with that case.
    processFailures.length = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    this.restoreRandom = () => random.mockRestore();
    this.transport = createScriptedTransport({ open: 'manual' });
    const runTool = (call: { callId: string | undefined; signal: AbortSignal }) => this.runTool(call);
    this.session = createLiveSession({
      transport: this.transport,
      toolTimeoutMs: options.toolTimeoutMs,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      reconnect: { ...RECONNECT },
      ...(options.inputWhileGated ? { inputWhileGated: options.inputWhileGated } : {}),
      // The mic actor's chunks go straight to the machine: count them where they are handed over.
      inspect: (event) => {
        const source = event.type === '@xstate.event' ? (event.sourceRef as { id?: string } | undefined) : undefined;
        if (source?.id === 'mic' && event.type === '@xstate.event' && event.event.type === 'input.audio') {
          this.handed.audio += 1;
        }
      },
      tools: [
        defineTool({ name: TOOL, execute: (_args, context) => runTool(context) }),
        defineTool({
          name: STRICT_TOOL,
          parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
          execute: (_args, context) => runTool(context),
        }),
      ],
    });
    this.session.on('error', ({ error }) => this.errors.push(error));
    this.session.on('toolResult', ({ call }) => {
      const record = this.calls.get(call.id ?? '');
      if (record) record.settled = true;
    });
    const { reentrant } = options;
    if (reentrant) {
      this.session.on(reentrant.on, () => {
        if (reentrant.act === 'close') void this.close();
        else this.input(reentrant.act);
      });
    }
    if (options.throwingListener) {
      this.session.on(options.throwingListener, () => {
        throw new Error(`a listener of ${options.throwingListener} threw`);
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // What the application does

  get isClosed(): boolean {
    return this.session.actor.getSnapshot().status !== 'active';
  }

  get canConnect(): boolean {
    return this.connecting === undefined && !this.isClosed;
  }

  connect(): void {
    this.connecting = this.session.connect();
    // connect() rejects when the session closes first: the test does not wait on it.
    this.connecting.catch(() => undefined);
  }

  input(kind: InputKind): void {
    this.replayWire();
    this.handed[kind] += 1;
    this.followConnection();
    // Owed only if it can go out on the connection whose bracket is open: between connections it
    // is buffered or dropped, and the next connection starts with no activity open.
    const live = this.session.state === 'streaming' || this.session.state === 'awaitingToolResponse';
    if (kind === 'activityEnd' && this.wireActivityOpen && live) this.endOwed = true;
    switch (kind) {
      case 'audio':
        return this.session.sendAudio(FRAME);
      case 'video':
        return this.session.sendVideo(new Uint8Array([0xff, 0xd8]), 'image/jpeg');
      case 'text':
        return this.session.sendText('hi');
      case 'activityStart':
        return this.session.activityStart();
      case 'activityEnd':
        return this.session.activityEnd();
      case 'audioStreamEnd':
        return this.session.audioStreamEnd();
    }
  }

  attachMic(): void {
    this.mic = new PushSource();
    this.session.attachMic(this.mic);
  }

  micFrame(): void {
    if (!this.mic) this.attachMic();
    this.mic?.push(FRAME);
  }

  endMic(fails: boolean): void {
    if (fails) this.mic?.fail(new Error('the microphone went away'));
    else this.mic?.end();
    this.mic = undefined;
  }

  detachMic(): void {
    this.mic = undefined;
    this.session.detachMic();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  // -------------------------------------------------------------------------------------------
  // What the server does

  /** The newest connection: after a reconnect, the one the session opened last. */
  private get connection(): ScriptedConnection | undefined {
    return this.transport.connections.at(-1);
  }

  /** A connection is opening and setup has not completed. */
  get isConnecting(): boolean {
    const connection = this.connection;
    return (
      connection !== undefined &&
      !this.accepted.has(connection.index) &&
      !this.refused.has(connection.index) &&
      connection.closedWith === undefined
    );
  }

  /** Setup completed and the connection is open: the server can speak. */
  get isConnected(): boolean {
    const connection = this.connection;
    return connection !== undefined && this.accepted.has(connection.index) && connection.closedWith === undefined;
  }

  accept(): void {
    const connection = this.connection;
    if (!connection) return;
    this.accepted.add(connection.index);
    connection.accept();
  }

  refuse(code: number): void {
    const connection = this.connection;
    if (!connection) return;
    this.refused.add(connection.index);
    this.log.push({ at: this.transport.frames.length, kind: 'close', connection: connection.index });
    if (code === 1006) connection.reject(new Error('connect ECONNREFUSED'));
    else connection.serverClose(code, 'refused');
  }

  /**
   * Sends a toolCall with one call per behaviour, plus, with `repeat`, an id issued before (picked
   * by position): a repeat of a pending id must not run twice, and a finished id may be reused.
   */
  toolCall(behaviours: readonly Behaviour[], repeat?: number): void {
    const connection = this.connection;
    if (!connection) return;
    this.replayWire();
    const issue = (id: string, behaviour: Behaviour): FunctionCall => {
      this.calls.set(id, {
        id,
        behaviour,
        connection: connection.index,
        issuedAt: Date.now(),
        signal: undefined,
        cancelled: false,
        settled: false,
        orphaned: false,
      });
      this.answers.delete(id);
      return callOf(id, behaviour);
    };
    const calls = behaviours.map((behaviour) => issue(`c${++this.nextId}`, behaviour));
    const issued = [...this.calls.keys()];
    if (repeat !== undefined && issued.length > behaviours.length) {
      const id = issued[repeat % (issued.length - behaviours.length)] as string;
      const earlier = this.calls.get(id) as CallRecord;
      calls.push(this.pendingOn(connection.index).includes(id) ? callOf(id, earlier.behaviour) : issue(id, 'sync'));
    }
    const ids = calls.map((call) => call.id as string);
    this.log.push({ at: this.transport.frames.length, kind: 'call', ids });
    connection.toolCall(calls);
  }

  /**
   * Cancels ids chosen by position among every id issued so far (pending, answered or cancelled
   * already; the same one twice if picked twice), plus an id the server never used when `stale`.
   */
  cancel(picks: readonly number[], stale: boolean): void {
    const connection = this.connection;
    if (!connection) return;
    const issued = [...this.calls.keys()];
    const ids = picks.flatMap((pick) => (issued.length > 0 ? [issued[pick % issued.length] as string] : []));
    if (stale) ids.push('never-called');
    if (ids.length === 0) return;
    this.log.push({ at: this.transport.frames.length, kind: 'cancel', ids });
    connection.cancel(ids);
  }

  /** An older connection is still open: a goAway announced its end and a new one is opening. */
  get hasOldConnection(): boolean {
    return this.oldConnection() !== undefined;
  }

  /** The server closes that older connection (its deadline came). */
  closeOld(code: number): void {
    const old = this.oldConnection();
    if (!old) return;
    this.log.push({ at: this.transport.frames.length, kind: 'close', connection: old.index });
    old.serverClose(code, 'deadline');
  }

  private oldConnection(): ScriptedConnection | undefined {
    return this.transport.connections
      .slice(0, -1)
      .reverse()
      .find((c) => this.accepted.has(c.index) && c.closedWith === undefined);
  }

  noise(kind: Noise): void {
    const connection = this.connection;
    if (!connection) return;
    switch (kind) {
      case 'content':
        return connection.send({
          serverContent: {
            modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] },
            turnComplete: true,
          },
        });
      case 'usage':
        return connection.send({ usageMetadata: { totalTokenCount: 3 } });
      case 'goAway':
        // Close enough for the clock commands to reach the fresh-handle wait (1 s before it).
        return connection.goAway('2s');
      case 'resumptionNotResumable':
        return connection.send({ sessionResumptionUpdate: { resumable: false } });
      case 'resumption':
        return connection.send({ sessionResumptionUpdate: { newHandle: 'h', resumable: true } });
      case 'malformed':
        return connection.send({ toolCall: { functionCalls: 'none' } });
      case 'transportError':
        return connection.error(new Error('socket hiccup'));
      case 'setupAgain':
        return connection.setupComplete();
    }
  }

  /** The server closes the connection; `session not found` with 1008 is a retryable close. */
  serverClose(code: number, reason = 'bye'): void {
    const connection = this.connection;
    if (!connection) return;
    this.log.push({ at: this.transport.frames.length, kind: 'close', connection: connection.index });
    connection.serverClose(code, reason);
  }

  // -------------------------------------------------------------------------------------------
  // Tools and time

  private runTool({ callId, signal }: { callId: string | undefined; signal: AbortSignal }): unknown {
    const call = this.calls.get(callId ?? '');
    if (!call) throw new Error(`a tool ran for a call the server never made: ${callId}`);
    call.signal = signal;
    const { scheduler } = this.options;
    switch (call.behaviour) {
      case 'sync':
        return { done: call.id };
      case 'async':
        return scheduler.schedule(Promise.resolve({ done: call.id }), `${call.id} resolves`);
      case 'reject':
        return scheduler.schedule(Promise.resolve(), `${call.id} rejects`).then(() => {
          throw new Error(FAILURE);
        });
      case 'throw':
        throw new Error(FAILURE);
      case 'hangUp':
        void this.close();
        return { done: call.id };
      case 'chatty':
        this.input('audio');
        this.input('activityEnd');
        return { done: call.id };
      default:
        // hang (and, never reached, unknown and badArgs: the executor answers those itself).
        return new Promise(() => undefined);
    }
  }

  /** Whether the scheduler holds a tool result not yet released. */
  get hasScheduled(): boolean {
    return this.options.scheduler.count() > 0;
  }

  /** Releases one scheduled tool result, the scheduler choosing which. */
  async release(): Promise<void> {
    if (this.hasScheduled) await this.options.scheduler.waitNext(1);
    await flush();
  }

  async advance(ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
    await flush();
  }

  // -------------------------------------------------------------------------------------------
  // The invariants

  /**
   * Checks I1–I7 as they must hold at any point. With `settled` (the default), every promise
   * chain has run, so the timing bound of I3 is checked too: in the middle of a chain a timeout
   * may have fired and its answer still be on its way.
   */
  check(settled = true): void {
    const { session } = this;
    const closed = this.isClosed;
    if (closed && this.framesAtClose === undefined) this.onClosed();
    this.followConnection();

    // I1: the scripted server saw no realtime input while it waited (our replay checks the same).
    for (const connection of this.transport.connections) {
      if (connection.violations.length > 0) fail('I1', `the server saw realtime input while waiting: ${describe(connection.violations)}`);
    }

    // I4: every input handed over is counted, and as forwarded, dropped or deferred; what was
    // forwarded is on the wire.
    const m = session.metrics();
    for (const kind of INPUT_KINDS) {
      if (m.received[kind] !== this.handed[kind]) {
        fail('I4', `${this.handed[kind]} ${kind} inputs handed to the session, ${m.received[kind]} counted received`);
      }
    }
    if (m.totalReceived !== m.totalForwarded + m.totalDropped + m.deferred + m.buffered) {
      fail(
        'I4',
        `received ${m.totalReceived} != forwarded ${m.totalForwarded} + dropped ${m.totalDropped} + deferred ${m.deferred} + buffered ${m.buffered}`,
      );
    }
    if (m.buffered < 0 || (closed && m.buffered !== 0)) fail('I4', `${m.buffered} inputs buffered (closed: ${closed})`);
    const onWire = this.transport.frames.filter(({ frame }) => frame.type === 'realtimeInput').length;
    if (m.totalForwarded !== onWire) fail('I4', `${m.totalForwarded} inputs counted forwarded, ${onWire} on the wire`);
    if (m.deferred !== 0 && (m.deferred !== 1 || session.state !== 'awaitingToolResponse')) {
      fail('I5', `${m.deferred} activityEnd deferred in state ${session.state}`);
    }

    // I6: errors reach the application as typed error events, never as crashes: the machine
    // itself never fails (an action that throws puts the actor in `error`).
    const status = session.actor.getSnapshot().status;
    if (status === 'error') fail('I6', `the session actor failed: ${String(session.actor.getSnapshot().error)}`);
    for (const error of this.errors) {
      if (!(error instanceof LiveSessionError)) fail('I6', `an error event carried ${String(error)}`);
    }
    if (processFailures.length > 0) fail('I6', `unhandled: ${processFailures.map(String).join('; ')}`);

    // I2: a call the server cancelled while its tool ran has that tool aborted.
    for (const call of this.calls.values()) {
      if (call.cancelled && !call.settled && call.signal && !call.signal.aborted) {
        fail('I2', `call ${call.id} was cancelled but its tool was not aborted`);
      }
    }

    if (closed) {
      this.checkClosed();
      return;
    }
    if (!this.isConnected || session.state === 'idle') return;

    // I3: the gate is exactly the set of calls the server waits on, and it reopens when that
    // set is empty; no call holds it longer than the tool timeout.
    const machinePending = session.pendingToolCalls().map((call) => call.key).sort();
    const serverPending = this.pendingOn(this.connection?.index).sort();
    if (machinePending.join() !== serverPending.join()) {
      fail('I3', `the session waits on [${machinePending}] but the server on [${serverPending}]`);
    }
    const expectedState = serverPending.length === 0 ? 'streaming' : 'awaitingToolResponse';
    if (session.state !== expectedState) fail('I3', `state ${session.state} with [${serverPending}] pending`);
    for (const id of settled ? serverPending : []) {
      const call = this.calls.get(id);
      if (call && Date.now() - call.issuedAt >= this.options.toolTimeoutMs) {
        fail('I3', `call ${id} (${call.behaviour}) still pending ${Date.now() - call.issuedAt} ms after it came`);
      }
    }
    // I5: once the gate is open, an activityEnd the application gave is on the wire.
    if (session.state === 'streaming' && this.endOwed) fail('I5', 'an activityEnd was asked for and never sent');
  }

  /** Lets everything that can still happen happen, then checks what must hold at rest. */
  async finish(): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      while (this.hasScheduled) await this.release();
      await this.advance(this.options.toolTimeoutMs);
      this.check();
      if (!this.hasScheduled) break;
    }
    // I2: every call not cancelled has exactly one answer, if its connection is still open or
    // the session left it for another (a goAway: the calls are answered on the old connection
    // first); a connection the server closed owes nothing.
    if (!this.isClosed && this.isConnected) {
      for (const call of this.calls.values()) {
        const closedBy = this.transport.connections[call.connection]?.closedWith?.by;
        const answers = this.answers.get(call.id) ?? 0;
        if (!call.cancelled && closedBy !== 'server' && answers !== 1) {
          fail('I2', `call ${call.id} (${call.behaviour}) on connection ${call.connection} answered ${answers} times`);
        }
      }
    }
    await this.close();
    await flush();
    this.check();
  }

  /** Restores real timers. */
  dispose(): void {
    vi.useRealTimers();
    this.restoreRandom();
  }

  /** The ids the server waits on over one connection. */
  private pendingOn(connection: number | undefined): string[] {
    return [...this.serverPending].filter((id) => this.calls.get(id)?.connection === connection);
  }

  /**
   * Once the session has opened a newer connection, nothing more goes out on the old one's
   * activity bracket: the new one starts with none open, and an activityEnd owed is moot.
   */
  private followConnection(): void {
    this.replayWire();
    const current = this.connection?.index ?? 0;
    if (current > this.wireConnection) {
      this.wireConnection = current;
      this.wireActivityOpen = false;
      this.endOwed = false;
    }
  }

  private onClosed(): void {
    this.framesAtClose = this.transport.frames.length;
    for (const id of this.serverPending) {
      const call = this.calls.get(id);
      if (call && !call.settled) call.orphaned = true;
    }
  }

  /** I7: closed is final. */
  private checkClosed(): void {
    if (this.transport.frames.length !== this.framesAtClose) {
      fail('I7', `frames sent after close: ${describe(this.transport.frames.slice(this.framesAtClose))}`);
    }
    const late = this.transport.frames.filter((frame) => frame.afterClose);
    if (late.length > 0) fail('I7', `frames sent on a closed connection: ${describe(late)}`);
    const snapshot = this.session.actor.getSnapshot();
    for (const [id, child] of Object.entries(snapshot.children)) {
      if (child && child.getSnapshot().status !== 'stopped') fail('I7', `child ${id} is still ${child.getSnapshot().status}`);
    }
    if (vi.getTimerCount() !== 0) fail('I7', `${vi.getTimerCount()} timers left after close`);
    for (const call of this.calls.values()) {
      if (call.orphaned && call.signal && !call.signal.aborted) fail('I7', `the tool of ${call.id} was not aborted at close`);
    }
  }

  /**
   * Replays the frames the server got, with the server's own actions in between, as the server
   * saw them: I1 (no realtime input while it waits), I2 (answers only for ids it waits on, on
   * the connection they came on, once) and I5 (a well-formed activity bracket).
   */
  private replayWire(): void {
    const frames = this.transport.frames;
    const apply = (upTo: number) => {
      while (this.logCursor < this.log.length && (this.log[this.logCursor] as ServerAction).at <= upTo) {
        const action = this.log[this.logCursor++] as ServerAction;
        if (action.kind === 'call') for (const id of action.ids) this.serverPending.add(id);
        else if (action.kind === 'cancel') {
          for (const id of action.ids) {
            const call = this.calls.get(id);
            if (call && this.serverPending.delete(id)) call.cancelled = true;
          }
        } else {
          // The connection is gone: the server waits on nothing it sent there.
          for (const id of this.pendingOn(action.connection)) this.serverPending.delete(id);
        }
      }
    };
    for (; this.cursor < frames.length; this.cursor += 1) {
      apply(this.cursor);
      const recorded = frames[this.cursor] as RecordedFrame;
      const { frame } = recorded;
      if (frame.type === 'realtimeInput') {
        const waiting = this.pendingOn(recorded.connection);
        if (waiting.length > 0) fail('I1', `${frame.input.kind} sent while the server waits on [${waiting}]`);
        if (recorded.connection !== this.wireConnection) {
          if (recorded.connection < this.wireConnection) fail('I7', `input on connection ${recorded.connection}, after a newer one`);
          this.wireConnection = recorded.connection;
          this.wireActivityOpen = false;
          this.endOwed = false;
        }
        if (frame.input.kind === 'activityStart') {
          if (this.wireActivityOpen) fail('I5', 'activityStart while an activity is open');
          this.wireActivityOpen = true;
        } else if (frame.input.kind === 'activityEnd') {
          if (!this.wireActivityOpen) fail('I5', 'activityEnd without an activityStart');
          this.wireActivityOpen = false;
          this.endOwed = false;
        }
        continue;
      }
      if (frame.type !== 'toolResponse') continue;
      for (const response of frame.responses) {
        const id = response.id ?? '';
        const call = this.calls.get(id);
        if (!call) fail('I2', `an answer for ${id}, which the server never called`);
        if (call.connection !== recorded.connection) fail('I2', `an answer for ${id} on connection ${recorded.connection}`);
        if (!this.serverPending.delete(id)) {
          fail('I2', `an answer for ${id}, which the server no longer waits on (cancelled: ${call.cancelled})`);
        }
        this.answers.set(id, (this.answers.get(id) ?? 0) + 1);
        this.checkAnswer(call, response.response);
      }
    }
    apply(Number.POSITIVE_INFINITY);
  }

  /** I2: the answer is the one the tool's behaviour calls for. */
  private checkAnswer(call: CallRecord, response: unknown): void {
    const timeout = { error: `'${call.behaviour === 'badArgs' ? STRICT_TOOL : TOOL}' did not finish within ${this.options.toolTimeoutMs} ms` };
    const timedOut = JSON.stringify(response) === JSON.stringify(timeout);
    if (timedOut) {
      if (!['async', 'reject', 'hang'].includes(call.behaviour)) fail('I2', `${call.behaviour} call ${call.id} timed out`);
      if (Date.now() - call.issuedAt < this.options.toolTimeoutMs) fail('I3', `call ${call.id} timed out early`);
      return;
    }
    const expected: Record<Behaviour, unknown> = {
      sync: { output: { done: call.id } },
      hangUp: { output: { done: call.id } },
      chatty: { output: { done: call.id } },
      async: { output: { done: call.id } },
      reject: { error: `'${TOOL}' failed: ${FAILURE}` },
      throw: { error: `'${TOOL}' failed: ${FAILURE}` },
      hang: timeout,
      unknown: { error: "no tool named 'missing'" },
      badArgs: { error: `invalid arguments for '${STRICT_TOOL}': args.n: expected number, got string` },
    };
    if (JSON.stringify(response) !== JSON.stringify(expected[call.behaviour])) {
      fail('I2', `call ${call.id} (${call.behaviour}) answered ${JSON.stringify(response)}`);
    }
  }
}

/** The wire call of a behaviour. */
function callOf(id: string, behaviour: Behaviour): FunctionCall {
  if (behaviour === 'unknown') return { id, name: 'missing', args: {} };
  if (behaviour === 'badArgs') return { id, name: STRICT_TOOL, args: { n: 'one' } };
  return { id, name: TOOL, args: {} };
}

function describe(frames: readonly RecordedFrame[]): string {
  return frames
    .map(({ frame }) => (frame.type === 'realtimeInput' ? frame.input.kind : frame.type === 'toolResponse' ? `toolResponse(${frame.responses.map((r) => r.id)})` : frame.type))
    .join(', ');
}
