/**
 * The fuzz world's ledger: every call the server made and what became of it, and a replay of
 * every frame the server received, with the server's own actions in between, as the server saw
 * them. The replay checks I1 (no realtime input while any call the session heard waits for its
 * answer, on any connection), I2 (answers only for calls the server waits on, on the connection
 * they came on, once, with the answer the tool's behaviour calls for) and I5 (a well-formed
 * activity bracket on each connection). The ledger checks that every call the session heard
 * reaches at most one terminal outcome (answered, cancelled, or reported lost with its
 * connection), and exactly one once the session is closed.
 */
import type { ToolCallLossReason } from '../../src/machines/types.js';
import type { RecordedFrame } from '../../src/testing/index.js';
import { expectedAnswer, MAY_TIME_OUT, timeoutAnswer, type Behaviour } from './tools.js';

/** An invariant broke: the message says which and why. */
export class InvariantError extends Error {}

export function fail(invariant: string, detail: string): never {
  throw new InvariantError(`${invariant}: ${detail}`);
}

/** A call the server made, and what became of it. */
export interface CallRecord {
  id: string;
  behaviour: Behaviour;
  /** Which connection (0-based) it came on. */
  connection: number;
  /** The session must hear it: at once (its connection is open and set up), or once that connection's setup completes. */
  mustHear: 'now' | 'atSetup' | 'no';
  /** Fake time when the session's machine got it (its tool started then). */
  heardAt: number | undefined;
  signal: AbortSignal | undefined;
  /** Its tool's promise settled (or it returned at once). */
  toolDone: boolean;
  /** Terminal outcomes: answers on the wire, cancelled while waited on, or reported lost. */
  answers: number;
  cancelled: boolean;
  lost: ToolCallLossReason | undefined;
}

/** Something the server did, at a position in the stream of frames it received. */
type ServerAction =
  | { at: number; kind: 'call'; connection: number; ids: string[] }
  | { at: number; kind: 'cancel'; connection: number; ids: string[] }
  | { at: number; kind: 'close'; connection: number };

/** How many terminal outcomes a call has had: answers, a cancellation, a loss. */
export const outcomes = (call: CallRecord) => call.answers + (call.cancelled ? 1 : 0) + (call.lost ? 1 : 0);

/** The ledger of one fuzz case. */
export class Ledger {
  readonly calls: CallRecord[] = [];
  private readonly log: ServerAction[] = [];
  private logCursor = 0;
  private cursor = 0;
  /** Ids the server waits on, by connection. */
  private readonly waiting = new Map<number, Set<string>>();
  /** The activity bracket on the wire, and the connection it is on (a new one starts with none open). */
  wireActivityOpen = false;
  wireConnection = 0;

  constructor(private readonly toolTimeoutMs: number) {}

  /** The call of `id` on `connection` that is still open to an outcome (the latest one of that id there). */
  find(id: string, connection: number): CallRecord | undefined {
    for (let i = this.calls.length - 1; i >= 0; i -= 1) {
      const call = this.calls[i] as CallRecord;
      if (call.id === id && call.connection === connection) return call;
    }
    return undefined;
  }

  /** The call of `id` whose tool is about to run: the latest of that id that has not run yet. */
  toolOf(id: string): CallRecord | undefined {
    for (let i = this.calls.length - 1; i >= 0; i -= 1) {
      const call = this.calls[i] as CallRecord;
      if (call.id === id && call.signal === undefined && call.heardAt !== undefined) return call;
    }
    return undefined;
  }

  /** The server sends calls on a connection, after `framesSoFar` frames. */
  issue(connection: number, framesSoFar: number, calls: CallRecord[], ids: string[]): void {
    this.calls.push(...calls);
    this.log.push({ at: framesSoFar, kind: 'call', connection, ids });
  }

  cancel(connection: number, framesSoFar: number, ids: string[]): void {
    this.log.push({ at: framesSoFar, kind: 'cancel', connection, ids });
  }

  /** The server closed a connection: it waits on nothing it sent there. */
  close(connection: number, framesSoFar: number): void {
    this.log.push({ at: framesSoFar, kind: 'close', connection });
  }

  /** The session's machine got a toolCall from connection `connection` (its tool starts now). */
  heard(ids: readonly string[], connection: number, now: number): void {
    for (const id of ids) {
      const call = this.find(id, connection);
      if (call && call.heardAt === undefined) call.heardAt = now;
    }
  }

  /** The session reported calls lost with their connection. */
  lose(ids: readonly (string | undefined)[], connection: number, reason: ToolCallLossReason): void {
    for (const id of ids) {
      const call = this.find(id ?? '', connection);
      if (!call) fail('I2', `${id} on connection ${connection} reported lost (${reason}), but the server never made that call`);
      if (reason !== 'connectionGone' && call.heardAt === undefined) fail('I2', `${id} reported lost (${reason}) before the session heard it`);
      if (call.lost) fail('I2', `${id} on connection ${connection} reported lost twice`);
      call.lost = reason;
      call.heardAt ??= Number.NaN;
      if (outcomes(call) > 1) fail('I2', `${id} on connection ${connection} reported lost, and answered or cancelled too`);
    }
  }

  /** Whether the server waits on `id` over `connection` (heard by the session or not yet). */
  waits(connection: number, id: string): boolean {
    return this.waiting.get(connection)?.has(id) ?? false;
  }

