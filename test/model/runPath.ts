/**
 * How one path of the spec runs against a real session: every step plays its event through a
 * {@link Driver}, and every state reached is checked against the spec, above all for what may and
 * what may not have reached the wire, and for what became of every call (the ledger).
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { createActor, getNextSnapshot } from 'xstate';
import { TERMINAL_STATES } from '../../src/machines/ledger/lifecycle.js';
import type { Driver } from './drivers.js';
import type { SpecPath } from './paths.js';
import { connectionOf } from './spec.context.js';
import { leafOf, specMachine, type SpecEvent, type SpecSnapshot } from './spec.machine.js';
import { expectedFrame, type Expectation, type WireFrame } from './wire.js';

/**
 * `expect(actual, what).toEqual(expected)`, with the comparison made first: the paths make
 * hundreds of thousands of checks, and vitest's assertion chain costs more than the check.
 */
function same(actual: unknown, expected: unknown, what?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, what).toEqual(expected);
}

/** The top-level state of the session for a spec leaf. */
function topOf(leaf: string): string {
  return leaf.split('.')[0] as string;
}

/** A call as `id@connection`. */
const callAt = (id: string, connection: number) => `${id}@${connection}`;

/** The ids of the calls whose tool a spec context says is running: pending ones with a tool of their own, and orphans. */
function running(spec: SpecSnapshot): string[] {
  const { pending, orphans } = spec.context;
  return [
    ...pending.filter((call) => !call.settled && !call.repeat).map((call) => call.id),
    ...orphans.filter((orphan) => !orphan.settled).map((orphan) => orphan.id),
  ];
}

/**
 * Runs one path against the session of `driver` and checks every state on the way; then closes
 * the session and checks that the server got exactly the frames the spec predicts, no more, each
 * on the connection the spec names.
 */
