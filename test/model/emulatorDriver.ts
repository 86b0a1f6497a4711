/**
 * The emulator driver: a path's session over the real `@google/genai` SDK and a WebSocket to
 * `startLiveEmulator()`. Its paths stay on one connection (see `paths.test.ts`).
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { createLiveSession } from '../../src/index.js';
import { TransportError } from '../../src/protocol/index.js';
import { startLiveEmulator, type EmulatorConnection, type LiveEmulator } from '../../src/testing/index.js';
import { closeOf, createDriver, DEADLINE_MS, sessionOptionsOf, within, type Driver } from './drivers.js';
import type { SpecSettings } from './spec.machine.js';
import type { Variant } from './spec.variants.js';
import { contentFrame, type WireFrame } from './wire.js';

/** One emulator shared by every emulator path of a variant; paths run one after the other. */
export interface EmulatorFixture {
  emulator: LiveEmulator;
  /** Told of each connection the emulator accepts, by the API key it came with, before its setup is read. */
  arrivals: Map<string, (connection: EmulatorConnection) => void>;
}

/** The model name the emulator paths connect with. */
export const MODEL = 'models/gemini-live-test';

/** The only connection of an emulator path. */
const FIRST = 0;

let paths = 0;

/**
 * A path's session over the real SDK to the emulator. Each path's client has an API key of its
 * own, which its socket's URL carries: the path finds its connection by it, whenever it comes
 * (a socket the session gave up on mid-handshake may reach the emulator late, or never).
 */
export function emulatorDriver(fixture: EmulatorFixture, variant: Variant): Driver {
  const apiKey = `path-${++paths}`;
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: fixture.emulator.baseUrl } });
  let open: EmulatorConnection | undefined;
  let refuseWith: [number, string] | undefined;
  const arrived = new Promise<EmulatorConnection>((resolve) => {
    fixture.arrivals.set(apiKey, (connection) => {
      fixture.arrivals.delete(apiKey);
      open = connection;
      connection.silentCancel = variant.silentCancel === true;
      if (refuseWith) connection.close(...refuseWith);
      resolve(connection);
    });
  });
  return createDriver(
    'emulator',
    (tap, tools) =>
      createLiveSession({
        ai,
        model: MODEL,
        config: { responseModalities: [Modality.AUDIO] },
        tools,
        ...sessionOptionsOf(variant.settings),
        inspect: (event) => tap.inspect(event),
      }),
    (session) => {
      const live = (n: number): EmulatorConnection => {
        if (n !== FIRST) throw new Error('the emulator paths stay on one connection');
        if (!open) throw new Error('the emulator connection is not known yet');
        return open;
      };
      const frames = (c: EmulatorConnection | undefined): WireFrame[] =>
        (c?.frames ?? []).flatMap((frame) => (frame.message?.setup ? [] : [fromEmulator(frame.message)]));
      return {
        reach: async (n) => {
          if (n !== FIRST) throw new Error('the emulator paths stay on one connection');
          // connect() was called in this same tick when a close comes before setup: the socket
          // cannot have been accepted yet, so `refuse` is in time.
          return undefined;
        },
        // The emulator completes setup by itself.
        accept: async () => {
          await within(arrived, DEADLINE_MS, 'the emulator connection');
        },
        refuse: (_n, retryable) => {
          refuseWith = closeOf(retryable);
        },
        content: (n, model) => {
          const c = live(n);
          if (model === 'speaks') c.sendAudio({ ms: 20 });
          else if (model === 'turnComplete') c.sendTurnComplete();
          else if (model === 'waitingForInput') c.sendWaitingForInput();
          else c.sendInteractionStatus('IDLE');
        },
        usage: (n) => live(n).sendUsage({ totalTokenCount: 10 }),
        // The spec's goAway only announces: the emulator must not close at the deadline.
        goAway: (n) => live(n).sendGoAway('50s', { close: false }),
        resumptionUpdate: (n, resumable) => live(n).sendResumptionUpdate(resumable ? 'h1' : undefined, resumable),
        malformed: (n) => live(n).sendRaw({ sessionResumptionUpdate: { newHandle: 5 } }),
        setupCompleteAgain: (n) => live(n).sendRaw({ setupComplete: {} }),
        // A WebSocket error is always followed by its close, so no server can cause a lone
        // transport error: the driver plays the connection actor's part and sends the event.
        transportError: () =>
          session.actor.send({
            type: 'transport.error',
            generation: session.actor.getSnapshot().context.generation,
            error: new TransportError('TRANSPORT_ERROR', 'socket hiccup'),
          }),
        close: (n, retryable) => live(n).close(...closeOf(retryable)),
        toolCall: (n, calls) => {
          live(n).sendToolCall(calls.map(({ id, name, args }) => ({ id, name, args: args as Record<string, unknown> })));
        },
        cancel: (n, ids) => {
          live(n).cancelToolCalls(ids);
        },
        pending: () => (open?.pendingToolCallIds ?? []).map((id) => ({ id, connection: FIRST })),
        openConnections: () => undefined,
        frames: async (count) => {
          if (count === 0) return frames(open);
          const c = await within(arrived, DEADLINE_MS, 'the emulator connection');
          // frames[0] is the setup: the count-th frame after it is at index `count`.
          await c.waitForMessage(() => true, { fromFrame: count, timeoutMs: DEADLINE_MS });
          return frames(c);
        },
        refusal: () => {
          const refused = open?.refusal;
          if (refused) return `the emulator refused a frame: ${refused.code} ${refused.reason} (${refused.problem})`;
          if (fixture.emulator.stats.violations1008 > 0) return 'the emulator closed a connection with 1008';
          return undefined;
        },
        finish: async (s) => {
          await s.close();
          // A session closed before its socket reached the emulator sent nothing.
          if (!open) return [];
          await within(open.closed, DEADLINE_MS, 'the emulator connection to close');
          return frames(open);
        },
      };
    },
  );
}

function fromEmulator(message: EmulatorConnection['frames'][number]['message']): WireFrame {
  const input = message?.realtimeInput;
  if (input) {
    const kinds = (['audio', 'video', 'text', 'activityStart', 'activityEnd', 'audioStreamEnd'] as const).filter(
      (kind) => input[kind] !== undefined,
    );
    if (kinds.length === 1) return { realtimeInput: kinds[0] as string, connection: FIRST };
  }
  const responses = message?.toolResponse?.functionResponses;
  if (responses) {
    return {
      toolResponse: responses.map(({ id, response, scheduling }) => ({ id, response, ...(scheduling ? { scheduling } : {}) })),
      connection: FIRST,
    };
  }
  if (message?.clientContent?.turns) return contentFrame(message.clientContent.turns, FIRST);
  if (message?.contextUpdate) return { contextUpdate: true, connection: FIRST };
  return { unexpected: message };
}

/**
 * Starts the emulator of a variant: strict (no grace window), so a gate violation is a sure 1008,
 * playing the variant's model (whether input cancels a blocking call).
 */
export async function startFixture(settings: SpecSettings): Promise<EmulatorFixture> {
  const arrivals: EmulatorFixture['arrivals'] = new Map();
  const emulator = await startLiveEmulator({
    graceMs: 0,
    ...(settings.interrupt ? { modelProfile: { inputDuringBlockingCall: 'cancelsCall' } } : {}),
    onConnection: (connection) => {
      const key = new URL(connection.path, 'http://emulator').searchParams.get('key') ?? '';
      arrivals.get(key)?.(connection);
    },
  });
  return { emulator, arrivals };
}
