/**
 * The voice agent the gateway runs for every caller: its model, config and tool, and the emulated
 * model's side of a call (what `npm run example:gateway` plays without an API key, and what the
 * gateway and failover tests play).
 *
 * The tool calls a weather service when `weatherUrl` is given, and passes the call's idempotency
 * key along as an `Idempotency-Key` header: a call run again by another gateway after a failover
 * carries the same key, so the service can tell it already did the work.
 */
import { Modality, type LiveConnectConfig } from '@google/genai';
import { defineTool, type AnyTool } from '../../src/index.js';
import { runScenario, type LiveEmulatorOptions, type Scenario } from '../../src/testing/index.js';

/** The model on the real service, and the name the emulator is given. */
export const LIVE_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';
export const EMULATED_MODEL = 'models/gemini-live-2.5-flash-preview';

/** The connect config of every session. */
export const agentConfig: LiveConnectConfig = {
  responseModalities: [Modality.AUDIO],
  systemInstruction: 'You are a friendly weather assistant on the phone. Answer in one or two sentences.',
  outputAudioTranscription: {},
  inputAudioTranscription: {},
};

/** Options of {@link weatherTool}. */
export interface WeatherToolOptions {
  /** A weather service to ask (`GET ?city=…`, answering JSON); without one the tool answers itself. */
  weatherUrl?: string | undefined;
  /** How long the tool takes when it answers itself, in ms (default 400). */
  delayMs?: number;
}

/** `get_weather`: from the weather service, with the call's idempotency key, or made up after a delay. */
export function weatherTool(options: WeatherToolOptions = {}): AnyTool {
  return defineTool({
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    timeoutMs: 20_000,
    execute: async ({ city }: { city: string }, { signal, idempotencyKey }) => {
      if (options.weatherUrl !== undefined) {
        const url = `${options.weatherUrl}?city=${encodeURIComponent(city)}`;
        const response = await fetch(url, { signal, headers: { 'idempotency-key': idempotencyKey } });
        if (!response.ok) throw new Error(`the weather service answered ${response.status}`);
        return (await response.json()) as object;
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, options.delayMs ?? 400);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      return { city, tempC: 18, sky: 'sunny' };
    },
  });
}

/**
 * The emulated model of a call: it hears 600 ms of the caller, says it will check, and calls
 * `get_weather`; once the answer comes (as a toolResponse, or, after a failover, as a turn of
 * the conversation) it gives the weather. Then, each time the caller says something more, a
 * short answer.
 */
export const callScenario: Scenario = {
  name: 'gateway: a call',
  steps: [
    {
      after: { audioMs: 600 },
      do: [
        { inputTranscription: 'What is the weather in Paris?' },
        { audio: { ms: 300 } },
        { outputTranscription: 'Let me check.' },
        { toolCall: [{ name: 'get_weather', args: { city: 'Paris' } }] },
      ],
    },
    {
      after: [{ toolResponse: true }, { clientContent: true }],
      do: [{ audio: { ms: 800 } }, { outputTranscription: "It's 18 degrees and sunny in Paris." }, { turnComplete: true }],
    },
  ],
};

/**
 * A resumed call: the conversation goes on. The answer the caller was waiting for comes with the
 * tool's outcome (delivered as a turn of the conversation); more speech gets a short answer.
 */
export const resumedCallScenario: Scenario = {
  name: 'gateway: a resumed call',
  loop: true,
  steps: [
    {
      after: [{ clientContent: true }, { audioMs: 600 }],
      do: [{ audio: { ms: 800 } }, { outputTranscription: "It's 18 degrees and sunny in Paris." }, { turnComplete: true }],
    },
  ],
};

/** Emulator options that play {@link callScenario} on a new call and {@link resumedCallScenario} on a resumed one. */
export const gatewayEmulatorOptions: LiveEmulatorOptions = {
  async onConnection(connection) {
    await connection.ready.catch(() => undefined);
    if (connection.isOpen) runScenario(connection, connection.resumedFrom ? resumedCallScenario : callScenario);
  },
};
