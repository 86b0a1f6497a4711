/**
 * The world a fuzz case runs in: a real `createLiveSession` over a scripted transport (the
 * server, every connection the session opens, the old one a goAway left included), playing one
 * of the models of `profiles.ts`; tools whose results the fast-check scheduler releases; a mic the
 * test pushes frames into; fake timers; bad input from the application and junk from the server;
 * and the bookkeeping of everything the server did and got (`ledger.ts`), of the session's own
 * ledger (`ledgerWatch.ts`) and of its resumes (`resumes.ts`). `check()` asserts I1–I7 after
 * every step (`checks.ts`); `finish()` lets everything settle and asserts what must hold once
 * nothing is left to happen.
 */
import { vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createLiveSession, type AnyTool, type LiveSession } from '../../src/index.js';
import type { SessionContext } from '../../src/machines/types.js';
import { createScriptedTransport, type ScriptedConnection, type ScriptedTransport } from '../../src/testing/index.js';
import { type CallRecord } from './calls.js';
import { checkClosedFinally, checkWorld, type WorldView } from './checks.js';
import { APP_FRAME, BAD_INPUTS, BAD_MICS, micFrame, MicMeter, type BadInput, type BadMic } from './inputs.js';
import { appContentText, fail, Ledger } from './ledger.js';
import { LedgerWatch } from './ledgerWatch.js';
import { flush, processFailures } from './process.js';
import { PROFILES, type FuzzProfile } from './profiles.js';
import { PushSource } from './pushSource.js';
import { listenToSession } from './worldListeners.js';
import { worldTools } from './worldTools.js';
import {
  CONNECT_TIMEOUT_MS,
  DEDUPE_WINDOW_MS,
  ledgerStatesSeen,
  RECONNECT,
  RESUME_LOOP_WINDOW_MS,
  toolCallsHeard,
  type InputKind,
  type WorldOptions,
} from './worldOptions.js';
import { ResumeWatch } from './resumes.js';
import { FuzzServer } from './server.js';

/**
 * One fuzz case: the session, its server, its tools, its mic and its clock, and the bookkeeping
 * that `check()` holds them to. Create one per case and `dispose()` it after.
 */
export class World implements WorldView {
  readonly transport: ScriptedTransport;
  readonly session: LiveSession;
  readonly errors: unknown[] = [];
  readonly ledger: Ledger;
  readonly watch = new LedgerWatch();
  readonly resumes = new ResumeWatch();
  readonly mic = new MicMeter();
  /** Inputs the application handed over, by kind (bad ones included), and how many were bad. */
  readonly handed: Record<InputKind, number> = { audio: 0, video: 0, text: 0, activityStart: 0, activityEnd: 0, audioStreamEnd: 0 };
  invalidHanded = 0;
  /** Conversation contents the application handed over. */
  contentsHanded = 0;
  /** Fresh sessions the session started after a resume that looped. */
  restarts = 0;
  /** Connections opened before the application's last new tools. */
  private toolsUpdatedBefore = 0;
  /** The server: every connection of the transport. */
  readonly server: FuzzServer;
  /** The bracket the application's last activity signal asked for on the current connection (I5). */
  owedBracket: boolean | undefined;
  /** Frames on the wire when the session closed. */
  framesAtClose: number | undefined;
  /**
   * What the world found wrong from inside the session (an inspection, a listener, a tool): the
   * session reports a throw there as an error event, so it is kept for `check()` instead.
   */
  inspectionFailure: unknown;
  private source: PushSource | undefined;
  private micSerial = 0;
  private connecting: Promise<void> | undefined;
  private readonly restoreRandom: () => void;
  private readonly tools: (behavior: WorldOptions['workBehavior']) => AnyTool[];

  constructor(readonly options: WorldOptions) {
    // A failure of an earlier case has been reported with that case.
    processFailures.length = 0;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    this.restoreRandom = () => random.mockRestore();
    const profile: FuzzProfile = PROFILES[options.profile ?? 'closes1008'];
    this.ledger = new Ledger(options.toolTimeoutMs, profile.transport.inputDuringBlockingCall === 'cancelsCall', (call) => this.sourceOf(call));
    this.transport = createScriptedTransport({ open: 'manual', ...profile.transport });
    this.tools = (behavior: WorldOptions['workBehavior']) => worldTools(this, behavior);
    this.session = createLiveSession({
      transport: this.transport,
      toolTimeoutMs: options.toolTimeoutMs,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      reconnect: { ...RECONNECT },
      resumeLoopWindowMs: RESUME_LOOP_WINDOW_MS,
      dedupeWindowMs: DEDUPE_WINDOW_MS,
      ...(profile.modelProfile ? { modelProfile: profile.modelProfile } : {}),
      ...(profile.whileBlockingCall ? { whileBlockingCall: profile.whileBlockingCall } : {}),
      ...(options.orphanedResults ? { orphanedResults: options.orphanedResults } : {}),
      ...(options.inputWhileGated ? { inputWhileGated: options.inputWhileGated } : {}),
      inspectFrames: options.everyFrame === true,
      inspect: (event) => this.inspect(event),
      tools: this.tools(options.workBehavior),
    });
    this.server = new FuzzServer(this.transport, this.ledger, this.session, () => this.replayWire());
    listenToSession(this);
  }

