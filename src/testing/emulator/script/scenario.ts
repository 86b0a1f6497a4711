/**
 * Declarative scripts: a scenario is a list of steps, each waiting for something the client did
 * and then playing the model's side.
 *
 * A step fires when any of its triggers has happened since the previous step fired (so client
 * input that arrives while a step is still playing counts toward the next one). A step without
 * `after` fires as soon as the previous one finished; the first one, right after setup.
 */
import type { EmulatorConnection } from '../connection.js';
import type { ConnectionCounters, ToolCallSpec, UsageInput } from '../types.js';

/** Something the client did. */
export type ScenarioTrigger =
  /** Setup completed (only meaningful on the first step). */
  | { setup: true }
  /** This much more client audio arrived, measured from the PCM bytes (16 kHz: 32 bytes per ms). */
  | { audioMs: number }
  | { activityStart: true }
  | { activityEnd: true }
  /** A `toolResponse` arrived after which no tool call is pending any more. */
  | { toolResponse: true }
  | { clientContent: true }
  /** A `realtimeInput.text`. */
  | { text: true };

/** Something the model does. Each action is an object with one key. */
export type ScenarioAction =
  /** Model audio: a quiet 24 kHz tone of this length. */
  | { audio: { ms: number } }
  /** A model text part. */
  | { text: string }
  | { inputTranscription: string }
  | { outputTranscription: string }
  /** A `toolCall` with these function calls (ids `fc-N` unless given). */
  | { toolCall: ToolCallSpec[] }
  /**
   * A `toolCallCancellation`: `'last'` for the still-pending calls of the latest toolCall,
   * `'all'` for every pending call, or explicit ids. Nothing is sent when none is pending.
   */
  | { cancel: 'last' | 'all' | string[] }
  | { interrupted: true }
  | { generationComplete: true }
  /** End of turn; an object attaches `usageMetadata` in the same frame (`{}` for defaults). */
  | { turnComplete: true | UsageInput }
  | { usage: UsageInput }
  /** `goAway` with this `timeLeft`, e.g. `"5s"`. */
  | { goAway: string }
  /** Pause this many milliseconds before the next action. */
  | { wait: number }
  | { close: { code: number; reason?: string } }
  /** Drop the TCP connection without a close frame (client sees 1006). */
  | { abort: true }
  /** Send this value as it is (see `sendRaw`). */
  | { raw: unknown };

/** One step: when (`after`, any of) and what (`do`, in order). */
export interface ScenarioStep {
  after?: ScenarioTrigger | ScenarioTrigger[];
  do: ScenarioAction[];
}

/** A script that drives every connection of an emulator. */
export interface Scenario {
  /** For logs. */
  name?: string;
  /** Start over after the last step (each cycle then waits for its triggers again). */
  loop?: boolean;
  steps: ScenarioStep[];
}

function triggersOf(step: ScenarioStep): ScenarioTrigger[] {
  if (step.after === undefined) return [];
  return Array.isArray(step.after) ? step.after : [step.after];
}

function triggered(trigger: ScenarioTrigger, now: ConnectionCounters, mark: ConnectionCounters): boolean {
  if ('audioMs' in trigger) return now.audioMs - mark.audioMs >= trigger.audioMs;
  if ('setup' in trigger) return now.setups > mark.setups;
  if ('activityStart' in trigger) return now.activityStarts > mark.activityStarts;
  if ('activityEnd' in trigger) return now.activityEnds > mark.activityEnds;
  if ('toolResponse' in trigger) return now.toolResponsesSettled > mark.toolResponsesSettled;
  if ('clientContent' in trigger) return now.clientContents > mark.clientContents;
  return now.texts > mark.texts;
}

function cancelIds(connection: EmulatorConnection, which: 'last' | 'all' | string[]): string[] {
  const pending = connection.pendingToolCallIds;
  if (which === 'all') return pending;
  if (which === 'last') return connection.lastToolCallIds.filter((id) => pending.includes(id));
  return which;
}

/** Plays one action that takes no time. */
function play(connection: EmulatorConnection, action: Exclude<ScenarioAction, { wait: number }>): void {
  if ('audio' in action) connection.sendAudio(action.audio);
  else if ('text' in action) connection.sendText(action.text);
  else if ('inputTranscription' in action) connection.sendInputTranscription(action.inputTranscription);
  else if ('outputTranscription' in action) connection.sendOutputTranscription(action.outputTranscription);
  else if ('toolCall' in action) connection.sendToolCall(action.toolCall);
  else if ('cancel' in action) {
    const ids = cancelIds(connection, action.cancel);
    if (ids.length > 0) connection.cancelToolCalls(ids);
  } else if ('interrupted' in action) connection.sendInterrupted();
  else if ('generationComplete' in action) connection.sendGenerationComplete();
  else if ('turnComplete' in action) {
    connection.sendTurnComplete(action.turnComplete === true ? undefined : action.turnComplete);
  } else if ('usage' in action) connection.sendUsage(action.usage);
  else if ('goAway' in action) connection.sendGoAway(action.goAway);
  else if ('close' in action) connection.close(action.close.code, action.close.reason ?? '');
  else if ('abort' in action) connection.abort();
  else connection.sendRaw(action.raw);
}

/**
 * Checks a scenario before any connection uses it: a looping scenario with no trigger at all
 * would replay itself forever without yielding.
 */
export function validateScenario(scenario: Scenario): void {
  if (scenario.steps.length === 0) throw new RangeError('a scenario needs at least one step');
  if (scenario.loop && scenario.steps.every((step) => step.after === undefined)) {
    throw new RangeError(`looping scenario ${scenario.name ?? ''} needs at least one step with "after"`);
  }
  for (const step of scenario.steps) {
    if (triggersOf(step).some((trigger) => 'audioMs' in trigger && !(trigger.audioMs > 0))) {
      throw new RangeError('an audioMs trigger must be positive');
    }
  }
}

/**
 * Drives one connection through a scenario until it ends or the steps run out. The emulator's
 * `scenario` option does this for every connection; call it from `onConnection` to choose a
 * scenario per connection (e.g. by `connection.resumedFrom`, once `connection.ready`).
 */
export function runScenario(connection: EmulatorConnection, scenario: Scenario): void {
  let index = 0;
  let busy = false;
  // Zero at the start, so that `{ setup: true }` on the first step fires.
  let mark: ConnectionCounters = { ...connection.counters };

  const poke = (): void => {
    if (busy || !connection.setup || !connection.isOpen) return;
    const step = scenario.steps[index];
    if (!step) return;
    const triggers = triggersOf(step);
    if (triggers.length > 0 && !triggers.some((trigger) => triggered(trigger, connection.counters, mark))) return;
    mark = { ...connection.counters };
    busy = true;
    void perform(step.do).then((finished) => {
      busy = false;
      if (!finished) return;
      index += 1;
      if (index >= scenario.steps.length && scenario.loop) index = 0;
      poke();
    });
  };

  const perform = async (actions: readonly ScenarioAction[]): Promise<boolean> => {
    try {
      for (const action of actions) {
        if (!connection.isOpen) return false;
        if ('wait' in action) {
          if (!(await connection.delay(action.wait))) return false;
        } else {
          play(connection, action);
        }
      }
      return true;
    } catch (error) {
      connection.fail(error);
      return false;
    }
  };

  connection.watch(poke);
}
