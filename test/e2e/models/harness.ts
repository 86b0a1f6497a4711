/**
 * What the end-to-end tests of the model profiles (issue 13) share: a gemini-live-fsm session
 * made the way an application makes one (`createLiveSession({ ai, model, config, tools })`, the
 * real SDK of this run of the suite), connected to the emulator, with everything it emits kept.
 */
import * as genai2 from '@google/genai';
import { createLiveSession, type LiveSession, type LiveSessionOptions, type SessionEmitted } from '../../../src/index.js';
import type { EmulatorConnection, LiveEmulator } from '../../../src/testing/index.js';
import { clientFor, onCleanup } from '../sdk.js';

export { MODELS } from '../../emulator/helpers.js';

/** The session options a test may give: everything but how it reaches the emulator, and the model. */
export type ModelSessionOptions = Omit<LiveSessionOptions, 'ai' | 'tokenProvider' | 'transport' | 'model' | 'config'> & {
  config?: genai2.LiveConnectConfig;
};

/** Every event type a session emits; the compiler sees to it that none is missing. */
const EVERY_EVENT: Record<SessionEmitted['type'], true> = {
  connected: true,
  audio: true,
  text: true,
  inputTranscription: true,
  outputTranscription: true,
  interrupted: true,
  generationComplete: true,
  turnComplete: true,
  waitingForInput: true,
  interactionStatus: true,
  toolCall: true,
  toolResult: true,
  toolResultDiscarded: true,
  toolResultDelivered: true,
  sessionRestarted: true,
  sessionRestored: true,
  speechStarted: true,
  speechStopped: true,
  toolCallsLost: true,
  toolCallsOrphaned: true,
  toolCancelled: true,
  gate: true,
  inputDropped: true,
  usage: true,
  goAway: true,
  reconnecting: true,
  reconnected: true,
  resumptionHandleStale: true,
  micEnded: true,
  error: true,
  message: true,
  info: true,
  closed: true,
};

/** A session and everything it emitted, in order. */
export interface RecordedSession {
  session: LiveSession;
  emitted: SessionEmitted[];
  /** The emitted events of one type, in order. */
  of<T extends SessionEmitted['type']>(type: T): Extract<SessionEmitted, { type: T }>[];
}

/** A session on `model` over the real SDK to `target`, closed after the test. */
export function modelSession(target: LiveEmulator, model: string, options: ModelSessionOptions = {}): RecordedSession {
  const { config, ...rest } = options;
  const session = createLiveSession({
    ...rest,
    ai: clientFor(target),
    model,
    config: { responseModalities: [genai2.Modality.AUDIO], ...config },
  });
  onCleanup(() => session.close());
  const emitted: SessionEmitted[] = [];
  for (const type of Object.keys(EVERY_EVENT) as SessionEmitted['type'][]) session.on(type, (event) => emitted.push(event));
  return {
    session,
    emitted,
    of: <T extends SessionEmitted['type']>(type: T) =>
      emitted.filter((event): event is Extract<SessionEmitted, { type: T }> => event.type === type),
  };
}

/** {@link modelSession}, connected: with the emulator's side of its connection. */
export async function connectedModelSession(
  target: LiveEmulator,
  model: string,
  options: ModelSessionOptions = {},
): Promise<RecordedSession & { conn: EmulatorConnection }> {
  const recorded = modelSession(target, model, options);
  const connection = target.nextConnection();
  await recorded.session.connect();
  return { ...recorded, conn: await connection };
}

/** The function declarations the emulator received in setup: name and behaviour, as on the wire. */
export function declaredFunctions(conn: EmulatorConnection): { name: string; behavior: unknown }[] {
  return (conn.setup?.tools ?? []).flatMap((tool) => (tool.functionDeclarations ?? []).map(({ name, behavior }) => ({ name, behavior })));
}

/** What the emulator received after frame `from`, by message type (`realtimeInput.audio` and the like for input). */
export function receivedKinds(conn: EmulatorConnection, from = 0): string[] {
  return conn.frames.slice(from).map(({ message }) => {
    if (!message) return 'malformed';
    if (message.realtimeInput) return `realtimeInput.${Object.keys(message.realtimeInput).join(',')}`;
    return Object.keys(message).join(',');
  });
}

/** The `toolResponse` messages the emulator received, in order. */
export function toolResponses(conn: EmulatorConnection) {
  return conn.frames.flatMap(({ message }) => (message?.toolResponse ? [message.toolResponse] : []));
}

/** Waits until the emulator has received `count` audio frames after frame `from`. */
export async function audioFramesArrive(conn: EmulatorConnection, from: number, count: number): Promise<void> {
  await conn.waitForMessage(() => conn.frames.slice(from).filter(({ message }) => message?.realtimeInput?.audio).length >= count, {
    fromFrame: from,
  });
}

/**
 * Lets whatever the session would do about a settled promise happen: a tool's late outcome is
 * handled in promise reactions (microtasks), which have all run once a macrotask comes round.
 * Not a wait for time: nothing is timed, only the queue of reactions is drained.
 */
export function afterPromiseReactions(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
