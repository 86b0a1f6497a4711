/**
 * The invariants a fuzz world is held to after every step (I1–I7), and what must hold once the
 * session is closed for good. The wire's own replay (I1, I2 answers and deliveries, I5 bracket)
 * lives in the ledger; this file compares the session (its state, its metrics, its own ledger)
 * with the world's bookkeeping.
 */
import { vi } from 'vitest';
import { LiveSessionError, type LiveSession } from '../../src/index.js';
import type { RecordedFrame, ScriptedConnection, ScriptedTransport } from '../../src/testing/index.js';
import { fail, outcomes, type CallRecord } from './calls.js';
import type { MicMeter } from './inputs.js';
import type { Ledger } from './ledger.js';
import { processFailures } from './process.js';
import type { ResumeWatch } from './resumes.js';
import type { FuzzServer } from './server.js';

/** What the checks read of a world. */
export interface WorldView {
  readonly session: LiveSession;
  readonly transport: ScriptedTransport;
  readonly server: FuzzServer;
  readonly ledger: Ledger;
  readonly resumes: ResumeWatch;
  readonly mic: MicMeter;
  readonly errors: readonly unknown[];
  readonly handed: Readonly<Record<string, number>>;
  readonly invalidHanded: number;
  readonly contentsHanded: number;
  readonly restarts: number;
  readonly accepted: ReadonlySet<number>;
  readonly rejected: ReadonlySet<number>;
  readonly owedBracket: boolean | undefined;
  readonly inspectionFailure: unknown;
  framesAtClose: number | undefined;
  readonly options: { readonly toolTimeoutMs: number; readonly everyFrame?: boolean | undefined };
  readonly isClosed: boolean;
  readonly newest: ScriptedConnection | undefined;
  stateName(): string;
  followConnection(): void;
}

const sorted = (values: readonly string[]) => [...values].sort().join(', ');

/** Checks I1–I7 as they must hold at any point; `settled`: every promise chain has run. */
export function checkWorld(world: WorldView, settled: boolean): void {
  const { session, transport, ledger } = world;
  if (world.inspectionFailure !== undefined) throw world.inspectionFailure;
  const closed = world.isClosed;
  if (closed && world.framesAtClose === undefined) world.framesAtClose = transport.frames.length;
  world.followConnection();
  // A connection closed by either side: the server waits on nothing it sent there.
  for (const connection of transport.connections) {
    if (connection.closedWith !== undefined || world.rejected.has(connection.index)) ledger.forget(connection.index);
  }
  world.resumes.follow(transport, ledger, world.server.handles);

  // I1: the scripted server saw no realtime input while it waited (the ledger's replay checks
  // the same across connections: nothing on a new one while the old one's calls wait).
  for (const connection of transport.connections) {
    if (connection.violations.length > 0) fail('I1', `the server saw realtime input while waiting: ${describe(connection.violations)}`);
  }

  checkCounts(world);
  checkBracket(world);

  // I6: errors reach the application as typed error events, never as crashes: the machine
  // itself never fails (an action that throws puts the actor in `error`).
  const snapshot = session.actor.getSnapshot();
  if (snapshot.status === 'error') fail('I6', `the session actor failed: ${String(snapshot.error)}`);
  for (const error of world.errors) {
    if (!(error instanceof LiveSessionError)) fail('I6', `an error event carried ${String(error)}`);
  }
  if (processFailures.length > 0) fail('I6', `unhandled: ${processFailures.map(String).join('; ')}`);

  checkCalls(world, settled);
  if (closed) {
    checkClosed(world, settled);
    return;
  }
  if (!settled) return;

  // Every socket the session holds is open, and every other one is closed: none leaks.
  const open = transport.connections.filter((c) => c.closedWith === undefined && !world.rejected.has(c.index)).map((c) => `${c.index}`);
  const held = snapshot.context.openConnections.map((generation) => `${generation - 1}`);
  if (sorted(open) !== sorted(held)) fail('I7', `the session holds connections [${sorted(held)}] open, the server has [${sorted(open)}] open`);

  // I5: once the gate is open, the bracket is what the application's last signal asked for.
  if (session.state === 'streaming' && world.owedBracket !== undefined && ledger.wireActivityOpen !== world.owedBracket) {
    fail('I5', `the application asked for the activity to be ${world.owedBracket ? 'open' : 'closed'}, and it is not on the wire`);
  }
}

