/**
 * One client socket's inbound side: records what arrives, applies the rules, completes setup,
 * offers resumption handles, and ends. The script API is in `connection.ts`.
 */
import { WebSocket, type RawData } from 'ws';
import type { ModelProfile } from '../../models/index.js';
import { ActivityRecorder, type ActivityView } from './activity.js';
import { ToneGenerator } from './audio.js';
import type { ConnectionContext, Refusal, WaitOptions } from './connectionContext.js';
import {
  encodeServerFrame,
  parseClientFrame,
  setupCompleteFrame,
  toolCallCancellationFrame,
  type ParsedFrame,
  type ServerMessage,
} from './frames.js';
import { countClientContent, countRealtimeInput, emptyConnectionCounters } from './counters.js';
import type { ModelRules } from './modelRules.js';
import { emptyConversation } from './resumption.js';
import { ResumptionOffers } from './resumptionOffers.js';
import { CLOSE_REASONS, judge, type CloseSpec } from './rules.js';
import { ConnectionTimers } from './timers.js';
import { ToolCallLedger } from './toolCalls.js';
import type {
  ClientFrame,
  ClientMessage,
  CloseInfo,
  ConnectionCounters,
  ConversationState,
  ServerFrame,
  SetupBody,
  ToolEntry,
} from './types.js';
import { MessageWaiters, type MessagePredicate } from './waiters.js';

export type { ConnectionContext, Refusal, WaitOptions } from './connectionContext.js';

const DEFAULT_WAIT_MS = 5000;

function payload(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}

/**
 * What a client socket of the emulator is, before the script API: the frames it records, the
 * rules it applies, setup and resumption, and how it ends. `EmulatorConnection` adds the
 * model's side on top.
 */
export abstract class ConnectionCore {
  /** 1-based, in order of arrival. */
  readonly id: number;
  /** The request path the client opened. */
  readonly path: string;
  /** API version from the path (`v1beta` for @google/genai 2.x, `v1` for 3.x). */
  readonly apiVersion: string;
  /** Every client frame, in order, with its arrival time. */
  readonly frames: ClientFrame[] = [];
  /** Every frame the emulator sent, in order. */
  readonly sent: ServerFrame[] = [];
  /** Running totals; scenarios trigger on them. */
  readonly counters: ConnectionCounters = emptyConnectionCounters();
  /** Resolves once `setupComplete` is sent; rejects if the connection ends before that. */
  readonly ready: Promise<void>;
  /** Resolves when the socket is gone, with the code, reason and the side that ended it. */
  readonly closed: Promise<CloseInfo>;
  /**
   * On a model whose input cancels a BLOCKING call (gemini-3.8-live): cancel without sending a
   * `toolCallCancellation` (a field report saw exactly that). Starts from the emulator's
   * `silentCancel` option; a test may change it at any time.
   */
  silentCancel = false;

  protected setupBody: SetupBody | undefined;
  protected model: ModelRules | undefined;
  private setupHeld = false;
  private resumed: string | undefined;
  protected state: ConversationState = emptyConversation();
  private refused: Refusal | undefined;
  protected lastCallKeys: string[] = [];
  protected lastCallFrame = 0;
  private closing: CloseInfo | undefined;
  private ended = false;
  protected readonly ledger: ToolCallLedger;
  protected readonly tone = new ToneGenerator();
  private readonly activityRecorder = new ActivityRecorder();
  /** What it heard of the user's activity: detection on or off, each bracket with the audio inside, the audio outside. */
  readonly activity: ActivityView = this.activityRecorder;
  private readonly waiters = new MessageWaiters();
  private readonly watchers = new Set<() => void>();
  private readonly timers = new ConnectionTimers();
  protected readonly offers: ResumptionOffers;
  private markReady: () => void = () => undefined;
  private failReady: (error: Error) => void = () => undefined;
  private markClosed: (info: CloseInfo) => void = () => undefined;

