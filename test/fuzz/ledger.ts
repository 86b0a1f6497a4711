/**
 * The fuzz world's ledger: every call the server made and what became of it, and a replay of
 * every frame the server received, with the server's own actions in between, as the server saw
 * them. The replay checks I1 (no realtime input or conversation content while any blocking call
 * the session heard waits for its answer, on any connection; on a model whose input cancels a
 * blocking call, such input cancels it instead), I2 (answers only for calls the server waits on,
 * on the connection they came on, once, with the answer the tool's behaviour calls for, or the
 * first run's for a call made again; an orphaned call's outcome reaches the conversation at most
 * once, on a later connection, saying what it was) and I5 (a well-formed activity bracket on each
 * connection).
 */
import type { ToolCallLossReason } from '../../src/machines/types.js';
import type { RecordedFrame } from '../../src/testing/index.js';
import { fail, outcomes, type CallRecord } from './calls.js';
import { allowedAnswers, outcomeWords, timeoutAnswer } from './tools.js';

export { fail, InvariantError, outcomes, type CallRecord } from './calls.js';

/** Something the server did, at a position in the stream of frames it received. */
type ServerAction =
  | { at: number; kind: 'call'; connection: number; ids: string[] }
  | { at: number; kind: 'cancel'; connection: number; ids: string[] }
  | { at: number; kind: 'close'; connection: number };

/** The first words of the conversation turns the session writes itself. */
const ORPHAN_TURN = 'A tool call made before the connection was lost has finished.';
const SEED_TURN = 'The conversation so far';