/**
 * I4: every input handed over is counted once, and as forwarded, dropped, deferred or buffered;
 * what was forwarded is on the wire. Every conversation content handed over went out once, in
 * order, or is held, or was dropped and counted; every clientContent on the wire is counted sent.
 */
function checkCounts(world: WorldView): void {
  const { session, transport, mic, ledger } = world;
  const m = session.metrics();
  for (const [kind, handed] of Object.entries(world.handed)) {
    const expected = kind === 'audio' ? handed + mic.handed : handed;
    const received = m.received[kind as keyof typeof m.received];
    if (received !== expected) fail('I4', `${expected} ${kind} inputs handed to the session, ${received} counted received`);
  }
  if (m.dropped.invalid !== world.invalidHanded) fail('I4', `${world.invalidHanded} bad inputs handed over, ${m.dropped.invalid} dropped as invalid`);
  if (m.totalReceived !== m.totalForwarded + m.totalDropped + m.deferred + m.buffered) {
    fail('I4', `received ${m.totalReceived} != forwarded ${m.totalForwarded} + dropped ${m.totalDropped} + deferred ${m.deferred} + buffered ${m.buffered}`);
  }
  if (m.buffered < 0 || (world.isClosed && m.buffered !== 0)) fail('I4', `${m.buffered} inputs buffered (closed: ${world.isClosed})`);
  const onWire = transport.frames.filter(({ frame }) => frame.type === 'realtimeInput').length;
  if (m.totalForwarded !== onWire) fail('I4', `${m.totalForwarded} inputs counted forwarded, ${onWire} on the wire`);
  if (world.options.everyFrame && mic.throughLane > 0) fail('I4', `${mic.throughLane} mic frames took the fast lane of a session that inspects every frame`);
  const held = session.actor.getSnapshot().context.heldContent.length;
  if (world.contentsHanded !== ledger.appContentsSent + m.contentDropped + held) {
    fail('I4', `${world.contentsHanded} contents handed over, ${ledger.appContentsSent} on the wire + ${m.contentDropped} dropped + ${held} held`);
  }
  const contentOnWire = transport.frames.filter(({ frame }) => frame.type === 'clientContent').length;
  if (m.contentSent !== contentOnWire) fail('I4', `${m.contentSent} contents counted sent, ${contentOnWire} on the wire`);
  if (ledger.seedsSent > world.restarts) fail('I2', `${ledger.seedsSent} fresh sessions seeded, ${world.restarts} restarted`);
}

/** I5: the signals held back while gated: at most end, start, end, in an order the bracket allows, only while gated. */
function checkBracket(world: WorldView): void {
  const { session, ledger } = world;
  const m = session.metrics();
  const { deferredActivity, activityOpen } = session.actor.getSnapshot().context;
  if (m.deferred !== deferredActivity.length) fail('I5', `metrics say ${m.deferred} signals deferred, the machine holds ${deferredActivity.length}`);
  if (m.deferred > 3) fail('I5', `${m.deferred} activity signals held back: [${deferredActivity}]`);
  if (m.deferred > 0 && session.state !== 'awaitingToolResponse') fail('I5', `${m.deferred} activity signals held back in state ${world.stateName()}`);
  let open = activityOpen;
  for (const signal of deferredActivity) {
    if ((signal === 'activityStart') === open) fail('I5', `held back [${deferredActivity}] on a bracket that is ${activityOpen ? 'open' : 'closed'}`);
    open = signal === 'activityStart';
  }
  const live = session.state === 'streaming' || session.state === 'awaitingToolResponse';
  if (live && activityOpen !== ledger.wireActivityOpen) fail('I5', `the machine has the activity ${activityOpen ? 'open' : 'closed'}, the wire has not`);
}

