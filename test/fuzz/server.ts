/**
 * The fuzz world's server: every connection of the scripted transport, the newest one and the old
 * one a goAway left, and what it does on them (accept or refuse setup, call, cancel, close, send
 * noise or junk), each action logged in the ledger where it falls among the frames received.
 */
import type { LiveSession } from '../../src/index.js';
import type { ScriptedConnection, ScriptedTransport } from '../../src/testing/index.js';
import { JUNK, JUNK_BESIDE_CALLS, type Junk } from './inputs.js';
import { fail, type CallRecord, type Ledger } from './ledger.js';
import { callOf, type Behaviour } from './tools.js';

/** Server messages that change nothing the gate depends on, and junk that is no message at all. */
export const NOISE = ['content', 'usage', 'goAway', 'resumption', 'resumptionNotResumable', 'malformed', 'transportError', 'setupAgain'] as const;
export type Noise = (typeof NOISE)[number] | Junk;
export const ALL_NOISE: readonly Noise[] = [...NOISE, ...(Object.keys(JUNK) as Junk[])];

/** Close codes a server (or a dropped socket) ends a connection with. */
export const CLOSE_CODES = [1000, 1006, 1007, 1008, 1011] as const;

/** Which server connection a move comes from: the newest, or the old one a goAway left. */
export type Side = 'newest' | 'old';

/** The server side of a fuzz case. */
export class FuzzServer {
  /** Connections (by index) whose setup the server completed, or whose connect it rejected. */
  readonly accepted = new Set<number>();
  readonly rejected = new Set<number>();
  private nextId = 0;

  /** `sync` brings the ledger up to date with the wire before an action is logged. */
  constructor(
    private readonly transport: ScriptedTransport,
    private readonly ledger: Ledger,
    private readonly session: LiveSession,
    private readonly sync: () => void,
  ) {}

  /** The newest connection: after a reconnect, the one the session opened last. */
  get newest(): ScriptedConnection | undefined {
    return this.transport.connections.at(-1);
  }

  /** A connection is opening and setup has not completed. */
  get isConnecting(): boolean {
    const connection = this.newest;
    return connection !== undefined && !this.accepted.has(connection.index) && !this.rejected.has(connection.index) && connection.closedWith === undefined;
  }

  /** Setup completed and the connection is open: the server can speak. */
  get isConnected(): boolean {
    const connection = this.newest;
    return connection !== undefined && this.accepted.has(connection.index) && connection.closedWith === undefined;
  }

  /** An older connection is still open (a goAway announced its end and a newer one was opened). */
  get hasOldConnection(): boolean {
    return this.oldConnection() !== undefined;
  }

  /** Whether the server can speak on a side now. */
  canSpeak(side: Side): boolean {
    return side === 'old' ? this.hasOldConnection : this.isConnected;
  }

  accept(): void {
    const connection = this.newest;
    if (!connection) return;
    this.accepted.add(connection.index);
    connection.accept();
  }

  refuse(code: number): void {
    const connection = this.newest;
    if (!connection) return;
    this.sync();
    this.ledger.close(connection.index, this.transport.frames.length);
    if (code === 1006) {
      this.rejected.add(connection.index);
      connection.reject(new Error('connect ECONNREFUSED'));
    } else connection.serverClose(code, 'refused');
  }