/** The text of the application's n-th conversation content (1-based). */
export const appContentText = (n: number) => `app ${n}`;

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
  /** The application's conversation contents that reached the wire, and fresh sessions seeded. */
  appContentsSent = 0;
  seedsSent = 0;
  /** Conversation frames (toolResponse, clientContent) on the wire, by connection, with their position. */
  readonly conversation: { connection: number; seq: number }[] = [];

  /**
   * @param inputCancels the server cancels a blocking call on input (3.8) instead of refusing it.
   * @param sourceOf the call the session took a call for (a call made again), by its own ledger.
   */
  constructor(
    private readonly toolTimeoutMs: number,
    private readonly inputCancels: boolean,
    private readonly sourceOf: (call: CallRecord) => CallRecord | undefined,
  ) {}

  /** The latest call of `id` on `connection`. */
  find(id: string, connection: number): CallRecord | undefined {
    for (let i = this.calls.length - 1; i >= 0; i -= 1) {
      const call = this.calls[i] as CallRecord;
      if (call.id === id && call.connection === connection) return call;
    }
    return undefined;
  }

  /** The call of `id` whose tool is about to run: the latest of that id heard that has not run yet. */
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

  /** The session's machine got a toolCall from connection `connection` (its tools start now). */
  heard(ids: readonly string[], connection: number, now: number): void {
    for (const id of ids) {
      const call = this.find(id, connection);
      if (call && call.heardAt === undefined) call.heardAt = now;
    }
  }

  /** The session reported calls lost for good. */
  lose(ids: readonly (string | undefined)[], connection: number, reason: ToolCallLossReason): void {
    for (const id of ids) {
      const call = this.find(id ?? '', connection);
      if (!call) fail('I2', `${id} on connection ${connection} reported lost (${reason}), but the server never made that call`);
      if (reason !== 'connectionGone' && call.heardAt === undefined) fail('I2', `${id} reported lost (${reason}) before the session heard it`);
      if (call.lost) fail('I2', `${id} on connection ${connection} reported lost twice`);
      call.lost = reason;
      call.heardAt ??= Number.NaN;
      if (outcomes(call) > 1) fail('I2', `${id} on connection ${connection} reported lost, and ended another way too`);
    }
  }

  /** The session said calls of a connection that is gone are orphaned: they end later, once. */
  orphan(ids: readonly (string | undefined)[], connection: number): void {
    for (const id of ids) {
      const call = this.find(id ?? '', connection);
      if (!call || call.heardAt === undefined) fail('I2', `${id} on connection ${connection} orphaned, but the session never heard it`);
      if (call.orphaned || outcomes(call) > 0) fail('I2', `${id} on connection ${connection} orphaned after it ${call.orphaned ? 'was orphaned' : 'ended'}`);
      call.orphaned = true;
    }
  }

  /** Whether the server waits on `id` over `connection` (heard by the session or not yet). */
  waits(connection: number, id: string): boolean {
    return this.waiting.get(connection)?.has(id) ?? false;
  }

  /** Ids the server waits on over `connection` that the session heard (only blocking ones, with `blocking`). */
  waitingOn(connection: number, blocking = false): string[] {
    return [...(this.waiting.get(connection) ?? [])].filter((id) => {
      const call = this.find(id, connection);
      return call?.heardAt !== undefined && (!blocking || call.blocking);
    });
  }

  /** Every (id, connection) the server waits on that the session heard and did not cancel by input (the input that tells the server may still be on its way), as `id@connection`. */
  waitingHeardUncancelled(): string[] {
    return [...this.waiting.keys()].flatMap((connection) =>
      this.waitingOn(connection)
        .filter((id) => this.find(id, connection)?.cancelled !== 'byInput')
        .map((id) => `${id}@${connection}`),
    );
  }

  /** Every (id, connection) the server waits on that the session heard, as `id@connection`. */
  waitingHeard(): string[] {
    return [...this.waiting.keys()].flatMap((connection) => this.waitingOn(connection).map((id) => `${id}@${connection}`));
  }

  /** The calls the session heard that wait for an answer on their connection (ended in no way, not orphaned), as `id@connection`. */
  unresolved(): string[] {
    return this.calls
      .filter((call) => call.heardAt !== undefined && !call.orphaned && outcomes(call) === 0)
      .map((call) => `${call.id}@${call.connection}`);
  }

  /** The calls the session heard that have not ended (pending, or orphaned). */
  open(): CallRecord[] {
    return this.calls.filter((call) => call.heardAt !== undefined && outcomes(call) === 0);
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
      const { frame, connection } = recorded;
      if (frame.type === 'realtimeInput') {
        this.checkGate(frame.input.kind, connection, true);
        this.followBracket(frame.input.kind, connection);
      } else if (frame.type === 'toolResponse') {
        this.conversation.push({ connection, seq: recorded.seq });
        for (const response of frame.responses) this.answer(response.id ?? '', connection, response, now);
      } else if (frame.type === 'clientContent') {
        this.conversation.push({ connection, seq: recorded.seq });
        this.content(frame.turns.map((turn) => turn.parts.map((part) => ('text' in part ? String(part.text) : '')).join('')), connection, frame.turnComplete);
      }
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
        fail('I2', `call ${call.id} (${call.behaviour}) on connection ${call.connection} reached ${count} outcomes (answers ${call.answers}, cancelled ${call.cancelled}, lost ${call.lost}, delivered ${call.delivered}, ledger ${call.ledgerState})`);
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
          call.cancelled = 'byServer';
          if (outcomes(call) > 1) fail('I2', `call ${id} cancelled after another outcome`);
        }
      } else this.waiting.delete(action.connection);
    }
  }

  /** The session cancelled calls by the user's input (`whileBlockingCall: 'interrupt'`). */
  cancelByInput(ids: readonly string[]): void {
    for (const id of ids) {
      const call = this.calls.findLast((candidate) => candidate.id === id && candidate.heardAt !== undefined && !candidate.orphaned && outcomes(candidate) === 0);
      if (!call) fail('I2', `the session cancelled ${id} by input, and no call of that id waits`);
      if (!call.blocking) fail('I2', `the session cancelled ${id} by input, and it does not block`);
      call.cancelled = 'byInput';
    }
  }

  /**
   * I1: no input (realtime, or conversation content that completes a turn) while the server waits
   * on a blocking call the session heard, on any connection; on a server whose input cancels a
   * blocking call, unless the session cancelled the input's connection's calls for it (then the
   * server cancels them too).
   */
  private checkGate(what: string, connection: number, interrupts: boolean): void {
    for (const [waitingOn] of this.waiting) {
      const blocking = this.waitingOn(waitingOn, true);
      if (blocking.length === 0) continue;
      const cancelled = blocking.every((id) => this.find(id, waitingOn)?.cancelled === 'byInput');
      if (this.inputCancels && waitingOn === connection && interrupts && cancelled) {
        for (const id of blocking) this.waiting.get(waitingOn)?.delete(id);
        continue;
      }
      fail('I1', `${what} sent on connection ${connection} while the server waits on [${blocking}] on connection ${waitingOn}`);
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

  /** Conversation content: the application's (in order, once), orphaned calls' outcomes (once each), or a seed. */
  private content(texts: string[], connection: number, turnComplete: boolean): void {
    if (texts.length > 0 && texts.every((text) => text.startsWith(ORPHAN_TURN))) {
      this.checkGate('conversation content', connection, turnComplete);
      for (const text of texts) this.deliver(text, connection);
      return;
    }
    if (texts.length === 1 && texts[0]?.startsWith(SEED_TURN)) {
      this.seedsSent += 1;
      return;
    }
    const expected = appContentText(this.appContentsSent + 1);
    if (texts.length !== 1 || texts[0] !== expected) fail('I4', `conversation content [${texts}] on connection ${connection}, where ${expected} was next`);
    this.checkGate(expected, connection, turnComplete);
    this.appContentsSent += 1;
  }

  /** I2: an orphaned call's outcome reaches the conversation once, on a later connection, saying what it was. */
  private deliver(text: string, connection: number): void {
    const id = /\[call ([^\]]+)\]/.exec(text)?.[1] ?? '';
    // An id the server used again names two calls: the arguments (their `k`) say which one this is.
    const k = Number(/"k":(\d+)/.exec(text)?.[1]);
    const call = this.calls.find(
      (candidate) => candidate.id === id && candidate.k === k && candidate.orphaned && candidate.connection < connection && candidate.delivered === 0,
    );
    if (!call) fail('I2', `an outcome delivered as context for ${id} on connection ${connection}, which is no orphaned call not yet delivered`);
    call.delivered += 1;
    if (outcomes(call) > 1) fail('I2', `call ${id} delivered as context after another outcome`);
    // A call the session took for an earlier one has that run's outcome.
    const ran = this.sourceOf(call) ?? call;
    const words = allowedAnswers(ran.id, ran.behaviour, this.toolTimeoutMs).map(outcomeWords);
    if (!words.some((said) => text.endsWith(`${said}.`))) fail('I2', `call ${id} (${call.behaviour}) delivered as "${text}"`);
  }

  /** I2: an answer the server waits for, on the call's own connection, once, the one its behaviour (or its first run's) calls for. */
  private answer(id: string, connection: number, response: { response?: unknown; scheduling?: string }, now: number): void {
    const call = this.find(id, connection);
    if (!call) fail('I2', `an answer for ${id} on connection ${connection}, where the server never called it`);
    if (!this.waiting.get(connection)?.delete(id)) {
      fail('I2', `an answer for ${id} on connection ${connection}, which the server no longer waits on (cancelled: ${call.cancelled})`);
    }
    if (call.heardAt === undefined) fail('I2', `an answer for ${id} before the session heard it`);
    call.answers += 1;
    if (outcomes(call) > 1) fail('I2', `call ${id} answered after another outcome`);
    if ((response.scheduling !== undefined) === call.blocking) {
      fail('I2', `call ${id} (${call.blocking ? 'BLOCKING' : 'NON_BLOCKING'}) answered with scheduling ${response.scheduling}`);
    }
    // A call the session took for an earlier one gets that run's outcome. (Answered within the
    // step that took it, the session's ledger is not seen yet: either run's outcome will do, and
    // the ledger check says later which one it was.)
    const source = call.key === undefined ? call.again : this.sourceOf(call);
    const runs: CallRecord[] = [];
    if (call.key === undefined) for (let run: CallRecord | undefined = call; run; run = run.again) runs.push(run);
    else runs.push(source ?? call);
    const answers = runs.flatMap((run) => allowedAnswers(run.id, run.behaviour, this.toolTimeoutMs));
    const answer = JSON.stringify(response.response);
    if (!answers.some((allowed) => JSON.stringify(allowed) === answer)) {
      fail('I2', `call ${id} (${call.behaviour}${source ? `, the first run ${source.id} ${source.behaviour}` : ''}) answered ${answer}`);
    }
    const ownRun = call.key === undefined ? call.again === undefined : source === undefined;
    if (ownRun && answer === JSON.stringify(timeoutAnswer(call.behaviour, this.toolTimeoutMs)) && now - call.heardAt < this.toolTimeoutMs) {
      fail('I3', `call ${id} timed out early`);
    }
  }
}