export async function runPath(path: SpecPath, driver: Driver): Promise<void> {
  const expected: WireFrame[] = [];
  const expectation: Expectation = {
    outcomes: driver.outcomes,
    contents: 0,
    nonBlocking: path.steps[0]?.state.context.settings.nonBlocking === true,
  };
  let prev: SpecSnapshot | undefined;
  let reconnects = 0;

  const play = async (step: { event: SpecEvent; state: SpecSnapshot }) => {
    if (!prev) throw new Error('an event before the initial state');
    const before: SpecSnapshot = prev;
    // A toolResponse carries the answers as they are when it goes out, this step's included.
    if (step.event.type === 'tool.result') driver.outcomes.set(step.event.id, step.event.outcome);
    if (step.event.type === 'server.setupComplete' && before.matches({ idle: { reconnecting: 'opening' } })) reconnects += 1;
    const frames = step.state.context.out.slice(before.context.out.length);
    expected.push(...frames.map((frame) => expectedFrame(frame, expectation)));
    await driver.play(step.event, (on) => (on === 'old' ? before.context.oldConn : before.context.conn) ?? -1);
    // I2: a cancelled call's tool is aborted (explicitly, or by input under 'interrupt'); I7: so
    // is every running tool when the session closes.
    const stillRunning = new Set(running(step.state));
    const aborted = step.state.status === 'done' ? running(before) : running(before).filter((id) => !stillRunning.has(id));
    const settled = step.event.type === 'tool.result' ? step.event.id : undefined;
    for (const id of aborted) {
      if (id !== settled) same(driver.signals.get(id)?.aborted, true, `the tool of ${id} is aborted`);
    }
    // An orphan's tool runs on: its outcome will reach the conversation.
    if (step.state.status === 'active') {
      for (const orphan of step.state.context.orphans) {
        if (!orphan.settled) same(driver.signals.get(orphan.id)?.aborted, false, `the orphaned tool of ${orphan.id} runs on`);
      }
    }
  };

  const check = async (spec: SpecSnapshot) => {
    prev = spec;
    const leaf = leafOf(spec);
    const { session } = driver;
    same(session.state, topOf(leaf), 'top-level state');
    const wire = await driver.wire(leaf === 'closed' ? 0 : expected.length);
    if (leaf !== 'closed') same(wire, expected, 'what reached the wire');
    same(driver.refusal(), undefined, 'the server refused nothing');

    const m = session.metrics();
    // I4: every input is forwarded, dropped, deferred or buffered (never, with these sessions'
    // policies); what was forwarded is on the wire.
    same(m.totalReceived, m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
    same(m.buffered, 0);
    same(m.reconnects, reconnects, 'reconnects');
    same(m.totalForwarded, expected.filter((frame) => 'realtimeInput' in frame).length);
    same(m.deferred, spec.context.deferred.length, 'activity signals held back');
    // I2: every call received ends once; until then it runs or is orphaned (the ledger says which).
    const { ledger } = session.actor.getSnapshot().context;
    const open = Object.values(ledger).filter((entry) => entry.state === 'running' || entry.state === 'orphaned').length;
    const ended = m.toolCallsAnswered + m.toolCancellations + m.toolCallsLost + m.toolCallsDeliveredAsContext + m.toolCallsSuperseded + m.toolCallsDiscarded;
    same(m.toolCalls, ended + open, 'every call: ended once, or still open');
    const states = new Set<string>([...TERMINAL_STATES, 'running', 'orphaned']);
    for (const entry of Object.values(ledger)) if (!states.has(entry.state)) expect.fail(`a call in no state of the ledger: ${entry.state}`);

    if (leaf !== 'closed') {
      // I1/I3: the gate is exactly the set of calls the server waits on, each on its connection.
      const specPending = spec.context.pending.map((call) => callAt(call.id, connectionOf(spec.context, call.on)));
      const sessionPending = session.pendingToolCalls().map((call) => callAt(call.id ?? call.key, call.generation - 1));
      same(sessionPending.sort(), [...specPending].sort(), 'the session pending set');
      const serverPending = driver.serverPending().map((call) => callAt(call.id, call.connection));
      same(serverPending.sort(), [...specPending].sort(), 'the server pending set');
      // The orphans: their tools run, or their outcome waits for a connection that streams.
      const orphans = Object.values(ledger)
        .filter((entry) => entry.state === 'orphaned' && !(entry.sameAs !== undefined && entry.outcome === undefined))
        .map((entry) => `${entry.id ?? entry.key}${entry.outcome ? ' (settled)' : ''}`);
      const specOrphans = spec.context.orphans.map((orphan) => `${orphan.id}${orphan.settled ? ' (settled)' : ''}`);
      same(orphans.sort(), specOrphans, 'the orphaned calls');
      // Every socket the spec does not hold open is closed: the old one once no call waits on it.
      // (A new connection is opened once the socket left before it has closed.)
      if (spec.context.live) await driver.reach(connectionOf(spec.context, 'current'));
      const openNow = driver.openConnections();
      if (openNow) {
        const { context } = spec;
        const specOpen = [...(context.old ? [connectionOf(context, 'old')] : []), ...(context.live ? [connectionOf(context, 'current')] : [])];
        same(openNow, specOpen, 'the open connections');
      }
    } else {
      // I7: closed is final: the actor is done, every child stopped, and nothing more goes out.
      const snapshot = session.actor.getSnapshot();
      same(snapshot.status, 'done');
      for (const child of Object.values(snapshot.children)) same(child?.getSnapshot().status, 'stopped');
      same(m.pendingToolCalls, 0);
      same(open, 0, 'no call left open once closed');
      session.sendAudio(new Uint8Array(640));
      session.activityEnd();
      const after = session.metrics();
      same(after.totalReceived, after.totalForwarded + after.totalDropped + after.deferred);
    }
  };

  try {
    // The path's own snapshots, replayed from its events: the test model keeps one snapshot per
    // vertex, whose frame log and connection numbers may be another path's.
    let state = createActor(specMachine, { input: path.steps[0]?.state.context.settings }).getSnapshot();
    await check(state);
    for (const step of path.steps.slice(1)) {
      const next = getNextSnapshot(specMachine, state, step.event);
      same(next.value, step.state.value, 'the replayed step reaches the path\'s state');
      await play({ event: step.event, state: next });
      await check(next);
      state = next;
    }
  } finally {
    const all = await driver.finish();
    same(all, expected, 'every frame the server got');
    same(driver.refusal(), undefined, 'the server refused nothing');
  }
}
