/**
 * How a session reaches the Live API, as `createLiveSession` takes it: a client that holds the API
 * key (`ai`), ephemeral tokens fetched for every connection (`tokenProvider`), or any transport.
 * The three exclude each other; this module checks that and builds the transport.
 */
import type { LiveConnectConfig } from '@google/genai';
import { createGenAITransport, type GenAITransportOptions } from '../adapters/genai.js';
import { createTokenTransport, type TokenTransportOptions } from '../adapters/tokenTransport.js';
import { InvalidOptionsError } from '../protocol/errors.js';
import type { LiveTransport } from '../protocol/transport.js';

/** Connects with the application's SDK client, which holds the API key (server side). */
export interface ApiKeyConnection {
  ai: GenAITransportOptions['ai'];
  model: string;
  config?: LiveConnectConfig;
  transport?: never;
  tokenProvider?: never;
}

/**
 * Connects with an ephemeral token fetched before every connection (pages, apps): the API key
 * stays on the server. Give the SDK's `GoogleGenAI` class (and `httpOptions`), or `clientForToken`.
 */
export type TokenConnection = TokenTransportOptions & { ai?: never; transport?: never };

/** Connects over any transport (`createScriptedTransport`, your own). */
export interface TransportConnection {
  transport: LiveTransport;
  ai?: never;
  tokenProvider?: never;
  /** The model behind the transport, for its profile (see `modelProfile`). */
  model?: string;
  config?: never;
}

/** How the session reaches the Live API: the SDK client, ephemeral tokens, or any transport. */
export type SessionConnection = ApiKeyConnection | TokenConnection | TransportConnection;

/** Whether `value` has a method `name`. */
function hasMethod(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, name) === 'function';
}

/**
 * The transport the options ask for. Throws an {@link InvalidOptionsError} when they ask for more than
 * one way, or none.
 */
export function transportFor(options: SessionConnection): LiveTransport {
  const given = { ai: options.ai !== undefined, tokenProvider: options.tokenProvider !== undefined, transport: options.transport !== undefined };
  if (given.ai && given.tokenProvider) {
    throw new InvalidOptionsError(
      '`ai` (a client holding the API key) and `tokenProvider` (ephemeral tokens) exclude each other: a page must never hold the key, so pass `tokenProvider` and `GoogleGenAI` there, and `ai` only on a server',
    );
  }
  if (given.transport && (given.ai || given.tokenProvider)) {
    throw new InvalidOptionsError(`\`transport\` excludes \`${given.ai ? 'ai' : 'tokenProvider'}\`: pass one way to reach the Live API`);
  }
  if (options.transport !== undefined) {
    if (!hasMethod(options.transport, 'connect')) throw new InvalidOptionsError('transport must have a connect() method');
    return options.transport;
  }
  if (options.tokenProvider !== undefined) return createTokenTransport(options as TokenTransportOptions);
  if (options.ai !== undefined) {
    if (!hasMethod(options.ai?.live, 'connect')) throw new InvalidOptionsError('ai must be a GoogleGenAI client (ai.live.connect is missing)');
    if (typeof options.model !== 'string' || options.model === '') throw new InvalidOptionsError('a session with ai needs a model name');
    return createGenAITransport({ ai: options.ai, model: options.model, config: options.config });
  }
  throw new InvalidOptionsError('createLiveSession needs `ai` (with an API key), `tokenProvider` (ephemeral tokens) or `transport`');
}
