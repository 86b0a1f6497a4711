/**
 * A statechart's definition reduced to what the spec must mirror: its states (id, kind, initial
 * child) and its transitions, one per (state, event) with the states it can lead to.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface Definition {
  /** `session.idle (compound, initial session.idle.disconnected)`, … */
  states: string[];
  /** `session.streaming on server.toolCall → session.awaitingToolResponse`, … */
  transitions: string[];
}

/** The key of an eventless (`always`) transition. */
export const ALWAYS = '(always)';

/**
 * Walks every state node of `machine` and lists its states and transitions, sorted. A
 * transition's targets are the union over its guarded branches; a branch without a target (an
 * action in place, such as counting a drop) adds none, so `→ (stays)` means no branch leaves.
 */
export function definitionOf(machine: AnyStateMachine): Definition {
  const states: string[] = [];
  const transitions: string[] = [];
  const visit = (node: AnyStateNode) => {
    const initial = node.type === 'compound' ? node.initial.target.map((target) => target.id).join(', ') : '';
    states.push(`${node.id} (${node.type}${initial ? `, initial ${initial}` : ''})`);
    for (const [eventType, branches] of node.transitions) transitions.push(transitionKey(node, eventType, branches));
    if (node.always && node.always.length > 0) transitions.push(transitionKey(node, ALWAYS, node.always));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return { states: states.sort(), transitions: transitions.sort() };
}

/**
 * The spec's name of an event: a delayed transition (`xstate.after.reconnectBackoff.session.…`)
 * is the explicit event `timer.reconnectBackoff` in the spec, which has no delays.
 */
export function specEventType(eventType: string): string {
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  return delayed ? `timer.${delayed[1] as string}` : eventType;
}

function transitionKey(node: AnyStateNode, rawType: string, branches: readonly { target?: readonly AnyStateNode[] | undefined }[]) {
  const eventType = specEventType(rawType);
  const targets = [...new Set(branches.flatMap((branch) => (branch.target ?? []).map((target) => target.id)))].sort();
  return `${node.id} on ${eventType} → ${targets.length > 0 ? targets.join(', ') : '(stays)'}`;
}

/** The event types each leaf state handles, itself or through an ancestor. */
export function handledByLeaf(machine: AnyStateMachine): Map<string, Set<string>> {
  const handled = new Map<string, Set<string>>();
  const visit = (node: AnyStateNode, inherited: Set<string>) => {
    const mine = new Set([...inherited, ...[...node.transitions.keys()].map(specEventType)]);
    const children = Object.values(node.states);
    if (children.length === 0) handled.set(node.path.join('.'), mine);
    for (const child of children) visit(child, mine);
  };
  visit(machine.root, new Set());
  return handled;
}