  /** @internal Created by the emulator for each accepted socket. */
  constructor(
    protected readonly socket: WebSocket,
    protected readonly context: ConnectionContext,
  ) {
    this.id = context.id;
    this.path = context.path;
    this.apiVersion = context.apiVersion;
    this.ledger = new ToolCallLedger(context.callIds);
    this.offers = new ResumptionOffers({
      id: this.id,
      handles: context.handles,
      wantsUpdates: () => this.setupBody?.sessionResumption !== undefined,
      conversation: () => this.state,
      callsPending: () => this.ledger.keys.length > 0,
      send: (message) => this.send(message),
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    // Nobody has to await `ready`; an early close must not become an unhandled rejection.
    this.ready.catch(() => undefined);
    this.closed = new Promise<CloseInfo>((resolve) => {
      this.markClosed = resolve;
    });
    socket.on('message', (data) => this.receive(data));
    socket.on('close', (code, reason) => this.finish(code, reason.toString('utf8')));
    // Socket errors are always followed by 'close'; without a listener they would crash the process.
    socket.on('error', () => undefined);
  }

  /** The parsed setup body, once it arrived. */
  get setup(): SetupBody | undefined { return this.setupBody; }

  /** The ephemeral token this connection carries (`BidiGenerateContentConstrained?access_token=`), if any. */
  get token(): string | undefined {
    return this.context.tokenGate?.token;
  }

  /** The resumption handle this connection resumed, if its setup carried a known one. */
  get resumedFrom(): string | undefined { return this.resumed; }

  /** The conversation so far (restored from the handle when resumed). */
  get conversation(): Readonly<ConversationState> { return this.state; }

  /** The most recent resumable handle sent on this connection. */
  get lastHandle(): string | undefined {
    return this.offers.latestHandle;
  }

  /** Why the emulator closed this connection on a client frame, if it did. */
  get refusal(): Refusal | undefined { return this.refused; }

  /** The profile of the model in setup (from the table `gemini-live-fsm/models` exports), once setup arrived. */
  get profile(): ModelProfile | undefined {
    return this.model?.profile;
  }

  /** The tools in force: the setup's, or the latest `contextUpdate`'s. */
  get tools(): readonly ToolEntry[] {
    return this.model?.toolsInForce ?? [];
  }

  /** Ids of the calls sent and not yet answered or cancelled (internal keys when `callIds` is off). */
  get pendingToolCallIds(): string[] {
    return this.ledger.keys;
  }

  /** Ids of the most recent `sendToolCall`. */
  get lastToolCallIds(): readonly string[] {
    return this.lastCallKeys;
  }

  /** Whether frames can still be sent. */
  get isOpen(): boolean {
    return this.closing === undefined && !this.ended && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a `sessionResumptionUpdate`. Without a handle a fresh one is issued; a resumable handle
   * is registered so that a later setup can resume this conversation.
   */
  sendResumptionUpdate(handle?: string, resumable = true): void {
    if (this.isOpen) this.offers.offer(handle, resumable);
  }

  /** Closes with a close frame. Codes 1005 and 1006 cannot be sent (use `abort()` for 1006). */
  close(code = 1000, reason = ''): void {
    if (!this.isOpen) return;
    this.closing = { code, reason, by: 'server' };
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame: the client sees 1006. */
  abort(): void {
    if (this.ended) return;
    this.closing = { code: 1006, reason: '', by: 'server' };
    this.socket.terminate();
  }

  /**
   * The first client message, recorded or still to come, that matches `predicate`. Rejects after
   * `timeoutMs` (default 5 s) or if the connection ends first.
   */
  waitForMessage(predicate: MessagePredicate, options: WaitOptions = {}): Promise<ClientMessage> {
    return this.waiters.wait(this.frames, options.fromFrame ?? 0, predicate, options.timeoutMs ?? DEFAULT_WAIT_MS);
  }

  /**
   * Resolves `true` after `ms`, or `false` as soon as the connection ends. The timer never keeps
   * the process alive and is cleared on close.
   */
  delay(ms: number): Promise<boolean> {
    return this.timers.delay(ms);
  }

  /** @internal Calls `listener` after each client frame has been handled; returns an unsubscribe. */
  watch(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** @internal Ends the connection because a script failed. */
  fail(error: unknown): void {
    console.error(`[live emulator] connection ${this.id}: script failed:`, error);
    this.close(CLOSE_REASONS.internal.code, CLOSE_REASONS.internal.reason);
  }

  protected send(message: ServerMessage): boolean {
    if (!this.isOpen) return false;
    this.socket.send(encodeServerFrame(message));
    this.sent.push({ at: performance.now(), message });
    return true;
  }

  private receive(data: RawData): void {
    const at = performance.now();
    const bytes = payload(data);
    const text = bytes.toString('utf8');
    this.counters.framesReceived += 1;
    this.context.stats.framesReceived += 1;
    const parsed = parseClientFrame(text);
    const frame: ClientFrame = parsed.ok
      ? { at, message: parsed.message, bytes: bytes.length }
      : { at, message: null, bytes: bytes.length, raw: text };
    this.frames.push(frame);
    try {
      this.context.onFrame?.(frame);
    } catch (error) {
      this.fail(error);
    }
    // Frames that cross our close frame are recorded but no longer judged.
    if (this.isOpen) this.handle(parsed, at);
    this.waiters.offer(frame);
    for (const watcher of [...this.watchers]) watcher();
  }

  private handle(parsed: ParsedFrame, now: number): void {
    const message = parsed.ok ? parsed.message : undefined;
    const verdict = judge(parsed, {
      setupDone: this.setupBody !== undefined,
      model: this.model,
      profileOverride: this.context.modelProfile,
      ledger: this.ledger,
      now,
      graceMs: this.context.graceMs,
      isKnownHandle: (handle) => this.context.handles.has(handle),
      resumeRefusal: this.context.resumeRefusal,
      authorize: this.context.tokenGate?.authorize,
      refuseExplicitActivity: this.context.strictActivity === true && this.activityRecorder.automaticDetection,
    });
    switch (verdict.kind) {
      case 'reject':
        this.refuse(verdict.close, verdict.problem, verdict.field);
        return;
      case 'setup':
        this.model = verdict.model;
        this.acceptSetup(message?.setup, verdict.resume);
        return;
      case 'realtimeInput':
      case 'clientContent':
        if (verdict.tolerated) this.tolerate(1);
        if (verdict.cancels.length > 0) this.cancelByInput(verdict.cancels, now);
        if (message?.realtimeInput) countRealtimeInput(this.counters, this.state, message.realtimeInput);
        if (message?.realtimeInput) this.activityRecorder.record(message.realtimeInput, this.frames.length - 1);
        if (message?.clientContent) countClientContent(this.counters, this.state, message.clientContent);
        return;
      case 'toolResponse':
        this.counters.toolResponses += 1;
        this.answeredLate(verdict.late);
        this.ledger.settle(verdict.keys);
        if (verdict.keys.length > 0 && this.ledger.keys.length === 0) this.counters.toolResponsesSettled += 1;
        this.resumptionPoint();
        return;
      case 'contextUpdate':
        this.updateContext(message);
        return;
    }
  }

  /** Input during a BLOCKING call cancelled it: with a `toolCallCancellation`, or silently. */
  private cancelByInput(keys: readonly string[], now: number): void {
    const cancelled = this.ledger.cancel(keys, now);
    if (!this.silentCancel) this.send(toolCallCancellationFrame(cancelled));
    this.counters.callsCancelledByInput += cancelled.length;
    this.context.onEvent?.({ kind: 'callsCancelledByInput', ids: cancelled, silent: this.silentCancel });
  }

  /** Answers to cancelled calls, let through: ignored, and counted (in the grace window's count too on models that close). */
  private answeredLate(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.counters.lateAnswers += ids.length;
    if (!this.model?.inputCancelsBlockingCall) this.tolerate(ids.length);
    this.context.onEvent?.({ kind: 'lateAnswers', ids: [...ids] });
  }

  private updateContext(message: ClientMessage | undefined): void {
    const update = message?.contextUpdate;
    if (!update || !this.model) return;
    this.model.apply(update);
    if (update.tools === undefined) return;
    this.counters.toolUpdates += 1;
    this.context.onEvent?.({ kind: 'toolsReplaced', functions: this.model.functionNames });
  }

  private acceptSetup(setup: SetupBody | undefined, resume: string | undefined): void {
    if (!setup) return;
    this.setupBody = setup;
    this.counters.setups += 1;
    this.activityRecorder.setup(setup);
    if (resume !== undefined) {
      this.state = this.context.handles.restore(resume) ?? emptyConversation();
      this.resumed = resume;
    }
    this.context.tokenGate?.accepted(this, resume !== undefined);
    if (this.context.holdSetup?.()) {
      this.setupHeld = true;
      return;
    }
    this.finishSetup();
  }

  /**
   * Sends the `setupComplete` a held setup is waiting for (see `LiveEmulatorOptions.holdSetup`).
   * Does nothing if setup is not held, or the connection is gone.
   */
  completeSetup(): void {
    if (!this.setupHeld) return;
    this.setupHeld = false;
    this.finishSetup();
  }

  /** Whether setup arrived and its `setupComplete` is held back. */
  get isSetupHeld(): boolean {
    return this.setupHeld;
  }

  private finishSetup(): void {
    if (!this.send(setupCompleteFrame())) return;
    this.resumptionPoint();
    this.markReady();
    const { ageLimitMs } = this.context;
    if (ageLimitMs === undefined) return;
    // The connection's age limit: cut without a goAway, as a field report saw at 58:00 on 3.8.
    void this.delay(ageLimitMs).then((fired) => fired && this.close(CLOSE_REASONS.deadlineExpired.code, CLOSE_REASONS.deadlineExpired.reason));
  }

  private tolerate(count: number): void {
    this.counters.graceTolerated += count;
    this.context.stats.graceTolerated += count;
  }

  private refuse(close: CloseSpec, problem: string, field: string | undefined): void {
    this.refused = field === undefined ? { ...close, problem } : { ...close, problem, field };
    if (close.code === 1008) this.context.stats.violations1008 += 1;
    this.close(close.code, close.reason);
  }

  /** After setupComplete, turnComplete and toolResponse, when setup asked for resumption. */
  protected resumptionPoint(): void {
    this.offers.point();
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const info = this.closing ?? { code, reason, by: 'client' as const };
    const closes = this.context.stats.closes;
    closes[info.code] = (closes[info.code] ?? 0) + 1;
    this.timers.end();
    this.watchers.clear();
    this.waiters.finish(`connection ${this.id} closed (${info.code}) before a matching client message`);
    this.failReady(new Error(`connection ${this.id} closed (${info.code}) before setup completed`));
    this.markClosed(info);
  }
}
