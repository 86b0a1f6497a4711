/**
 * The spec must mirror the real statechart: same states, same (state, event) transitions, same
 * targets. When the machine grows (a new state, a new transition, a new target), these tests
 * fail until the spec, and so the model-based paths, follow.
 */
import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { sessionMachine } from '../../src/machines/session.machine.js';
import { definitionOf, handledByLeaf } from './mirror.js';
import { transitionPaths } from './paths.js';
import { VARIANTS } from './spec.variants.js';
import { leafOf, specMachine } from './spec.machine.js';

describe('the spec mirrors the session statechart', () => {
  it('has the same states', () => {
    expect(definitionOf(specMachine).states).toEqual(definitionOf(sessionMachine).states);
  });

  it('has the same transitions, with the same targets', () => {
    expect(definitionOf(specMachine).transitions).toEqual(definitionOf(sessionMachine).transitions);
  });

  it('would notice a state or a transition the spec lacks', () => {
    const base = {
      id: 'm',
      initial: 'a',
      states: { a: { on: { GO: 'b', STAY: { actions: () => undefined } } }, b: {} },
    } as const;
    const withState = createMachine({ ...base, states: { ...base.states, c: {} } });
    const withTransition = createMachine({ ...base, states: { ...base.states, b: { on: { BACK: 'a' } } } });
    const retargeted = createMachine({ ...base, states: { ...base.states, a: { on: { GO: 'a', STAY: {} } } } });
    const reference = definitionOf(createMachine(base));
    expect(definitionOf(withState).states).not.toEqual(reference.states);
    expect(definitionOf(withTransition).transitions).not.toEqual(reference.transitions);
    expect(definitionOf(retargeted).transitions).not.toEqual(reference.transitions);
    expect(reference.transitions).toEqual(['m.a on GO → m.b', 'm.a on STAY → (stays)']);
  });
});

/**
 * Why a (state, event) the machine handles is never walked: the event cannot reach the machine
 * in that state, or the paths leave it to other suites (each says which). Anything not explained
 * here must be covered by a path.
 */
function cannotHappen(leaf: string, type: string): string | undefined {
  if (type.startsWith('activity.')) {
    return "the activity actor's, in sessions with an `activity` option: test/fuzz/activity.fuzz.test.ts runs it across the gate, tool calls and lost connections, test/session/activityMode.test.ts state by state";
  }
  if (type === 'session.restore' || type === 'session.takenOver') {
    return "a session store's, in sessions with a `store`: test/session/persistence.test.ts and test/gateway/failover.test.ts";
  }
  if (leaf === 'closed') return 'the session is stopped: the facade drops everything (checked in the closed state)';
  const fromServer = type.startsWith('server.') || type.startsWith('transport.');
  if (leaf === 'idle.disconnected' && fromServer) return 'there is no connection';
  if (type === 'transport.sendFailed') {
    return 'a send that throws on a dead socket, which stays dead: test/session (robustness, fastForward) covers it';
  }
  const between = leaf === 'idle.connecting' || leaf === 'idle.reconnecting.opening' || leaf === 'idle.reconnecting.backoff';
  const walkedBetween = ['server.setupComplete', 'transport.closed', 'server.toolCall', 'server.toolCallCancellation'];
  if (between && fromServer && !walkedBetween.includes(type)) {
    // The connection opening holds its messages until setup completes; the old one a goAway left
    // is open still, and its other messages are handled as from any open connection (content,
    // usage, malformed, errors) or ignored as not current (goAway, resumption updates, a second
    // setupComplete), as the fuzz suites check (server noise on the old connection).
    return 'the new connection holds its messages until setup completes; the old one\'s are fuzzed';
  }
  if (leaf === 'idle.connecting' && fromServer && type !== 'server.setupComplete' && type !== 'transport.closed') {
    return 'no connection but the one opening, which holds its messages until setup completes';
  }
  if (leaf === 'idle.reconnecting.backoff' && type === 'server.setupComplete') return 'the connection lost was the one opening';
  if (type === 'tool.result' && (leaf === 'idle.disconnected' || leaf === 'idle.connecting')) {
    return 'no tool runs before the first connection';
  }
  if (type === 'goAway.due' && (leaf === 'idle.disconnected' || leaf === 'idle.connecting' || leaf === 'idle.reconnecting.backoff')) {
    // Before the first setup there was no goAway, and a lost connection cancels it.
    return 'no goAway.due is set in this state';
  }
  if (type === 'tool.executorIdle' || type === 'buffer.replay' || type === 'buffer.evicted') {
    return 'a child actor sends it by itself, within the step of the event that caused it (its counts are checked in every state)';
  }
  if (type === 'timer.connectionStable') return 'seconds of real time (stableAfterMs 10 s): the fuzz suites fire it on their fake clock';
  return undefined;
}

describe('the paths cover the statechart', () => {
  it('walk every (state, event) the session can see, self-loops included', () => {
    const walked = new Set<string>();
    for (const path of VARIANTS.flatMap((variant) => transitionPaths(variant))) {
      for (let i = 1; i < path.steps.length; i += 1) {
        const before = path.steps[i - 1]?.state;
        const step = path.steps[i];
        if (before && step) walked.add(`${leafOf(before)} on ${step.event.type}`);
      }
    }
    const missing: string[] = [];
    for (const [leaf, types] of handledByLeaf(sessionMachine)) {
      for (const type of types) {
        if (!walked.has(`${leaf} on ${type}`) && !cannotHappen(leaf, type)) missing.push(`${leaf} on ${type}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
