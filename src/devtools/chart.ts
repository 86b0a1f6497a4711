/**
 * The statechart as plain data, read from a machine's own definition (`machine.root`), so that
 * the offline inspector page and the Mermaid diagram draw exactly the machine that runs.
 */
import type { AnyStateMachine } from 'xstate';
import { transitionId } from './diagram/graph.js';

/** One transition of a state. */
export interface ChartTransition {
  /** `event` for an event, `always` for an eventless transition, `after` for a delayed one. */
  kind: 'event' | 'always' | 'after';
  /** The event type; for `always` it is `always`, for `after` it is `after <delay>`. */
  event: string;
  /** Ids of the target states; empty when the transition stays in the state (actions only). */
  targets: string[];
  /** The guard, written out (`isCurrentGeneration and canReconnect`), if any. */
  guard?: string;
  /** Names of the actions it runs, in order. */
  actions: string[];
}

/** One state of the chart, with its children. */
export interface ChartState {
  /** The full id, e.g. `session.idle.reconnecting.backoff`. */
  id: string;
  /** The key within its parent, e.g. `backoff`. */
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The id of the initial child of a compound state. */
  initial?: string;
  entry: string[];
  exit: string[];
  transitions: ChartTransition[];
  states: ChartState[];
}

// The StateNode members read here; typed structurally so no internal XState type is needed.
interface NodeLike {
  id: string;
  key: string;
  type: ChartState['type'];
  initial?: { target?: readonly NodeLike[] };
  entry: readonly unknown[];
  exit: readonly unknown[];
  transitions: Map<string, readonly TransitionLike[]>;
  always?: readonly TransitionLike[];
  after: readonly (TransitionLike & { delay: string | number })[];
  states: Record<string, NodeLike>;
}

interface TransitionLike {
  eventType: string;
  target?: readonly NodeLike[];
  guard?: unknown;
  actions: readonly unknown[];
}

/**
 * The chart of a machine: every state, nested, with its transitions.
 *
 * @example
 * ```ts
 * import { sessionMachine } from 'gemini-live-fsm';
 * const chart = describeChart(sessionMachine);
 * chart.states.map((s) => s.key); // ['idle', 'streaming', 'awaitingToolResponse', 'closed']
 * ```
 */
export function describeChart(machine: AnyStateMachine): ChartState {
  return describeNode(machine.root as unknown as NodeLike);
}

function describeNode(node: NodeLike): ChartState {
  const transitions: ChartTransition[] = [];
  const delayed = new Set(node.after.map((t) => t.eventType));
  for (const [eventType, list] of node.transitions) {
    // Delayed transitions are listed by `after`, with their delay's name.
    if (delayed.has(eventType)) continue;
    for (const t of list) transitions.push(describeTransition('event', eventType, t));
  }
  for (const t of node.always ?? []) transitions.push(describeTransition('always', 'always', t));
  for (const t of node.after) transitions.push(describeTransition('after', `after ${t.delay}`, t));
  const state: ChartState = {
    id: node.id,
    key: node.key,
    type: node.type,
    entry: node.entry.map(actionName),
    exit: node.exit.map(actionName),
    transitions,
    states: Object.values(node.states).map(describeNode),
  };
  const initial = node.initial?.target?.[0];
  if (initial) state.initial = initial.id;
  return state;
}

function describeTransition(kind: ChartTransition['kind'], event: string, t: TransitionLike): ChartTransition {
  const transition: ChartTransition = {
    kind,
    event,
    targets: (t.target ?? []).map((target) => target.id),
    actions: t.actions.map(actionName),
  };
  if (t.guard !== undefined) transition.guard = guardName(t.guard);
  return transition;
}

/** A guard written out: a name, or `and`/`or`/`not` of names (XState keeps their parts on `guards`). */
export function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(parts)) {
      if (guard.name === 'not') return `not ${wrap(parts[0])}`;
      return parts.map(wrap).join(` ${guard.name} `);
    }
    return guard.name || 'inline guard';
  }
  if (guard && typeof guard === 'object' && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

function wrap(guard: unknown): string {
  const name = guardName(guard);
  return name.includes(' ') ? `(${name})` : name;
}

/** An action's name: its string, its `type`, or the function's name. */
export function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') return action.name || 'inline action';
  if (action && typeof action === 'object' && 'type' in action) return String((action as { type: unknown }).type);
  return 'action';
}

/**
 * The id the diagram gives a transition definition of XState's (as the inspection event
 * `@xstate.microstep` lists them in `_transitions`): its state's id and its place in the order
 * {@link describeChart} lists that state's transitions. `undefined` for one not of the state.
 */
export function transitionIdOf(transition: unknown): string | undefined {
  const source = (transition as { source?: NodeLike } | null)?.source;
  if (!source?.transitions) return undefined;
  const delayed = new Set(source.after.map((t) => t.eventType));
  const inOrder: unknown[] = [];
  for (const [eventType, list] of source.transitions) if (!delayed.has(eventType)) inOrder.push(...list);
  inOrder.push(...(source.always ?? []), ...source.after);
  const index = inOrder.indexOf(transition);
  return index < 0 ? undefined : transitionId(source.id, index);
}

/** Every state of a chart, depth first, the root included. */
export function allStates(chart: ChartState): ChartState[] {
  return [chart, ...chart.states.flatMap(allStates)];
}

/**
 * The ids of the active states for a snapshot's `value`, outermost first:
 * `{ idle: 'connecting' }` under `session` → `['session', 'session.idle', 'session.idle.connecting']`.
 */
export function activeStateIds(rootId: string, value: unknown): string[] {
  const ids = [rootId];
  const visit = (prefix: string, v: unknown) => {
    if (typeof v === 'string') {
      ids.push(`${prefix}.${v}`);
      return;
    }
    if (v && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        ids.push(`${prefix}.${key}`);
        visit(`${prefix}.${key}`, child);
      }
    }
  };
  visit(rootId, value);
  return ids;
}
