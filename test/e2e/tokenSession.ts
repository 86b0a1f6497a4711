/**
 * Sessions that connect with ephemeral tokens, through the SDK of this run of the suite, and a
 * server side that mints them through the same SDK: the page and its server, in one process.
 */
import * as genai2 from '@google/genai';
import * as genai3 from 'genai3';
import { createLiveSession, type AnyTool, type LiveSession, type LiveSessionOptions } from '../../src/index.js';
import type { GenAIConstructor, TokenProvider } from '../../src/protocol/index.js';
import { mintLiveToken, type LiveToken, type LiveTokenOptions } from '../../src/server/index.js';
import type { LiveEmulator } from '../../src/testing/index.js';
import { MODEL, onCleanup } from './sdk.js';

const sdk = process.env['GENAI_SDK'] === '3' ? genai3 : genai2;

/** The config every token session uses, and every token locks. */
export const TOKEN_CONFIG = { responseModalities: [genai2.Modality.AUDIO], systemInstruction: 'Answer briefly.' };

/** The API key the "server" holds: it must never reach the session. */
export const SERVER_KEY = 'AIzaSyServerKeyNeverInThePage-0123456789';

/** A server-side minter over the emulator, counting what it minted. */
export function tokenServer(emulator: LiveEmulator, options: Partial<LiveTokenOptions> = {}) {
  const ai = new sdk.GoogleGenAI({ apiKey: SERVER_KEY, httpOptions: { baseUrl: emulator.baseUrl } }) as unknown as genai2.GoogleGenAI;
  const minted: LiveToken[] = [];
  return {
    minted,
    async mint(): Promise<LiveToken> {
      const token = await mintLiveToken({ ai, model: MODEL, config: TOKEN_CONFIG, ...options });
      minted.push(token);
      return token;
    },
  };
}

/** A session over tokens from `tokenProvider`, through the real SDK to the emulator; closed after the test. */
export function tokenSession(
  emulator: LiveEmulator,
  tokenProvider: TokenProvider,
  tools: AnyTool[] = [],
  options: Omit<LiveSessionOptions, 'ai' | 'tokenProvider' | 'model' | 'transport' | 'tools' | 'config'> = {},
): LiveSession {
  const session = createLiveSession({
    ...options,
    tokenProvider,
    GoogleGenAI: sdk.GoogleGenAI as unknown as GenAIConstructor,
    httpOptions: { baseUrl: emulator.baseUrl },
    model: MODEL,
    config: TOKEN_CONFIG,
    tools,
  });
  onCleanup(() => session.close());
  return session;
}
