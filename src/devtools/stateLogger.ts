import type { InspectionEvent } from 'xstate';

/** Options of {@link createStateLogger}. */
export interface StateLoggerOptions {
  /** Where lines go (default `console.log`). */
  log?: (line: string) => void;
}

/**
 * An inspection observer that logs every state change of the session machine (not of its
 * children) as `state: idle.connecting → streaming (server.setupComplete)`.
 *
 * @example
 * ```ts
 * const session = createLiveSession({ ai, model, inspect: createStateLogger() });
 * ```
 */
export function createStateLogger(options: StateLoggerOptions = {}): (event: InspectionEvent) => void {
  const log = options.log ?? ((line: string) => console.log(line));
  let previous: string | undefined;
  return (inspection) => {
    if (inspection.type !== '@xstate.snapshot' || inspection.actorRef.sessionId !== inspection.rootId) return;
    const snapshot = inspection.snapshot as { value?: unknown };
    if (snapshot.value === undefined) return;
    const current = stateName(snapshot.value);
    if (current === previous) return;
    log(`state: ${previous ?? '(start)'} → ${current} (${inspection.event.type})`);
    previous = current;
  };
}

/** `{ idle: 'connecting' }` → `idle.connecting`. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value)[0] ?? [];
    if (key !== undefined) return `${key}.${stateName(child)}`;
  }
  return String(value);
}
