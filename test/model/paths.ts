/**
 * The paths of the spec, and how one is run against a real session: every step plays its event
 * through a {@link Driver}, and every state reached is checked against the spec, above all for
 * what may and what may not have reached the wire.
 */
import { createTestModel, type StatePath } from 'xstate/graph';
import { expect } from 'vitest';
import { expectedFrame, type Driver, type WireFrame } from './drivers.js';
import { LEAVES, leafOf, specMachine, type Conn, type SpecEvent, type SpecSnapshot } from './spec.machine.js';
import { eventsFor, wireOf } from './spec.walk.js';

export type SpecPath = StatePath<SpecSnapshot, SpecEvent>;

/** The events `eventsFor` offers in a snapshot, serialized; worked out once per snapshot. */
const offered = new WeakMap<SpecSnapshot, Set<string>>();
function isOffered(snapshot: SpecSnapshot, event: SpecEvent): boolean {
  let events = offered.get(snapshot);
  if (!events) {
    events = new Set(eventsFor(snapshot).map((candidate) => JSON.stringify(candidate)));
    offered.set(snapshot, events);
  }
  return events.has(JSON.stringify(event));
}

/**
 * The test model of the spec. A transition is serialized with its event and the state it left,
 * so that every self-loop (a dropped input, an ignored message) is a vertex of its own and gets a
 * path, not only the transitions that change state.
 */
export const specModel = createTestModel(specMachine, {
  events: (snapshot) => eventsFor(snapshot),
  filterEvents: (snapshot, event) => isOffered(snapshot, event),
  serializeTransition: (_snapshot, event, prev) =>
    event && prev ? ` via ${JSON.stringify(event)} from ${JSON.stringify(prev.value)}` : '',
});

/** Closed is final: there is nothing to walk from it. */
const isDone = (snapshot: SpecSnapshot) => snapshot.status !== 'active';

/**
 * The paths that are no prefix of another (by their events): a shorter one runs as part of the
 * longer. The test model can drop them itself, but in time quadratic in the paths, which was
 * most of the time spent computing them; this takes one pass over a trie of the events.
 */
export function maximalPaths(paths: SpecPath[]): SpecPath[] {
  type Node = Map<string, Node>;
  const root: Node = new Map();
  const ends = paths.map((path) => {
    let node = root;
    for (const { event } of path.steps) {
      const key = JSON.stringify(event);
      let child = node.get(key);
      if (!child) {
        child = new Map();
        node.set(key, child);
      }
      node = child;
    }
    return node;
  });
  const taken = new Set<Map<string, unknown>>();
  return paths.filter((_path, i) => {
    const end = ends[i] as Node;
    if (end.size > 0 || taken.has(end)) return false;
    taken.add(end);
    return true;
  });
}

let shortest: SpecPath[] | undefined;

/** Shortest paths to every (state, incoming transition) vertex: every transition, self-loops too. */
export function transitionPaths(): SpecPath[] {
  shortest ??= maximalPaths(specModel.getShortestPaths({ stopWhen: isDone, allowDuplicatePaths: true }));
  return shortest;
}

/** The shortest way from the initial state to one that matches. */
function prefixTo(match: (snapshot: SpecSnapshot) => boolean): SpecPath {
  for (const path of transitionPaths()) {
    const index = path.steps.findIndex((step) => match(step.state));
    const step = path.steps[index];
    if (step) return { state: step.state, steps: path.steps.slice(0, index + 1), weight: index };
  }
  throw new Error('no path reaches the state');
}

/**
 * The events of the simple paths: the ones that open and close the gate. (Adding the activity
 * signals multiplies the simple paths past a million; the shortest paths already cover them in
 * every state of the gate.)
 */
const isGateEvent = (event: SpecEvent) =>
  event.type === 'server.toolCall' ||
  event.type === 'server.toolCallCancellation' ||
  (event.type === 'tool.result' && event.outcome === 'ok');

/** Longest simple path run, in events after connecting. */
export const SIMPLE_PATH_BOUND = 6;

