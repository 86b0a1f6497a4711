/**
 * Declarative scripts: a scenario is a list of steps, each waiting for something the client did
 * and then playing the model's side.
 *
 * A step fires when any of its triggers has happened since the previous step fired (so client
 * input that arrives while a step is still playing counts toward the next one). A step without
 * `after` fires as soon as the previous one finished; the first one, right after setup. A step
 * may offer alternatives (`or`): whichever trigger happens first decides what is played.
 */
import type { EmulatorConnection } from '../connection.js';
import type { ConnectionCounters, InteractionStatus, ToolCallSpec, UsageInput } from '../types.js';

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
  | { text: true }
  /** Input cancelled a BLOCKING call (models whose input does, such as gemini-3.8-live). */
  | { cancelledByInput: true }
  /** A `contextUpdate` replaced the tools. */
  | { toolsUpdated: true };

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
  /**
   * End of turn; an object attaches `usageMetadata` in the same frame (`{}` for defaults), and its
   * `interactionStatus` rides along (by default `IDLE` on a model that reports it: see
   * `EmulatorConnection.sendTurnComplete`).
   */
  | { turnComplete: true | (UsageInput & { interactionStatus?: InteractionStatus }) }
  /** `interactionStatus` on its own, without `turnComplete` (see `sendInteractionStatus`). */
  | { interactionStatus: InteractionStatus }
  /** `waitingForInput: true`: the model expects the user to go on (after a question, say). */
  | { waitingForInput: true }
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
  /**
   * Alternatives: when one of their triggers happens before any of `after`, their actions play
   * instead of `do`. The scenario goes on with the next step either way.
   */
  or?: { after: ScenarioTrigger | ScenarioTrigger[]; do: ScenarioAction[] }[];
}

/** A script that drives every connection of an emulator. */
export interface Scenario {
  /** For logs. */
  name?: string;
  /** Start over after the last step (each cycle then waits for its triggers again). */
  loop?: boolean;
  steps: ScenarioStep[];
}

function triggersOf(step: { after?: ScenarioTrigger | ScenarioTrigger[] | undefined }): ScenarioTrigger[] {
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
  if ('cancelledByInput' in trigger) return now.callsCancelledByInput > mark.callsCancelledByInput;
  if ('toolsUpdated' in trigger) return now.toolUpdates > mark.toolUpdates;
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
    if (action.turnComplete === true) connection.sendTurnComplete();
    else {
      const { interactionStatus, ...usage } = action.turnComplete;
      connection.sendTurnComplete(usage, interactionStatus === undefined ? {} : { interactionStatus });
    }
  } else if ('interactionStatus' in action) connection.sendInteractionStatus(action.interactionStatus);
  else if ('waitingForInput' in action) connection.sendWaitingForInput();
  else if ('usage' in action) connection.sendUsage(action.usage);
  else if ('goAway' in action) connection.sendGoAway(action.goAway);
  else if ('close' in action) connection.close(action.close.code, action.close.reason ?? '');
  else if ('abort' in action) connection.abort();
  else connection.sendRaw(action.raw);
}

/** What a step plays now: its own actions, an alternative's, or nothing yet (undefined). */
function chosen(step: ScenarioStep, now: ConnectionCounters, mark: ConnectionCounters): ScenarioAction[] | undefined {
  const fired = (triggers: ScenarioTrigger[]) => triggers.some((trigger) => triggered(trigger, now, mark));
  const own = triggersOf(step);
  if (own.length === 0 || fired(own)) return step.do;
  return step.or?.find((alternative) => fired(triggersOf(alternative)))?.do;
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
    const alternatives = step.or ?? [];
    if (alternatives.length > 0 && step.after === undefined) throw new RangeError('a step with "or" needs its own "after"');
    if (alternatives.some((alternative) => triggersOf(alternative).length === 0)) {
      throw new RangeError('each "or" of a step needs an "after"');
    }
    const triggers = [step, ...alternatives].flatMap(triggersOf);
    if (triggers.some((trigger) => 'audioMs' in trigger && !(trigger.audioMs > 0))) {
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
    const actions = chosen(step, connection.counters, mark);
    if (!actions) return;
    mark = { ...connection.counters };
    busy = true;
    void perform(actions).then((finished) => {
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
