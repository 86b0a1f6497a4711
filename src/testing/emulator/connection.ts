/**
 * One client socket: records what arrives, applies the rules, and offers the script API that
 * tests, scenarios and the CLI use to play the model's side.
 */
import { WebSocket, type RawData } from 'ws';
import { base64ByteLength, pcmDurationMs, ToneGenerator } from './audio.js';
import {
  encodeServerFrame,
  generationCompleteFrame,
  goAwayFrame,
  inputTranscriptionFrame,
  interruptedFrame,
  modelAudioFrame,
  modelTextFrame,
  outputTranscriptionFrame,
  parseClientFrame,
  resumptionUpdateFrame,
  setupCompleteFrame,
  toolCallCancellationFrame,
  toolCallFrame,
  turnCompleteFrame,
  usageFrame,
  type ParsedFrame,
  type ServerMessage,
} from './frames.js';
import type { HandleStore } from './resumption.js';
import type { TokenGate } from './tokens.js';
import { GO_AWAY_DEADLINE } from './rules.js';
import { emptyConversation } from './resumption.js';
import { CLOSE_REASONS, judge, type CloseSpec } from './rules.js';
import { ToolCallLedger } from './toolCalls.js';
import type {
  ClientFrame,
  ClientMessage,
  CloseInfo,
  ConnectionCounters,
  ConversationState,
  EmulatorStats,
  RealtimeInputBody,
  ServerFrame,
  SetupBody,
  ToolCallSpec,
  ToolResponseBody,
  UsageInput,
} from './types.js';
import { MessageWaiters, type MessagePredicate } from './waiters.js';

/** What a connection shares with its emulator. Built by `startLiveEmulator`. */
export interface ConnectionContext {
  id: number;
  /** The request path, e.g. `//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=…`. */
  path: string;
  /** `v1beta`, `v1`, `v1alpha`… as read from the path. */
  apiVersion: string;
  graceMs: number;
  callIds: boolean;
  audioChunkMs: number;
  handles: HandleStore;
  /** On the constrained endpoint (ephemeral tokens): the token's checks. */
  tokenGate?: TokenGate | undefined;
  stats: EmulatorStats;
  /** Emulator-wide, so that no two connections ever share a call id. */
  nextCallId(): string;
  onFrame?(connection: EmulatorConnection, frame: ClientFrame): void;
}

/** Options of {@link EmulatorConnection.waitForMessage}. */
export interface WaitOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Index into `frames` to start looking from; default 0 (past frames count). */
  fromFrame?: number;
}

/** Why the emulator refused a frame. */
export interface Refusal extends CloseSpec {
  /** A human description for test failures (not sent on the wire). */
  problem: string;
}

const DEFAULT_WAIT_MS = 5000;

function payload(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}

function emptyCounters(): ConnectionCounters {
  return {
    framesReceived: 0,
    setups: 0,
    audioMs: 0,
    audioFrames: 0,
    videoFrames: 0,
    texts: 0,
    activityStarts: 0,
    activityEnds: 0,
    audioStreamEnds: 0,
    clientContents: 0,
    toolResponses: 0,
    toolResponsesSettled: 0,
    toolCallsSent: 0,
    graceTolerated: 0,
  };
}

/**
 * One client of the emulator. Every method that sends returns quietly (and sends nothing) once
 * the connection is closing, so scripts never have to guard against a client that went away.
 */
export class EmulatorConnection {
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
  readonly counters: ConnectionCounters = emptyCounters();
  /** Resolves once `setupComplete` is sent; rejects if the connection ends before that. */
  readonly ready: Promise<void>;
  /** Resolves when the socket is gone, with the code, reason and the side that ended it. */
  readonly closed: Promise<CloseInfo>;