/**
 * Every simple path (no state visited twice) from the connected session through the states of
 * the gate, cut at {@link SIMPLE_PATH_BOUND} events: every order in which single and parallel
 * calls can arrive, settle and be cancelled, not only the shortest one.
 */
export function simplePaths(): SpecPath[] {
  const connected = prefixTo((s) => s.matches('streaming') && !s.context.activityOpen);
  const tails = specModel
    .getSimplePaths({
      fromState: connected.state,
      allowDuplicatePaths: true,
      // A vertex is the state alone here: a simple path never visits a state twice.
      // (Whether the handle is fresh follows from the answers given; it is left out, or it would
      // double the states and make the simple paths too many to enumerate.)
      serializeState: (snapshot) => {
        const { handleFresh: _fresh, ...context } = snapshot.context;
        return JSON.stringify({ value: snapshot.value, context });
      },
      filterEvents: (snapshot, event) => isGateEvent(event) && isOffered(snapshot, event),
      stopWhen: isDone,
    })
    .filter((tail) => tail.steps.length - 1 <= SIMPLE_PATH_BOUND);
  // Keep the maximal ones: a path that is a prefix of another is run as part of it.
  return maximalPaths(tails)
    .map((tail) => ({
      state: tail.state,
      steps: [...connected.steps, ...tail.steps.slice(1)],
      weight: connected.weight + tail.weight,
    }));
}

/** The top-level state of the session for a spec leaf. */
function topOf(leaf: string): string {
  return leaf.split('.')[0] as string;
}

/** A short name for a path: its events. */
export function describePath(path: SpecPath): string {
  return path.steps
    .slice(1)
    .map(({ event }) => {
      const { type, ...rest } = event;
      return Object.keys(rest).length > 0 ? `${type}${JSON.stringify(Object.values(rest))}` : type;
    })
    .join(' → ');
}

/** The connection (0-based, in the order the session opened them) that each role names. */
class Connections {
  current = -1;
  old: number | undefined;

  index(on: Conn): number {
    const index = on === 'old' ? this.old : this.current;
    if (index === undefined || index < 0) throw new Error(`the spec names the ${on} connection, and there is none`);
    return index;
  }

  /** Follows a step: a new connection is the next one the transport opens; the one left, if open, is the old one. */
  follow(prev: SpecSnapshot, next: SpecSnapshot): void {
    const leaf = leafOf(next);
    if ((leaf === 'idle.connecting' || leaf === 'idle.reconnecting.opening') && leaf !== leafOf(prev)) {
      if (next.context.old && !prev.context.old) this.old = this.current;
      this.current += 1;
    }
    if (!next.context.old) this.old = undefined;
  }
}

/** A pending call as `id@connection`. */
const callAt = (id: string, connection: number) => `${id}@${connection}`;

/**
 * Runs one path against the session of `driver` and checks every state on the way; then closes
 * the session and checks that the server got exactly the frames the spec predicts, no more, each
 * on the connection the spec names.
 */
