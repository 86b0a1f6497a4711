/**
 * The variants of a session the spec is walked in: the settings each gives the spec, the options
 * each gives the real session and its server, and which of its paths are worth running (the rest
 * repeat the default variant's).
 */
import type { StatePath } from 'xstate/graph';
import { DEFAULT_SETTINGS, type SpecEvent, type SpecSettings, type SpecSnapshot } from './spec.machine.js';

export type SpecPath = StatePath<SpecSnapshot, SpecEvent>;

/** A variant: its spec settings, and which of its paths run. */
export interface Variant {
  name: string;
  settings: SpecSettings;
  /** The scripted server cancels a blocking call on input without a `toolCallCancellation`. */
  silentCancel?: boolean;
  /**
   * The vertices its shortest paths reach: every (state, transition) pair, self-loops included
   * (the default), or every state and every input and old-connection event met in it (where the
   * gate and the old connection matter): the rest of each self-loop was walked in the default
   * variant.
   */
  vertices?: 'transitions' | 'inputs';
  keeps(path: SpecPath): boolean;
}

const has = (path: SpecPath, match: (event: SpecEvent, before: SpecSnapshot | undefined) => boolean) =>
  path.steps.some((step, i) => i > 0 && match(step.event, path.steps[i - 1]?.state));

/** Input that meets a blocking call, which cancels it under 'interrupt'. */
const inputWhileGated = (path: SpecPath) =>
  has(path, (event, before) => event.type.startsWith('input.') && before?.matches('awaitingToolResponse') === true);

export const DEFAULT_VARIANT: Variant = { name: 'the old socket closed first (the default)', settings: DEFAULT_SETTINGS, keeps: () => true };

export const VARIANTS: readonly Variant[] = [
  DEFAULT_VARIANT,
  {
    name: 'the old socket kept open until its calls are answered',
    settings: { ...DEFAULT_SETTINGS, closeFirst: false },
    vertices: 'inputs',
    keeps: (path) => has(path, (event) => event.type === 'server.goAway'),
  },
  {
    name: "'interrupt' on a model whose input cancels a blocking call, with a toolCallCancellation",
    settings: { ...DEFAULT_SETTINGS, interrupt: true },
    keeps: inputWhileGated,
  },
  {
    name: "'interrupt' on a model whose input cancels a blocking call, silently",
    settings: { ...DEFAULT_SETTINGS, interrupt: true },
    silentCancel: true,
    keeps: inputWhileGated,
  },
  {
    name: 'a NON_BLOCKING tool',
    settings: { ...DEFAULT_SETTINGS, nonBlocking: true },
    vertices: 'inputs',
    keeps: (path) => has(path, (event) => event.type === 'server.toolCall'),
  },
  {
    name: 'a model that reports its interaction status',
    settings: { ...DEFAULT_SETTINGS, status: true },
    keeps: (path) => has(path, (event) => event.type === 'server.content'),
  },
];
