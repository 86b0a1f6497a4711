/**
 * The paths of the spec, per variant: the shortest paths to every (state, transition) vertex,
 * and the simple paths through the gate. `runPath.ts` runs one against a real session.
 */
import { createTestModel } from 'xstate/graph';
import { serializeSpec, specMachine, type SpecEvent, type SpecSnapshot } from './spec.machine.js';
import { DEFAULT_VARIANT, type SpecPath, type Variant } from './spec.variants.js';
import { eventsFor } from './spec.walk.js';

export type { SpecPath } from './spec.variants.js';

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
 * A test model of the spec. A vertex is a state with the transition that reached it (its event
 * and the state it left), so that every self-loop (a dropped input, an ignored message) is a
 * vertex of its own and gets a path, not only the transitions that change state; or, with
 * `inputs`, a state with the input (or the old connection's event) that reached it, if any. The frame log and the connection
 * numbers are no part of a vertex (`serializeSpec`).
 */
function testModelOf(vertices: 'transitions' | 'inputs') {
  return createTestModel(specMachine, {
    events: (snapshot) => eventsFor(snapshot),
    filterEvents: (snapshot, event) => isOffered(snapshot, event),
    serializeState: (snapshot, event, prev) => {
      const via = vertices === 'transitions' || event?.type.startsWith('input.') || (event && 'on' in event) ? event : undefined;
      return `${serializeSpec(snapshot)}${via && prev ? ` via ${JSON.stringify(via)} from ${JSON.stringify(prev.value)}` : ''}`;
    },
  });
}

/** The test model whose vertices are every (state, transition) pair. */
export const specModel = testModelOf('transitions');
const inputsModel = testModelOf('inputs');

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

const shortest = new Map<string, SpecPath[]>();

/** Shortest paths to every (state, incoming transition) vertex of a variant, the ones it keeps. */
export function transitionPaths(variant: Variant = DEFAULT_VARIANT): SpecPath[] {
  const key = JSON.stringify([variant.settings, variant.vertices]);
  let all = shortest.get(key);
  if (!all) {
    const model = variant.vertices === 'inputs' ? inputsModel : specModel;
    all = maximalPaths(model.getShortestPaths({ stopWhen: isDone, allowDuplicatePaths: true, input: variant.settings }));
    shortest.set(key, all);
  }
  return all.filter((path) => variant.keeps(path));
}

/** The shortest way from the initial state to one that matches. */
function prefixTo(variant: Variant, match: (snapshot: SpecSnapshot) => boolean): SpecPath {
  for (const path of transitionPaths(variant)) {
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
  (event.type === 'server.toolCall' && event.repeat === undefined) ||
  event.type === 'server.toolCallCancellation' ||
  (event.type === 'tool.result' && event.outcome === 'ok');

/** Longest simple path run, in events after connecting. */
export const SIMPLE_PATH_BOUND = 6;

/**
 * Every simple path (no state visited twice) from the connected session through the states of
 * the gate, cut at {@link SIMPLE_PATH_BOUND} events: every order in which single and parallel
 * calls can arrive, settle and be cancelled, not only the shortest one.
 */
export function simplePaths(variant: Variant = DEFAULT_VARIANT): SpecPath[] {
  const connected = prefixTo(variant, (s) => s.matches('streaming') && !s.context.activityOpen);
  const tails = specModel
    .getSimplePaths({
      fromState: connected.state,
      allowDuplicatePaths: true,
      // A vertex is the state alone here: a simple path never visits a state twice. (Whether the
      // handle is fresh follows from the answers given; it is left out, or it would double the
      // states and make the simple paths too many to enumerate.)
      serializeState: (snapshot) => {
        const { handleFresh: _fresh, out: _out, ...context } = snapshot.context;
        return JSON.stringify({ value: snapshot.value, context });
      },
      filterEvents: (snapshot, event) => isGateEvent(event) && isOffered(snapshot, event),
      stopWhen: isDone,
    })
    .filter((tail) => tail.steps.length - 1 <= SIMPLE_PATH_BOUND);
  // Keep the maximal ones: a path that is a prefix of another is run as part of it.
  return maximalPaths(tails).map((tail) => ({
    state: tail.state,
    steps: [...connected.steps, ...tail.steps.slice(1)],
    weight: connected.weight + tail.weight,
  }));
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
