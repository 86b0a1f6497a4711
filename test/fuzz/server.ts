/**
 * The fuzz world's server: every connection of the scripted transport, the newest one and the old
 * one a goAway left (where the profile keeps it open), and what it does on them (accept or refuse
 * setup, call, call again, cancel, close, send noise or junk), each action logged in the ledger
 * where it falls among the frames received.
 */
import type { LiveSession } from '../../src/index.js';
import type { ScriptedConnection, ScriptedTransport } from '../../src/testing/index.js';
import { fail, newCall, type CallRecord } from './calls.js';
import { JUNK, JUNK_BESIDE_CALLS, type Junk } from './inputs.js';
import type { Ledger } from './ledger.js';
import { callOf, toolOfBehaviour, type Behaviour } from './tools.js';

/** Server messages that change nothing the gate depends on, and junk that is no message at all. */
export const NOISE = [
  'content',
  'speaks',
  'waitingForInput',
  'statusIdle',
  'statusBusy',
  'usage',
  'goAway',
  'resumption',
  'resumptionNotResumable',
  'malformed',
  'transportError',
  'setupAgain',
] as const;
export type Noise = (typeof NOISE)[number] | Junk;
export const ALL_NOISE: readonly Noise[] = [...NOISE, ...(Object.keys(JUNK) as Junk[])];

/** Close codes a server (or a dropped socket) ends a connection with, and their reasons. */
export const CLOSES = [
  [1000, 'bye'],
  [1006, ''],
  [1007, 'Request contains an invalid argument.'],
  [1008, 'bye'],
  [1008, 'session not found'],
  [1011, 'Internal error encountered.'],
  [1011, 'Deadline expired before operation could complete.'],
] as const;
export type Close = (typeof CLOSES)[number];

/** Which server connection a move comes from: the newest, or the old one a goAway left. */
export type Side = 'newest' | 'old';

/** Where the server sent each resumption handle: the connection, and how many frames it had received then. */
export interface HandleIssued {
  connection: number;
  framesSoFar: number;
}

/** The server side of a fuzz case. */
export class FuzzServer {
  /** Connections (by index) whose setup the server completed, or whose connect it rejected. */
  readonly accepted = new Set<number>();
  readonly rejected = new Set<number>();
  /** Every handle the server issued, by handle. */
  readonly handles = new Map<string, HandleIssued>();
  private nextId = 0;
  private nextK = 0;

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

  refuse(code: number, reason = 'refused'): void {
    const connection = this.newest;
    if (!connection) return;
    this.sync();
    this.ledger.close(connection.index, this.transport.frames.length);
    if (code === 1006) {
      this.rejected.add(connection.index);
      connection.reject(new Error('connect ECONNREFUSED'));
    } else connection.serverClose(code, reason);
  }

  /**
   * Sends a toolCall with one call per behaviour on a connection, plus: with `repeat`, an id
   * issued before (picked by position): a repeat of a pending id must not run twice, and a
   * finished id may be reused; with `again`, the same call as one made before (picked by
   * position: same function, same arguments, a new id), as a model makes a call again after a
   * reconnect. With `junk`, the message also carries a call with no name and a cancellation that
   * cannot be read, which must not hide the good calls.
   */
  toolCall(
    behaviours: readonly Behaviour[],
    options: { repeat?: number | undefined; again?: number | undefined; side?: Side; junk?: boolean } = {},
  ): void {
    const connection = this.connectionOf(options.side ?? 'newest');
    if (!connection) return;
    this.sync();
    const mustHear = this.mustHear(connection);
    const nonBlocking = this.nonBlockingOn(connection);
    const fresh: CallRecord[] = [];
    const issue = (id: string, behaviour: Behaviour, again?: CallRecord) => {
      const k = again?.k ?? ++this.nextK;
      const blocking = !nonBlocking.has(toolOfBehaviour(behaviour));
      fresh.push(newCall({ id, behaviour, k, again, connection: connection.index, blocking, mustHear }));
      return callOf(id, behaviour, k);
    };
    const calls = behaviours.map((behaviour) => issue(`c${++this.nextId}`, behaviour));
    const made = this.ledger.calls;
    if (options.repeat !== undefined && made.length > 0) {
      const earlier = made[options.repeat % made.length] as CallRecord;
      const pending = this.ledger.waits(connection.index, earlier.id) ? this.ledger.find(earlier.id, connection.index) : undefined;
      // (Not a pending call whose function changed behaviour since: the scripted server would
      // take the repeat's behaviour for it, which no server does.)
      const sameBehaviour = pending && pending.blocking === !nonBlocking.has(toolOfBehaviour(pending.behaviour));
      if (!pending) calls.push(issue(earlier.id, 'sync'));
      else if (sameBehaviour) calls.push(callOf(earlier.id, pending.behaviour, pending.k));
    }
    if (options.again !== undefined && made.length > 0) {
      const earlier = made[options.again % made.length] as CallRecord;
      calls.push(issue(`c${++this.nextId}`, earlier.behaviour, earlier));
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

  /** The server closes a connection (the old one: its goAway deadline came). */
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
    const content = (body: Record<string, unknown>) => connection.send({ serverContent: body });
    const audio = { modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] } };
    switch (kind) {
      case 'content':
        return content({ ...audio, outputTranscription: { text: 'fine', finished: true }, turnComplete: true });
      case 'speaks':
        return content(audio);
      case 'waitingForInput':
        return content({ waitingForInput: true });
      case 'statusIdle':
        return content({ interactionStatus: 'IDLE' });
      case 'statusBusy':
        return content({ interactionStatus: 'IN_PROGRESS' });
      case 'usage':
        return connection.send({ usageMetadata: { totalTokenCount: 3 } });
      case 'goAway':
        // Close enough for the clock commands to reach its due time (1 s later).
        return connection.goAway('2s');
      case 'resumptionNotResumable':
        return connection.send({ sessionResumptionUpdate: { resumable: false } });
      case 'resumption': {
        this.sync();
        const handle = `h${this.handles.size + 1}`;
        this.handles.set(handle, { connection: connection.index, framesSoFar: this.transport.frames.length });
        return connection.send({ sessionResumptionUpdate: { newHandle: handle, resumable: true } });
      }
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

  /** The functions NON_BLOCKING on a connection now: its setup's, or the newest contextUpdate's. */
  private nonBlockingOn(connection: ScriptedConnection): Set<string> {
    const updates = connection.frames.flatMap(({ frame }) => (frame.type === 'contextUpdate' ? [frame.update.tools] : []));
    const declarations = updates.at(-1) ?? connection.request.functionDeclarations;
    return new Set(declarations.filter((fn) => fn.behavior === 'NON_BLOCKING').map((fn) => fn.name));
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