  /** The session's inspection: mic frames the machine got, toolCalls it got (their tools start), and its ledger. */
  private inspect(event: InspectionEvent): void {
    this.mic.inspect(event);
    if (event.actorRef.sessionId !== event.rootId) return;
    if (event.type === '@xstate.snapshot') {
      // The session reports an inspector's throw as an error event: keep it for check() instead.
      try {
        this.followLedger((event.snapshot as { context?: SessionContext }).context);
      } catch (error) {
        this.inspectionFailure ??= error;
      }
      return;
    }
    if (event.type !== '@xstate.event') return;
    const got = event.event as { type: string; generation?: number; calls?: { id?: string }[] };
    if (got.type !== 'server.toolCall' || got.generation === undefined || !got.calls) return;
    const current = this.session.actor.getSnapshot().context.generation;
    toolCallsHeard.add(`${this.stateName()} on ${got.generation === current ? 'current' : 'old'}`);
    this.ledger.heard(got.calls.map((call) => call.id ?? ''), got.generation - 1, Date.now());
  }

  /** Follows the session's ledger: its moves, and which of the server's calls each new entry is. */
  private followLedger(context: SessionContext | undefined): void {
    if (!context) return;
    for (const key of this.watch.follow(context.ledger)) {
      const entry = context.ledger[key];
      // A reused key: the call that had it has ended and left the ledger.
      for (const earlier of this.ledger.calls) if (earlier.key === key) earlier.key = undefined;
      const call = this.ledger.calls.find(
        (c) => c.key === undefined && c.ledgerState === undefined && c.id === entry?.id && c.connection === (entry?.generation ?? 0) - 1 && c.heardAt !== undefined,
      );
      if (!call) fail('I2', `the session's ledger has ${key}, a call the server never made or the session never heard`);
      call.key = key;
    }
    for (const call of this.ledger.calls) {
      const entry = call.key === undefined ? undefined : this.watch.entries.get(call.key);
      if (!entry) continue;
      call.ledgerState = entry.state;
      ledgerStatesSeen.add(entry.state);
    }
  }

  /** The call the session took `call` for: the earlier one it made again, by the session's own ledger. */
  sourceOf(call: CallRecord): CallRecord | undefined {
    const sameAs = call.key === undefined ? undefined : this.watch.entries.get(call.key)?.sameAs;
    if (sameAs === undefined) return undefined;
    const source = this.ledger.calls.find((candidate) => candidate.key === sameAs);
    if (!source) fail('I2', `${call.id} was taken for ${sameAs}, a call the world does not know`);
    if (source.k !== call.k || source.behaviour !== call.behaviour) fail('I2', `${call.id} was taken for ${source.id}, which is another call`);
    if (source.connection >= call.connection) fail('I2', `${call.id} was taken for ${source.id}, made on the same connection or a later one`);
    return source;
  }

  /** The machine's state, as a dotted path. */
  stateName(): string {
    const value: unknown = this.session.actor.getSnapshot().value;
    if (typeof value === 'string') return value;
    const idle = (value as { idle: unknown }).idle;
    return typeof idle === 'string' ? `idle.${idle}` : `idle.reconnecting.${(idle as { reconnecting: string }).reconnecting}`;
  }

  get accepted(): ReadonlySet<number> {
    return this.server.accepted;
  }

  get rejected(): ReadonlySet<number> {
    return this.server.rejected;
  }