export async function runPath(path: SpecPath, driver: Driver): Promise<void> {
  const expected: WireFrame[] = [];
  const connections = new Connections();
  let prev: SpecSnapshot | undefined;
  let reconnects = 0;

  const play = async (step: { event: SpecEvent; state: SpecSnapshot }) => {
    if (!prev) throw new Error('an event before the initial state');
    const before = prev;
    // A toolResponse carries the answers as they are when it goes out, this step's included.
    if (step.event.type === 'tool.result') driver.outcomes.set(step.event.id, step.event.outcome);
    if (step.event.type === 'server.setupComplete' && before.matches({ idle: { reconnecting: 'opening' } })) reconnects += 1;
    const frames = wireOf(before, step.event, step.state);
    expected.push(...frames.map((frame) => expectedFrame(frame, driver.outcomes, connections.index(frame.on))));
    connections.follow(before, step.state);
    await driver.play(step.event);
    // I2: a cancelled call's tool is aborted; I7: so is every running tool when the session closes.
    const aborted =
      step.event.type === 'server.toolCallCancellation'
        ? step.event.ids
        : step.state.status === 'done'
          ? [...before.context.pending.map((call) => call.id), ...before.context.orphans]
          : [];
    for (const id of aborted) {
      const running =
        before.context.pending.some((call) => call.id === id && !call.settled) || before.context.orphans.includes(id);
      if (running) expect(driver.signals.get(id)?.aborted, `the tool of ${id} is aborted`).toBe(true);
    }
    // A lost connection abandons its calls: their tools run on, and their results are discarded.
    for (const id of step.state.context.orphans) {
      expect(driver.signals.get(id)?.aborted, `the abandoned tool of ${id} runs on`).toBe(false);
    }
  };

  const check = async (spec: SpecSnapshot) => {
    prev = spec;
    const leaf = leafOf(spec);
    const { session } = driver;
    expect(session.state, 'top-level state').toBe(topOf(leaf));
    const wire = await driver.wire(leaf === 'closed' ? 0 : expected.length);
    if (leaf !== 'closed') expect(wire, 'what reached the wire').toEqual(expected);
    expect(driver.refusal(), 'the server refused nothing').toBeUndefined();

    const m = session.metrics();
    // I4: every input is forwarded, dropped, deferred or buffered (never, with these sessions'
    // policies); what was forwarded is on the wire.
    expect(m.totalReceived).toBe(m.totalForwarded + m.totalDropped + m.deferred + m.buffered);
    expect(m.buffered).toBe(0);
    expect(m.reconnects, 'reconnects').toBe(reconnects);
    expect(m.totalForwarded).toBe(expected.filter((frame) => 'realtimeInput' in frame).length);
    expect(m.deferred, 'activity signals held back').toBe(spec.context.deferred.length);
    // I2: every call received is answered, cancelled, lost, or still pending.
    expect(m.toolCalls).toBe(m.toolCallsAnswered + m.toolCancellations + m.toolCallsLost + m.pendingToolCalls);

    if (leaf !== 'closed') {
      // I1/I3: the gate is exactly the set of calls the server waits on, each on its connection.
      const specPending = spec.context.pending.map((call) => callAt(call.id, connections.index(call.on)));
      const sessionPending = session.pendingToolCalls().map((call) => callAt(call.key, call.generation - 1));
      expect(sessionPending, 'the session pending set').toEqual(specPending);
      const serverPending = driver.serverPending().map((call) => callAt(call.id, call.connection));
      expect(serverPending.sort(), 'the server pending set').toEqual([...specPending].sort());
      // Every socket the spec does not hold open is closed: the old one once no call waits on it.
      const open = driver.openConnections();
      if (open) {
        const specOpen = [
          ...(spec.context.old ? [connections.index('old')] : []),
          ...(spec.context.live ? [connections.index('current')] : []),
        ];
        expect(open, 'the open connections').toEqual(specOpen);
      }
    } else {
      // I7: closed is final: the actor is done, every child stopped, and nothing more goes out.
      const snapshot = session.actor.getSnapshot();
      expect(snapshot.status).toBe('done');
      for (const child of Object.values(snapshot.children)) expect(child?.getSnapshot().status).toBe('stopped');
      expect(m.pendingToolCalls).toBe(0);
      session.sendAudio(new Uint8Array(640));
      session.activityEnd();
      const after = session.metrics();
      expect(after.totalReceived).toBe(after.totalForwarded + after.totalDropped + after.deferred);
    }
  };

  const events = Object.fromEntries(
    [...new Set(path.steps.slice(1).map((step) => step.event.type))].map((type) => [type, play]),
  ) as Parameters<typeof specModel.testPath>[1]['events'];
  const states = Object.fromEntries(LEAVES.map((key) => [key, check]));

  try {
    await specModel.testPath(path, { events, states });
  } finally {
    const all = await driver.finish();
    expect(all, 'every frame the server got').toEqual(expected);
    expect(driver.refusal(), 'the server refused nothing').toBeUndefined();
  }
}