/** A call's state in the session's ledger must be what the world saw become of it. */
function checkAgainstLedger(call: CallRecord): void {
  const state = call.ledgerState;
  if (state === undefined) {
    // Heard, and never in the ledger: only a call from a connection already gone, lost at once.
    if (call.key === undefined && call.lost !== 'connectionGone') fail('I2', `call ${call.id} on connection ${call.connection} has no entry in the session's ledger`);
    return;
  }
  const seen = {
    running: !call.orphaned && outcomes(call) === 0,
    answered: call.answers === 1,
    cancelled: call.cancelled !== undefined,
    lost: call.lost !== undefined,
    orphaned: call.orphaned && outcomes(call) === 0,
    deliveredAsContext: call.delivered === 1,
    superseded: call.orphaned,
    discarded: call.orphaned && call.delivered === 0,
  }[state];
  if (!seen) {
    fail('I2', `call ${call.id} on connection ${call.connection} is ${state} in the session's ledger; the world saw answers ${call.answers}, cancelled ${call.cancelled}, lost ${call.lost}, orphaned ${call.orphaned}, delivered ${call.delivered}`);
  }
}

/**
 * I2 and I3 for the calls: every call the session heard has at most one outcome (exactly one once
 * closed), the session's ledger and counters say the same as the world, the gate is exactly the
 * set of calls waiting, tools are aborted only when they should be.
 */
function checkCalls(world: WorldView, settled: boolean): void {
  const { session, ledger } = world;
  const m = session.metrics();
  const heard = ledger.calls.filter((call) => call.heardAt !== undefined);
  for (const call of heard) {
    if (outcomes(call) > 1) fail('I2', `call ${call.id} on connection ${call.connection} ended ${outcomes(call)} times`);
    checkAgainstLedger(call);
  }
  const count = (state: string) => heard.filter((call) => call.ledgerState === state).length;
  const tally = {
    toolCalls: heard.length,
    toolCallsAnswered: heard.reduce((sum, call) => sum + call.answers, 0),
    toolCancellations: heard.filter((call) => call.cancelled !== undefined).length,
    toolCallsLost: heard.filter((call) => call.lost !== undefined).length,
    toolCallsOrphaned: heard.filter((call) => call.orphaned).length,
    toolCallsDeliveredAsContext: heard.reduce((sum, call) => sum + call.delivered, 0),
    toolCallsSuperseded: count('superseded'),
    toolCallsDiscarded: count('discarded'),
    pendingToolCalls: ledger.unresolved().length,
  };
  for (const [counter, expected] of Object.entries(tally)) {
    const counted = m[counter as keyof typeof tally];
    if (counted !== expected) fail('I2', `metrics().${counter} is ${counted}, the world saw ${expected}`);
  }
  // Every call ends once: the terminal counters and the calls still open add up to the calls made.
  const ended = m.toolCallsAnswered + m.toolCancellations + m.toolCallsLost + m.toolCallsDeliveredAsContext + m.toolCallsSuperseded + m.toolCallsDiscarded;
  const stillOpen = ledger.open().length;
  if (m.toolCalls !== ended + stillOpen) fail('I2', `toolCalls ${m.toolCalls} != ${ended} ended + ${stillOpen} running or orphaned`);
  const now = Date.now();
  for (const call of heard) {
    // A tool's signal fires only when its call is cancelled, times out, is lost, or the session closes: an orphan's tool runs on.
    const explained = call.cancelled !== undefined || call.lost !== undefined || world.isClosed || now - (call.heardAt ?? now) >= world.options.toolTimeoutMs;
    if (call.signal?.aborted && !explained) fail('I2', `the tool of ${call.id} (${call.behaviour}) was aborted, and nothing called for it`);
    if (call.cancelled && !call.toolDone && call.signal && !call.signal.aborted) fail('I2', `call ${call.id} was cancelled but its tool was not aborted`);
    if (settled && call.mustHear === 'atSetup' && world.accepted.has(call.connection) && call.heardAt === undefined) {
      fail('I2', `the session ignored ${call.id}, sent on connection ${call.connection} before its setup completed`);
    }
  }
  if (world.isClosed) return;

  // I3: the gate is exactly the set of calls the server waits on, on every connection, and the
  // state follows from it; no call holds it longer than its tool's timeout.
  const unresolved = ledger.unresolved();
  const pending = session.pendingToolCalls();
  const inSession = pending.map((call) => `${call.id ?? call.key}@${call.generation - 1}`);
  if (sorted(inSession) !== sorted(unresolved)) fail('I3', `the session waits on [${sorted(inSession)}], the calls it heard left unanswered are [${sorted(unresolved)}]`);
  const waiting = ledger.waitingHeardUncancelled();
  if (sorted(waiting) !== sorted(unresolved)) fail('I3', `the server waits on [${sorted(waiting)}], the session on [${sorted(unresolved)}]`);
  const blocking = pending.filter((call) => call.blocking).length;
  const state = world.stateName();
  if (state === 'streaming' && blocking > 0) fail('I3', `streaming with ${blocking} blocking calls pending`);
  if (state === 'awaitingToolResponse' && blocking === 0) fail('I3', 'gated with no blocking call pending');
  if (!settled) return;
  for (const call of heard) {
    if (call.heardAt === undefined || call.orphaned || outcomes(call) > 0) continue;
    if (now - call.heardAt >= world.options.toolTimeoutMs && !world.session.actor.getSnapshot().context.ledger[call.key ?? '']?.sameAs) {
      fail('I3', `call ${call.id} (${call.behaviour}) still pending ${now - call.heardAt} ms after it came`);
    }
  }
}

