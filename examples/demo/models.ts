/**
 * What the demo says about the model it runs on (`--model`): the rules the session and the
 * emulator read from the same profile table, in one line, and the emulator's own count of what
 * those rules made it do.
 */
import { resolveProfile } from '../../src/models/index.js';
import type { AnyTool } from '../../src/index.js';
import type { LiveEmulator } from '../../src/testing/index.js';

/** The model the emulator plays when none is given: 2.5 native audio, on which the gate was built. */
export const DEFAULT_EMULATED_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';

/**
 * One line on how the demo's tools (declared without `behavior`) run on `model`.
 *
 * @example
 * ```ts
 * modelRules('gemini-3.8-live'); // 'gemini-3.8-live: tools without behavior run NON_BLOCKING (async): …'
 * ```
 */
export function modelRules(model: string): string {
  const { profile, source } = resolveProfile(model);
  const name = source === 'table' ? profile.name : `${model} (unknown: the conservative profile)`;
  if (profile.toolBehaviors.length === 0) return `${name}: takes no tools`;
  if (profile.defaultBehavior === 'NON_BLOCKING') {
    return `${name}: tools without behavior run NON_BLOCKING (async): the mic stays open while they run, and each answer carries scheduling`;
  }
  const input = profile.inputDuringBlockingCall === 'closes1008' ? 'would close the socket with 1008' : 'would cancel the call';
  return `${name}: tools without behavior run BLOCKING: the gate holds the mic while they run (input ${input})`;
}

/** The names of the tools that run NON_BLOCKING on `model`: their own behaviour, or the model's default. */
export function asyncToolsOn(model: string, tools: readonly AnyTool[]): string[] {
  const { profile } = resolveProfile(model);
  return tools.filter((tool) => (tool.behavior ?? profile.defaultBehavior) === 'NON_BLOCKING').map((tool) => tool.name);
}

/** What the emulator's model rules made it do, summed over its connections; empty if nothing. */
export function emulatorRuleCounts(emulator: LiveEmulator): string {
  const sum = (key: 'callsCancelledByInput' | 'lateAnswers') => emulator.connections.reduce((total, connection) => total + connection.counters[key], 0);
  const cancelling = emulator.connections.some((connection) => connection.profile?.inputDuringBlockingCall === 'cancelsCall');
  return cancelling ? `, ${sum('callsCancelledByInput')} calls cancelled by input, ${sum('lateAnswers')} late answers` : '';
}