  /**
   * Sends a toolCall with one call per behaviour on a connection, plus, with `repeat`, an id
   * issued before (picked by position): a repeat of a pending id must not run twice, and a
   * finished id may be reused. With `junk`, the message also carries a call with no name and a
   * cancellation that cannot be read, which must not hide the good calls.
   */
  toolCall(behaviours: readonly Behaviour[], options: { repeat?: number | undefined; side?: Side; junk?: boolean } = {}): void {
    const connection = this.connectionOf(options.side ?? 'newest');
    if (!connection) return;
    this.sync();
    const mustHear = this.mustHear(connection);
    const fresh: CallRecord[] = [];
    const issue = (id: string, behaviour: Behaviour) => {
      fresh.push({ id, behaviour, connection: connection.index, mustHear, heardAt: undefined, signal: undefined, toolDone: false, answers: 0, cancelled: false, lost: undefined });
      return callOf(id, behaviour);
    };
    const issued = [...new Set(this.ledger.calls.map((call) => call.id))];
    const calls = behaviours.map((behaviour) => issue(`c${++this.nextId}`, behaviour));
    if (options.repeat !== undefined && issued.length > 0) {
      const id = issued[options.repeat % issued.length] as string;
      const earlier = this.ledger.waits(connection.index, id) ? this.ledger.find(id, connection.index) : undefined;
      calls.push(earlier ? callOf(id, earlier.behaviour) : issue(id, 'sync'));
    }
    this.ledger.issue(connection.index, this.transport.frames.length, fresh, calls.map((call) => call.id as string));
    if (options.junk) {
      connection.send({ toolCall: { functionCalls: [...calls, JUNK_BESIDE_CALLS.badCall] }, toolCallCancellation: JUNK_BESIDE_CALLS.toolCallCancellation });
    } else connection.toolCall(calls);
    if (mustHear !== 'now') return;
    const unheard = fresh.filter((call) => call.heardAt === undefined).map((call) => call.id);
    if (unheard.length > 0) fail('I2', `the session ignored a toolCall (${unheard}) from connection ${connection.index}, which it holds open`);
  }

  /**
   * Cancels ids chosen by position among every id issued so far (pending, answered or cancelled
   * already; the same one twice if picked twice), plus an id the server never used when `stale`.
   */
  cancel(picks: readonly number[], stale: boolean, side: Side = 'newest'): void {
    const connection = this.connectionOf(side);
    if (!connection) return;
    const issued = [...new Set(this.ledger.calls.map((call) => call.id))];
    const ids = picks.flatMap((pick) => (issued.length > 0 ? [issued[pick % issued.length] as string] : []));
    if (stale) ids.push('never-called');
    if (ids.length === 0) return;
    this.sync();
    this.ledger.cancel(connection.index, this.transport.frames.length, ids);
    connection.cancel(ids);
  }

  /** The server closes a connection (the old one: its goAway deadline came); 1008 `session not found` is retryable. */
  close(code: number, reason = 'bye', side: Side = 'newest'): void {
    const connection = this.connectionOf(side);
    if (!connection) return;
    this.sync();
    this.ledger.close(connection.index, this.transport.frames.length);
    connection.serverClose(code, reason);
  }

  noise(kind: Noise, side: Side = 'newest'): void {
    const connection = this.connectionOf(side);
    if (!connection) return;
    switch (kind) {
      case 'content':
        return connection.send({
          serverContent: { modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] }, turnComplete: true },
        });
      case 'usage':
        return connection.send({ usageMetadata: { totalTokenCount: 3 } });
      case 'goAway':
        // Close enough for the clock commands to reach its due time (1 s later).
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
      default:
        return connection.send(JUNK[kind]);
    }
  }

  private connectionOf(side: Side): ScriptedConnection | undefined {
    return side === 'old' ? this.oldConnection() : this.newest;
  }

  private oldConnection(): ScriptedConnection | undefined {
    return this.transport.connections
      .slice(0, -1)
      .reverse()
      .find((c) => this.accepted.has(c.index) && c.closedWith === undefined);
  }

  /**
   * Whether the session must hear a toolCall sent on `connection`: at once if the session holds
   * that connection open and has seen its setup complete; once it has, if setup is under way (the
   * connection actor holds what comes before, as the service sends nothing before setupComplete).
   */
  private mustHear(connection: ScriptedConnection): CallRecord['mustHear'] {
    const snapshot = this.session.actor.getSnapshot();
    if (connection.closedWith !== undefined || this.rejected.has(connection.index) || snapshot.status !== 'active') return 'no';
    const generation = connection.index + 1;
    const opening =
      snapshot.context.generation === generation && (snapshot.matches({ idle: 'connecting' }) || snapshot.matches({ idle: { reconnecting: 'opening' } }));
    if (!this.accepted.has(connection.index) || opening) return 'atSetup';
    return snapshot.context.openConnections.includes(generation) ? 'now' : 'no';
  }
}
