/**
 * The voice agent of the browser example, shared by the page (which runs it) and its server
 * (which mints tokens locked to exactly this model, config and tools).
 */
import { Modality, type LiveConnectConfig } from '@google/genai';
import { defineTool } from '../../src/index.js';

/** The model on the real service, and the name the emulator is given. */
export const LIVE_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';
export const EMULATED_MODEL = 'models/gemini-live-emulated';

/** The connect config; the token locks it, so the page cannot be made to use another. */
export const agentConfig: LiveConnectConfig = {
  responseModalities: [Modality.AUDIO],
  systemInstruction: 'You are a friendly weather assistant. Answer in one or two sentences.',
  outputAudioTranscription: {},
  inputAudioTranscription: {},
};

/** The tool: a slow weather service (the mic keeps streaming; the session holds it back). */
export const getWeather = defineTool({
  name: 'get_weather',
  description: 'The current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  timeoutMs: 5_000,
  execute: async ({ city }: { city: string }, { signal }) => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 400);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    return { city, tempC: 18, sky: 'sunny' };
  },
});

/** Where the page asks its server for a token. */
export const TOKEN_PATH = '/api/live-token';