  /** The newest connection: after a reconnect, the one the session opened last. */
  get newest(): ScriptedConnection | undefined {
    return this.server.newest;
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
    this.followConnection();
    this.handed[kind] += 1;
    const live = this.session.state === 'streaming' || this.session.state === 'awaitingToolResponse';
    if (live && (kind === 'activityStart' || kind === 'activityEnd')) this.owedBracket = kind === 'activityStart';
    switch (kind) {
      case 'audio':
        return this.session.sendAudio(APP_FRAME);
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

  /** The application sends conversation content (numbered, so that the wire shows their order). */
  clientContent(): void {
    const before = this.errors.length;
    this.session.sendClientContent([{ role: 'user', parts: [{ text: appContentText(this.contentsHanded + 1) }] }], { turnComplete: true });
    // Refused at the door once the session is closed (close() called, from a tool or a listener too): the application is told.
    const refused = this.errors.slice(before).some((error) => (error as { code?: string }).code === 'SESSION_CLOSED');
    if (!refused) this.contentsHanded += 1;
  }

  /** The application replaces the tools: `work` with another behaviour. */
  updateTools(behavior: WorldOptions['workBehavior']): void {
    // Not while the server's calls made before setup wait for it (the same race of messages crossing, see below).
    const newest = this.server.newest?.index;
    const crossing = this.ledger.calls.some((call) => call.connection === newest && call.mustHear === 'atSetup' && call.heardAt === undefined);
    if (this.isClosed || crossing) return;
    this.toolsUpdatedBefore = this.transport.connections.length;
    this.session.updateTools(this.tools(behavior));
  }

  /**
   * Whether the server may call before setup completes. Not on a connection whose setup went out
   * before the application's last new tools: the server would call with the old declarations
   * and the session, which hears the call once the new ones went out, take it with the new (a
   * race of messages crossing, which no client can see).
   */
  get canCallBeforeSetup(): boolean {
    return this.server.isConnecting && (this.server.newest?.index ?? 0) >= this.toolsUpdatedBefore;
  }

  /** The application hands over a bad value: refused at the front door, counted, never sent. */
  badInput(name: BadInput): void {
    const { kind, send } = BAD_INPUTS[name];
    // Once closed, nothing is looked at: it is dropped as closed.
    const expected = this.isClosed ? 'SESSION_CLOSED' : 'INVALID_INPUT';
    this.handed[kind] += 1;
    if (!this.isClosed) this.invalidHanded += 1;
    const before = this.errors.length;
    send(this.session);
    const codes = this.errors.slice(before).map((error) => (error as { code?: string }).code);
    if (!codes.includes(expected)) fail('I6', `${name} got no ${expected} error (errors: ${codes.join(', ')})`);
  }

  /** The application attaches a bad mic source. */
  badMic(name: BadMic): void {
    const { refused, attach } = BAD_MICS[name];
    const before = this.errors.length;
    const closed = this.isClosed;
    attach(this.session);
    if (refused) {
      const codes = this.errors.slice(before).map((error) => (error as { code?: string }).code);
      if (!codes.includes(closed ? 'SESSION_CLOSED' : 'INVALID_INPUT')) fail('I6', `mic source ${name} got no typed error (errors: ${codes.join(', ')})`);
    } else {
      this.source = undefined;
    }
  }

  attachMic(): void {
    this.source = new PushSource();
    this.session.attachMic(this.source);
  }

  micFrame(): void {
    if (!this.source) this.attachMic();
    this.source?.push(micFrame(++this.micSerial));
  }

  endMic(fails: boolean): void {
    if (fails) this.source?.fail(new Error('the microphone went away'));
    else this.source?.end();
    this.source = undefined;
  }

  detachMic(): void {
    this.source = undefined;
    this.session.detachMic();
  }

  close(): Promise<void> {
    return this.session.close();
  }

  // -------------------------------------------------------------------------------------------
  // Tools and time

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

  /** Brings the ledger up to date with the wire. */
  replayWire(): void {
    this.mic.read(this.transport.frames);
    this.ledger.replay(this.transport.frames, Date.now());
  }

  /** A newer connection starts with no activity open, and what the application owed the old one is moot. */
  followConnection(): void {
    this.replayWire();
    if (this.ledger.followConnection(this.server.newest?.index ?? 0)) this.owedBracket = undefined;
  }

  /**
   * Checks I1–I7 as they must hold at any point. With `settled` (the default), every promise
   * chain has run, so what takes a microtask is checked too: timing bounds, the sockets closed,
   * the calls the session had to hear once a setup completed.
   */
  check(settled = true): void {
    checkWorld(this, settled);
  }

  /** Lets everything that can still happen happen, then checks what must hold at rest. */
  async finish(): Promise<void> {
    for (let round = 0; round < 20; round += 1) {
      while (this.hasScheduled) await this.release();
      await this.advance(this.options.toolTimeoutMs);
      this.check();
      if (!this.hasScheduled) break;
    }
    // At rest every tool has settled: no call the session heard still waits on its connection.
    const unresolved = this.ledger.unresolved();
    if (!this.isClosed && unresolved.length > 0) fail('I2', `calls still pending at rest: [${unresolved}]`);
    await this.close();
    await flush();
    this.check();
    checkClosedFinally(this);
  }

  /** Restores real timers. */
  dispose(): void {
    vi.useRealTimers();
    this.restoreRandom();
  }
}