  /** Ids the server waits on over `connection` that the session heard. */
  waitingOn(connection: number): string[] {
    return [...(this.waiting.get(connection) ?? [])].filter((id) => this.find(id, connection)?.heardAt !== undefined);
  }

  /** Every (id, connection) the server waits on that the session heard, as `id@connection`. */
  waitingHeard(): string[] {
    return [...this.waiting.keys()].flatMap((connection) => this.waitingOn(connection).map((id) => `${id}@${connection}`));
  }

  /** The calls the session heard that have no outcome yet, as `id@connection`. */
  unresolved(): string[] {
    return this.calls.filter((call) => call.heardAt !== undefined && outcomes(call) === 0).map((call) => `${call.id}@${call.connection}`);
  }

  /** The server forgets what it waited on over a connection that is closed (by either side). */
  forget(connection: number): void {
    this.waiting.delete(connection);
  }

  /** Replays the frames the server got since the last call, with its own actions in between. */
  replay(frames: readonly RecordedFrame[], now: number): void {
    for (; this.cursor < frames.length; this.cursor += 1) {
      this.apply(this.cursor);
      const recorded = frames[this.cursor] as RecordedFrame;
      const { frame } = recorded;
      if (frame.type === 'realtimeInput') {
        this.checkGate(frame.input.kind, recorded.connection);
        this.followBracket(frame.input.kind, recorded.connection);
        continue;
      }
      if (frame.type !== 'toolResponse') continue;
      for (const response of frame.responses) this.answer(response.id ?? '', recorded.connection, response.response, now);
    }
    this.apply(Number.POSITIVE_INFINITY);
  }

  /** A new connection, on which no activity is open yet. */
  followConnection(connection: number): boolean {
    if (connection <= this.wireConnection) return false;
    this.wireConnection = connection;
    this.wireActivityOpen = false;
    return true;
  }

  /** Once closed: every call the session heard reached exactly one outcome. */
  checkAllResolved(): void {
    for (const call of this.calls) {
      if (call.heardAt === undefined) continue;
      const count = outcomes(call);
      if (count !== 1) {
        fail('I2', `call ${call.id} (${call.behaviour}) on connection ${call.connection} reached ${count} outcomes (answers ${call.answers}, cancelled ${call.cancelled}, lost ${call.lost})`);
      }
    }
  }

  private apply(upTo: number): void {
    while (this.logCursor < this.log.length && (this.log[this.logCursor] as ServerAction).at <= upTo) {
      const action = this.log[this.logCursor++] as ServerAction;
      const waiting = this.waiting.get(action.connection) ?? new Set<string>();
      this.waiting.set(action.connection, waiting);
      if (action.kind === 'call') for (const id of action.ids) waiting.add(id);
      else if (action.kind === 'cancel') {
        for (const id of action.ids) {
          const call = this.find(id, action.connection);
          // A call the session has yet to hear (its connection's setup is pending) is cancelled
          // all the same: the session hears the cancellation right after it.
          if (!waiting.delete(id) || !call) continue;
          call.cancelled = true;
          if (outcomes(call) > 1) fail('I2', `call ${id} cancelled after another outcome`);
        }
      } else this.waiting.delete(action.connection);
    }
  }

  /** I1: no realtime input while the server waits on a call the session heard, on any connection. */
  private checkGate(kind: string, connection: number): void {
    for (const [waitingOn] of this.waiting) {
      const heard = this.waitingOn(waitingOn);
      if (heard.length > 0) fail('I1', `${kind} sent on connection ${connection} while the server waits on [${heard}] on connection ${waitingOn}`);
    }
  }

  /** I5: a well-formed bracket per connection; I7: nothing on an older connection once a newer one had input. */
  private followBracket(kind: string, connection: number): void {
    if (connection < this.wireConnection) fail('I7', `input on connection ${connection}, after a newer one`);
    this.followConnection(connection);
    if (kind === 'activityStart') {
      if (this.wireActivityOpen) fail('I5', 'activityStart while an activity is open');
      this.wireActivityOpen = true;
    } else if (kind === 'activityEnd') {
      if (!this.wireActivityOpen) fail('I5', 'activityEnd without an activityStart');
      this.wireActivityOpen = false;
    }
  }

  /** I2: an answer the server waits for, on the call's own connection, once, the one its behaviour calls for. */
  private answer(id: string, connection: number, response: unknown, now: number): void {
    const call = this.find(id, connection);
    if (!call) fail('I2', `an answer for ${id} on connection ${connection}, where the server never called it`);
    if (!this.waiting.get(connection)?.delete(id)) {
      fail('I2', `an answer for ${id} on connection ${connection}, which the server no longer waits on (cancelled: ${call.cancelled})`);
    }
    if (call.heardAt === undefined) fail('I2', `an answer for ${id} before the session heard it`);
    call.answers += 1;
    if (outcomes(call) > 1) fail('I2', `call ${id} answered after another outcome`);
    const timeout = timeoutAnswer(call.behaviour, this.toolTimeoutMs);
    if (JSON.stringify(response) === JSON.stringify(timeout)) {
      if (!MAY_TIME_OUT.includes(call.behaviour)) fail('I2', `${call.behaviour} call ${id} timed out`);
      if (now - call.heardAt < this.toolTimeoutMs) fail('I3', `call ${id} timed out early`);
      return;
    }
    if (JSON.stringify(response) !== JSON.stringify(expectedAnswer(id, call.behaviour, this.toolTimeoutMs))) {
      fail('I2', `call ${id} (${call.behaviour}) answered ${JSON.stringify(response)}`);
    }
  }
}
