/**
 * The fuzz world's tools: how each call behaves, the wire call that asks for that behaviour, and
 * the answer the session must send back for it.
 */
import type { FunctionCall } from '../../src/protocol/index.js';

/**
 * How a tool call behaves: settles at once, later (released by the scheduler), rejects later,
 * throws, hangs until its timeout, names no tool, gets invalid arguments, closes the session from
 * inside `execute` (a hang-up tool), or talks to the session from inside `execute`.
 */
export const BEHAVIOURS = ['sync', 'async', 'reject', 'throw', 'hang', 'unknown', 'badArgs', 'hangUp', 'chatty'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** The tool most calls name, and the one with a parameter schema. */
export const TOOL = 'work';
export const STRICT_TOOL = 'strict';
/** What a failing tool throws. */
export const FAILURE = 'tool failed';

/** The tool a call of this behaviour names. */
export function toolOfBehaviour(behaviour: Behaviour): string {
  return behaviour === 'unknown' ? 'missing' : behaviour === 'badArgs' ? STRICT_TOOL : TOOL;
}

/**
 * The wire call of a behaviour. Its arguments carry `k`, which makes them its own (a call made
 * again after a reconnect repeats them, and the session takes it for the first run).
 */
export function callOf(id: string, behaviour: Behaviour, k: number): FunctionCall {
  if (behaviour === 'badArgs') return { id, name: STRICT_TOOL, args: { n: 'one', k } };
  return { id, name: toolOfBehaviour(behaviour), args: { k } };
}

/** The timeout error a call of this behaviour's tool gets. */
export function timeoutAnswer(behaviour: Behaviour, toolTimeoutMs: number): unknown {
  return { error: `'${behaviour === 'badArgs' ? STRICT_TOOL : TOOL}' did not finish within ${toolTimeoutMs} ms` };
}

/** Behaviours whose tool may still run when its timeout comes. */
export const MAY_TIME_OUT: readonly Behaviour[] = ['async', 'reject', 'hang'];

/** The answer a call of `behaviour` gets when its tool settles in time; `id` is the call that ran the tool. */
export function expectedAnswer(id: string, behaviour: Behaviour, toolTimeoutMs: number): unknown {
  const expected: Record<Behaviour, unknown> = {
    sync: { output: { done: id } },
    hangUp: { output: { done: id } },
    chatty: { output: { done: id } },
    async: { output: { done: id } },
    reject: { error: `'${TOOL}' failed: ${FAILURE}` },
    throw: { error: `'${TOOL}' failed: ${FAILURE}` },
    hang: timeoutAnswer('hang', toolTimeoutMs),
    unknown: { error: "no tool named 'missing'" },
    badArgs: { error: `invalid arguments for '${STRICT_TOOL}': args.n: expected number, got string` },
  };
  return expected[behaviour];
}

/** The answers a call may get: the one its behaviour calls for, or, if its tool may run that long, its timeout. */
export function allowedAnswers(id: string, behaviour: Behaviour, toolTimeoutMs: number): unknown[] {
  const answers = [expectedAnswer(id, behaviour, toolTimeoutMs)];
  if (MAY_TIME_OUT.includes(behaviour)) answers.push(timeoutAnswer(behaviour, toolTimeoutMs));
  return answers;
}

/** How an outcome reads in the conversation turn that delivers an orphaned call's outcome. */
export function outcomeWords(answer: unknown): string {
  const { output, error } = answer as { output?: unknown; error?: string };
  return error === undefined ? `returned ${JSON.stringify(output)}` : `failed: ${error}`;
}