  private setupBody: SetupBody | undefined;
  private resumed: string | undefined;
  private state: ConversationState = emptyConversation();
  private refused: Refusal | undefined;
  private latestHandle: string | undefined;
  private lastCallKeys: string[] = [];
  private lastCallFrame = 0;
  private closing: CloseInfo | undefined;
  private ended = false;
  private readonly ledger: ToolCallLedger;
  private readonly tone = new ToneGenerator();
  private readonly waiters = new MessageWaiters();
  private readonly watchers = new Set<() => void>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; done: (fired: boolean) => void }>();
  private markReady: () => void = () => undefined;
  private failReady: (error: Error) => void = () => undefined;
  private markClosed: (info: CloseInfo) => void = () => undefined;

  /** @internal Created by the emulator for each accepted socket. */
  constructor(
    private readonly socket: WebSocket,
    private readonly context: ConnectionContext,
  ) {
    this.id = context.id;
    this.path = context.path;
    this.apiVersion = context.apiVersion;
    this.ledger = new ToolCallLedger(context.callIds);
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
  get setup(): SetupBody | undefined {
    return this.setupBody;
  }

  /** The ephemeral token this connection carries (`BidiGenerateContentConstrained?access_token=`), if any. */
  get token(): string | undefined {
    return this.context.tokenGate?.token;
  }

  /** The resumption handle this connection resumed, if its setup carried a known one. */
  get resumedFrom(): string | undefined {
    return this.resumed;
  }

  /** The conversation so far (restored from the handle when resumed). */
  get conversation(): Readonly<ConversationState> {
    return this.state;
  }

  /** The most recent resumable handle sent on this connection. */
  get lastHandle(): string | undefined {
    return this.latestHandle;
  }

  /** Why the emulator closed this connection on a client frame, if it did. */
  get refusal(): Refusal | undefined {
    return this.refused;
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
   * Sends a `toolCall` with one or more function calls and returns their ids. Ids default to
   * `fc-N`; with `callIds: false` they are kept internally but not sent (Vertex AI style).
   * Functions declared `NON_BLOCKING` in setup do not stop realtime input.
   */
  sendToolCall(calls: readonly ToolCallSpec[]): string[] {
    if (calls.length === 0) throw new RangeError('a toolCall needs at least one function call');
    if (!this.isOpen) return [];
    const specs = calls.map((call) => ({ ...call, id: call.id ?? this.context.nextCallId() }));
    const wire = this.context.callIds ? specs : specs.map(({ name, args }) => ({ name, args }));
    this.send(toolCallFrame(wire));
    const now = performance.now();
    this.ledger.add(
      specs.map((spec) => ({ key: spec.id, name: spec.name, blocking: !this.isNonBlocking(spec.name) })),
      now,
    );
    this.counters.toolCallsSent += 1;
    this.lastCallKeys = specs.map((spec) => spec.id);
    this.lastCallFrame = this.frames.length;
    return [...this.lastCallKeys];
  }

  /**
   * Sends a `toolCallCancellation` for `ids` (as given, even ids that are not pending, so that
   * stale cancellations can be scripted) and stops waiting for the pending ones among them.
   * Returns the ids that were pending.
   */
  cancelToolCalls(ids: readonly string[]): string[] {
    if (!this.isOpen) return [];
    this.send(toolCallCancellationFrame(ids));
    return this.ledger.cancel(ids, performance.now());
  }

  /**
   * Sends model audio: `{ ms }` of a quiet 24 kHz tone, split into frames of `audioChunkMs`, or
   * the given PCM bytes as one frame.
   */
  sendAudio(audio: { ms: number } | Uint8Array): void {
    if (audio instanceof Uint8Array) {
      this.send(modelAudioFrame(audio));
      return;
    }
    for (let left = audio.ms; left > 0; left -= this.context.audioChunkMs) {
      this.send(modelAudioFrame(this.tone.next(Math.min(left, this.context.audioChunkMs))));
    }
  }

  /** Sends a model text part. */
  sendText(text: string): void {
    if (this.send(modelTextFrame(text))) this.state.transcript.push({ role: 'model', text });
  }

  /** Sends a transcription of the model's speech. */
  sendOutputTranscription(text: string): void {
    if (this.send(outputTranscriptionFrame(text))) this.state.transcript.push({ role: 'model', text });
  }

  /** Sends a transcription of the user's speech. */
  sendInputTranscription(text: string): void {
    if (this.send(inputTranscriptionFrame(text))) this.state.transcript.push({ role: 'user', text });
  }

  /** Tells the client the model was interrupted (barge-in): it should drop queued audio. */
  sendInterrupted(): void {
    this.send(interruptedFrame());
  }

  /** Sends `generationComplete`. */
  sendGenerationComplete(): void {
    this.send(generationCompleteFrame());
  }

  /**
   * Ends the model turn; with `usage`, `usageMetadata` rides in the same frame as the service
   * does. Sends a resumption update afterwards when setup asked for them.
   */
  sendTurnComplete(usage?: UsageInput): void {
    if (!this.send(turnCompleteFrame(usage))) return;
    this.state.turns += 1;
    this.resumptionPoint();
  }

  /** Sends `usageMetadata` on its own. */
  sendUsage(usage?: UsageInput): void {
    this.send(usageFrame(usage));
  }

  /**
   * Announces the end of the connection, as the service does about every 10 minutes, and closes
   * it with `1001` when `timeLeft` has passed (unless `{ close: false }`), as the service does to a
   * client that has not moved to a new connection by then.
   */
  sendGoAway(timeLeft = '50s', options: { close?: boolean } = {}): void {
    if (!this.send(goAwayFrame(timeLeft)) || options.close === false) return;
    const seconds = /^(\d+(?:\.\d+)?)s$/.exec(timeLeft);
    if (!seconds) return;
    void this.delay(Number(seconds[1]) * 1000).then((fired) => {
      if (fired) this.close(GO_AWAY_DEADLINE.code, GO_AWAY_DEADLINE.reason);
    });
  }

  /**
   * Sends a `sessionResumptionUpdate`. Without a handle a fresh one is issued; a resumable handle
   * is registered so that a later setup can resume this conversation.
   */
  sendResumptionUpdate(handle?: string, resumable = true): void {
    if (!this.isOpen) return;
    let newHandle = handle;
    if (resumable) {
      if (newHandle === undefined) newHandle = this.context.handles.issue(this.state);
      else this.context.handles.register(newHandle, this.state);
      this.latestHandle = newHandle;
    }
    this.send(resumptionUpdateFrame(newHandle, resumable));
  }

  /**
   * Sends anything, for malformed-frame tests: strings and bytes as they are, other values as
   * JSON. Binary by default, as the service sends; `{ binary: false }` for a text frame.
   */
  sendRaw(value: unknown, options: { binary?: boolean } = {}): void {
    if (!this.isOpen) return;
    const payload =
      typeof value === 'string' ? Buffer.from(value) : value instanceof Uint8Array ? value : Buffer.from(JSON.stringify(value));
    this.socket.send(payload, { binary: options.binary ?? true });
    this.sent.push({ at: performance.now(), message: value });
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

  /** The first `toolResponse` received after the most recent `sendToolCall`. */
  async waitForToolResponse(options: { timeoutMs?: number } = {}): Promise<ToolResponseBody> {
    const message = await this.waitForMessage((candidate) => candidate.toolResponse !== undefined, {
      ...options,
      fromFrame: this.lastCallFrame,
    });
    // The predicate guarantees it.
    return message.toolResponse as ToolResponseBody;
  }

  /**
   * Resolves `true` after `ms`, or `false` as soon as the connection ends. The timer never keeps
   * the process alive and is cleared on close.
   */
  delay(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry = {
        timer: setTimeout(() => entry.done(true), ms),
        done: (fired: boolean) => {
          clearTimeout(entry.timer);
          this.timers.delete(entry);
          resolve(fired);
        },
      };
      entry.timer.unref();
      this.timers.add(entry);
    });
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

  private send(message: ServerMessage): boolean {
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
      this.context.onFrame?.(this, frame);
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
      ledger: this.ledger,
      now,
      graceMs: this.context.graceMs,
      isKnownHandle: (handle) => this.context.handles.has(handle),
      authorize: this.context.tokenGate?.authorize,
    });
    switch (verdict.kind) {
      case 'reject':
        this.refuse(verdict.close, verdict.problem);
        return;
      case 'setup':
        this.acceptSetup(message?.setup, verdict.resume);
        return;
      case 'realtimeInput':
        if (verdict.tolerated) this.tolerate(1);
        if (message?.realtimeInput) this.countRealtimeInput(message.realtimeInput);
        return;
      case 'toolResponse':
        this.counters.toolResponses += 1;
        this.tolerate(verdict.late);
        this.ledger.settle(verdict.keys);
        if (verdict.keys.length > 0 && this.ledger.keys.length === 0) this.counters.toolResponsesSettled += 1;
        this.resumptionPoint();
        return;
      case 'other':
        if (message?.clientContent) {
          this.counters.clientContents += 1;
          for (const turn of message.clientContent.turns ?? []) {
            const role = turn.role === 'model' ? 'model' : 'user';
            for (const part of turn.parts ?? []) {
              if (typeof part.text === 'string') this.state.transcript.push({ role, text: part.text });
            }
          }
        }
        return;
    }
  }

  private acceptSetup(setup: SetupBody | undefined, resume: string | undefined): void {
    if (!setup) return;
    this.setupBody = setup;
    this.counters.setups += 1;
    if (resume !== undefined) {
      this.state = this.context.handles.restore(resume) ?? emptyConversation();
      this.resumed = resume;
    }
    this.context.tokenGate?.accepted(this, resume !== undefined);
    this.send(setupCompleteFrame());
    this.resumptionPoint();
    this.markReady();
  }

  private countRealtimeInput(input: RealtimeInputBody): void {
    const counters = this.counters;
    if (input.audio) {
      counters.audioFrames += 1;
      counters.audioMs += pcmDurationMs(base64ByteLength(input.audio.data), input.audio.mimeType);
    }
    if (input.video) counters.videoFrames += 1;
    if (input.text !== undefined) {
      counters.texts += 1;
      this.state.transcript.push({ role: 'user', text: input.text });
    }
    if (input.activityStart) counters.activityStarts += 1;
    if (input.activityEnd) counters.activityEnds += 1;
    if (input.audioStreamEnd) counters.audioStreamEnds += 1;
  }

  private tolerate(count: number): void {
    this.counters.graceTolerated += count;
    this.context.stats.graceTolerated += count;
  }

  private refuse(close: CloseSpec, problem: string): void {
    this.refused = { ...close, problem };
    if (close.code === 1008) this.context.stats.violations1008 += 1;
    this.close(close.code, close.reason);
  }

  /** After setupComplete, turnComplete and toolResponse, when setup asked for resumption. */
  private resumptionPoint(): void {
    if (this.setupBody?.sessionResumption === undefined) return;
    // A session cannot be resumed in the middle of a tool call.
    this.sendResumptionUpdate(undefined, this.ledger.keys.length === 0);
  }

  private isNonBlocking(name: string): boolean {
    return (this.setupBody?.tools ?? []).some((tool) =>
      (tool.functionDeclarations ?? []).some((fn) => fn.name === name && fn.behavior === 'NON_BLOCKING'),
    );
  }

  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const info = this.closing ?? { code, reason, by: 'client' as const };
    const closes = this.context.stats.closes;
    closes[info.code] = (closes[info.code] ?? 0) + 1;
    for (const entry of [...this.timers]) entry.done(false);
    this.watchers.clear();
    this.waiters.finish(`connection ${this.id} closed (${info.code}) before a matching client message`);
    this.failReady(new Error(`connection ${this.id} closed (${info.code}) before setup completed`));
    this.markClosed(info);
  }
}
