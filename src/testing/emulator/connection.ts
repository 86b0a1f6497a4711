/**
 * One client of the emulator, with the script API that tests, scenarios and the CLI use to play
 * the model's side (tool calls, audio, transcriptions, goAway, raw frames). What arrives from the
 * client, and the rules, are in `connectionCore.ts`.
 */
import type { ToolBehavior } from '../../models/index.js';
import { GO_AWAY_DEADLINE } from './rules.js';
import { ConnectionCore } from './connectionCore.js';
import {
  generationCompleteFrame,
  goAwayFrame,
  inputTranscriptionFrame,
  interactionStatusFrame,
  interruptedFrame,
  modelAudioFrame,
  modelTextFrame,
  outputTranscriptionFrame,
  toolCallCancellationFrame,
  toolCallFrame,
  turnCompleteFrame,
  usageFrame,
  waitingForInputFrame,
} from './frames.js';
import type { InteractionStatus, ToolCallSpec, ToolResponseBody, UsageInput } from './types.js';

export type { ConnectionContext, Refusal, WaitOptions } from './connectionCore.js';

/**
 * One client of the emulator. Every method that sends returns quietly (and sends nothing) once
 * the connection is closing, so scripts never have to guard against a client that went away.
 */
export class EmulatorConnection extends ConnectionCore {
  /**
   * Sends a `toolCall` with one or more function calls and returns their ids. Ids default to
   * `fc-N`; with `callIds: false` they are kept internally but not sent (Vertex AI style).
   * A call blocks realtime input or not by {@link behaviorOf}: its declaration in the tools in
   * force, or the model's default (BLOCKING on 2.5 and 3.1, NON_BLOCKING on 3.8).
   */
  sendToolCall(calls: readonly ToolCallSpec[]): string[] {
    if (calls.length === 0) throw new RangeError('a toolCall needs at least one function call');
    if (!this.isOpen) return [];
    const specs = calls.map((call) => ({ ...call, id: call.id ?? this.context.nextCallId() }));
    const wire = this.context.callIds ? specs : specs.map(({ name, args }) => ({ name, args }));
    this.send(toolCallFrame(wire));
    const now = performance.now();
    this.ledger.add(
      specs.map((spec) => ({ key: spec.id, name: spec.name, blocking: this.behaviorOf(spec.name) === 'BLOCKING' })),
      now,
    );
    this.counters.toolCallsSent += 1;
    this.lastCallKeys = specs.map((spec) => spec.id);
    this.lastCallFrame = this.frames.length;
    this.offers.callsSent();
    return [...this.lastCallKeys];
  }

  /** The behaviour a call to `name` has now: its declaration's in the tools in force, or the model's default. */
  behaviorOf(name: string): ToolBehavior {
    return this.model?.behaviorOf(name) ?? 'BLOCKING';
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
    if (!this.isOpen) return;
    this.offers.modelGenerates();
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
    if (!this.isOpen) return;
    this.offers.modelGenerates();
    if (this.send(modelTextFrame(text))) this.state.transcript.push({ role: 'model', text });
  }

  /** Sends a transcription of the model's speech. */
  sendOutputTranscription(text: string): void {
    if (!this.isOpen) return;
    this.offers.modelGenerates();
    if (this.send(outputTranscriptionFrame(text))) this.state.transcript.push({ role: 'model', text });
  }

  /** Sends a transcription of the user's speech; `{ finished: true }` marks the end of it. */
  sendInputTranscription(text: string, options: { finished?: boolean } = {}): void {
    if (this.send(inputTranscriptionFrame(text, options.finished))) this.state.transcript.push({ role: 'user', text });
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
   *
   * `interactionStatus` rides along when given; on a model that reports it (3.8 extended
   * thinking) it is `IDLE` unless said otherwise. `IN_PROGRESS` ends the turn while the model
   * goes on working in the background: there, `turnComplete` does not mean idle.
   */
  sendTurnComplete(usage?: UsageInput, options: { interactionStatus?: InteractionStatus } = {}): void {
    const status = options.interactionStatus ?? (this.profile?.reportsInteractionStatus ? 'IDLE' : undefined);
    if (!this.send(turnCompleteFrame(usage, status))) return;
    this.state.turns += 1;
    this.resumptionPoint();
  }

  /**
   * Sends `interactionStatus` on its own, without `turnComplete`. The SDK's types say the service
   * always sends it alongside `turnComplete` (use `sendTurnComplete` for that); this is for
   * clients that must not depend on it.
   */
  sendInteractionStatus(status: InteractionStatus): void {
    this.send(interactionStatusFrame(status));
  }

  /**
   * Sends `serverContent.waitingForInput: true`: the model is not generating because it expects
   * the user to go on (3.x SDK types; gemini-3.8-live).
   */
  sendWaitingForInput(): void {
    this.send(waitingForInputFrame());
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

}
