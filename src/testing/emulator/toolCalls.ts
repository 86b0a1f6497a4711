/**
 * The set of tool calls the server is waiting on, per connection.
 *
 * Every call has a key: its wire id, or (when the emulator runs without call ids, Vertex AI
 * style) an internal `fc-N` that is never sent. Responses are matched by id, or by name when
 * there are no ids.
 */
import type { FunctionResponseBody } from './types.js';

/** A call the server sent and has not seen answered or cancelled. */
export interface PendingCall {
  key: string;
  name: string;
  /** `false` for `NON_BLOCKING` functions, which do not stop realtime input. */
  blocking: boolean;
}

/** How a `toolResponse` matched the pending calls. */
export type ResponseMatch =
  /** `late`: the id (or, without ids, the name) of each answer to a cancelled call. */
  | { ok: true; keys: string[]; late: string[] }
  | { ok: false; problem: string };

/** The pending tool calls of one connection, and the calls it recently cancelled. */
export class ToolCallLedger {
  private readonly pending: PendingCall[] = [];
  /** Cancelled keys and when they were cancelled, so in-flight answers to them are recognised. */
  private readonly cancelled = new Map<string, { name: string; at: number }>();
  private gatedSince: number | undefined;

  /** @param matchById `false` when calls go out without ids: answers then match by name. */
  constructor(private readonly matchById: boolean) {}

  /** Keys of the calls still pending, oldest first. */
  get keys(): string[] {
    return this.pending.map((call) => call.key);
  }

  /** When the pending set last started blocking realtime input; `undefined` while it does not. */
  get gateClosedAt(): number | undefined {
    return this.gatedSince;
  }

  /** Whether any pending call blocks realtime input. */
  get gating(): boolean {
    return this.pending.some((call) => call.blocking);
  }

  /** Keys of the pending calls that block realtime input, oldest first. */
  get blockingKeys(): string[] {
    return this.pending.filter((call) => call.blocking).map((call) => call.key);
  }

  /** Adds calls that were just written to the socket at `now`. */
  add(calls: readonly PendingCall[], now: number): void {
    const wasGating = this.gating;
    this.pending.push(...calls);
    if (!wasGating && this.gating) this.gatedSince = now;
  }

  /** Removes pending keys; returns the ones that were pending. */
  cancel(keys: readonly string[], now: number): string[] {
    const removed: string[] = [];
    for (const key of keys) {
      const call = this.remove(key);
      if (!call) continue;
      removed.push(key);
      this.cancelled.set(key, { name: call.name, at: now });
    }
    return removed;
  }

  /**
   * Matches a response against the pending calls without changing anything. An answer to a call
   * cancelled less than `lateWithinMs` ago is `late` (it crossed the cancellation on the wire, or
   * the model ignores it), not an error: the grace window on models that close, `Infinity` on
   * models whose input cancels calls.
   */
  match(responses: readonly FunctionResponseBody[], now: number, lateWithinMs: number): ResponseMatch {
    const taken = new Set<string>();
    const late: string[] = [];
    for (const response of responses) {
      const call = this.pending.find(
        (candidate) => !taken.has(candidate.key) && this.answers(candidate, response),
      );
      if (call) {
        if (call.name !== response.name) {
          return { ok: false, problem: `call ${call.key} is ${call.name}, not ${response.name}` };
        }
        taken.add(call.key);
        continue;
      }
      if (this.crossedCancellation(response, now, lateWithinMs)) {
        late.push(response.id ?? response.name);
        continue;
      }
      return { ok: false, problem: `no pending call for ${response.id ?? response.name}` };
    }
    return { ok: true, keys: [...taken], late };
  }

  /** Marks the matched keys as answered. */
  settle(keys: readonly string[]): void {
    for (const key of keys) this.remove(key);
  }

  private answers(call: PendingCall, response: FunctionResponseBody): boolean {
    // With ids the id decides and the name is then checked; without, the oldest call of that name.
    return this.matchById ? response.id === call.key : response.name === call.name;
  }

  private crossedCancellation(response: FunctionResponseBody, now: number, lateWithinMs: number): boolean {
    for (const [key, call] of this.cancelled) {
      const same = this.matchById ? key === response.id : call.name === response.name;
      if (same && now - call.at < lateWithinMs) return true;
    }
    return false;
  }

  private remove(key: string): PendingCall | undefined {
    const index = this.pending.findIndex((call) => call.key === key);
    if (index < 0) return undefined;
    const [call] = this.pending.splice(index, 1);
    if (!this.gating) this.gatedSince = undefined;
    return call;
  }
}