/** I7: closed is final; once every promise chain has run (`settled`), no timer is left either. */
function checkClosed(world: WorldView, settled: boolean): void {
  const { transport, session, ledger } = world;
  if (transport.frames.length !== world.framesAtClose) fail('I7', `frames sent after close: ${describe(transport.frames.slice(world.framesAtClose))}`);
  const late = transport.frames.filter((frame) => frame.afterClose);
  if (late.length > 0) fail('I7', `frames sent on a closed connection: ${describe(late)}`);
  const snapshot = session.actor.getSnapshot();
  for (const [id, child] of Object.entries(snapshot.children)) {
    // Stopped, or failed (a child's failure is reported and recovered from): nothing runs on.
    if (child && child.getSnapshot().status === 'active') fail('I7', `child ${id} still runs`);
  }
  if (settled && vi.getTimerCount() !== 0) fail('I7', `${vi.getTimerCount()} timers left after close`);
  for (const call of ledger.calls) {
    if (call.signal && !call.toolDone && !call.signal.aborted) fail('I7', `the tool of ${call.id} still runs, not aborted, after close`);
  }
}

/** Once `close()` has resolved: every call heard reached exactly one outcome, and no socket is left open. */
export function checkClosedFinally(world: WorldView): void {
  world.ledger.checkAllResolved();
  const open = world.transport.connections.filter((c) => c.closedWith === undefined && !world.rejected.has(c.index));
  if (open.length > 0) fail('I7', `connections left open after close(): ${open.map((c) => c.index).join(', ')}`);
}

function describe(frames: readonly RecordedFrame[]): string {
  return frames
    .map(({ frame }) => (frame.type === 'realtimeInput' ? frame.input.kind : frame.type === 'toolResponse' ? `toolResponse(${frame.responses.map((r) => r.id)})` : frame.type))
    .join(', ');
}
