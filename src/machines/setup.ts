/**
 * The machine's types and child actors, from which its actions, guards and delays are built with
 * XState's typed helpers (`createAction`, `enqueueActions`, `assign`, `emit`).
 *
 * The child actors here are stand-ins that do nothing, so that the pure machine can be run and
 * inspected on its own; a session provides the real ones (`connection`, `toolExecutor`,
 * `inputBuffer`, `mic`, `activity`) with `sessionMachine.provide()`.
 */
import { fromCallback, setup } from 'xstate';
import type { ActivityChildInput, ActivityCommand } from './activityEvents.js';
import type {
  ConnectionCommand,
  ConnectionInput,
  InputBufferCommand,
  MicInput,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionInput,
  ToolExecutorCommand,
  ToolExecutorInput,
} from './types.js';

const connection = fromCallback<ConnectionCommand, ConnectionInput>(() => undefined);
const toolExecutor = fromCallback<ToolExecutorCommand, ToolExecutorInput>(() => undefined);
const inputBuffer = fromCallback<InputBufferCommand, undefined>(() => undefined);
const mic = fromCallback<SessionEvent, MicInput>(() => undefined);
const activity = fromCallback<ActivityCommand, ActivityChildInput>(() => undefined);

/** The session machine's setup before its implementations: types and actors. */
export const baseSetup = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
    input: {} as SessionInput | undefined,
  },
  actors: { connection, toolExecutor, inputBuffer, mic, activity },
});

/** The child id of the connection of a generation. */
export const connectionId = (generation: number): string => `connection-${generation}`;
/** The child id of the tool executor of a toolCall batch. */
export const toolExecutorId = (batch: number): string => `tools-${batch}`;
/** The child id of the mic actor. */
export const MIC_ID = 'mic';
/** The child id of the input buffer. */
export const BUFFER_ID = 'buffer';
/** The child id of the activity actor (the `activity` option). */
export const ACTIVITY_ID = 'activity';
