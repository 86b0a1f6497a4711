/**
 * Minting ephemeral tokens on the server, where the API key lives: one call to
 * `ai.authTokens.create` with the model and config the page may use locked, a budget of uses that
 * covers resumes, and expiry times.
 */
import type { GoogleGenAI, LiveConnectConfig } from '@google/genai';
import { connectConfig } from '../adapters/genai.js';
import { InvalidOptionsError } from '../protocol/errors.js';
import type { AnyTool } from '../tools/defineTool.js';
import { toFunctionDeclarations, type ToolSchemaField } from '../tools/declarations.js';
import { resolveProfile, type ModelProfile } from '../models/profiles.js';

/** Options of {@link mintLiveToken}. */
export interface LiveTokenOptions {
  /** The server's client, holding the API key: `new GoogleGenAI({ apiKey })`. */
  ai: Pick<GoogleGenAI, 'authTokens'>;
  /** The model the token may open sessions with; it is locked. */
  model: string;
  /**
   * The connect config the page must use; every field given is locked (a setup that sets it to
   * something else is refused). `sessionResumption` cannot be: its handle changes on every resume.
   */
  config?: LiveConnectConfig;
  /** The session's tools: their declarations are locked too, exactly as the session sends them. */
  tools?: readonly AnyTool[];
  /** The session's `modelProfile`, if it gives one: tools are declared with the profile's default behaviour. */
  modelProfile?: Partial<ModelProfile>;
  /** The session's `toolSchemaField`, if it gives one. */
  toolSchemaField?: ToolSchemaField;
  /** Fields to lock at their defaults besides (`@google/genai`'s `lockAdditionalFields`, e.g. `'temperature'`). */
  lockAdditionalFields?: string[];
  /**
   * Connections the token may open; 0 for no limit. Default {@link DEFAULT_TOKEN_USES}: resuming
   * a session has been seen to use one (though documented not to), and a session resumes about
   * every 10 minutes, so one token lasting its 30 minutes opens up to 4. Never 1 by default: a
   * `uses: 1` token breaks the first resume.
   */
  uses?: number;
  /** How long the token lasts (default 30 minutes, under 20 hours); the service may close its sessions then. */
  expireAfterMs?: number;
  /** How long it may open new sessions (default 60 s); resuming one is allowed until it expires. */
  newSessionWithinMs?: number;
  /** The clock (ms since the epoch); default `Date.now`. */
  now?: () => number;
}

/** A minted token, as the handler answers it: the page passes it (or its `name`) to the session. */
export interface LiveToken {
  /** `auth_tokens/…`: the page's API key for this one connection. */
  name: string;
  /** When it expires (RFC 3339). */
  expireTime: string;
  /** Until when it may open a new session (RFC 3339). */
  newSessionExpireTime: string;
  /** Connections it may open (0: no limit). */
  uses: number;
}

/** The default budget of uses (see {@link LiveTokenOptions.uses}). */
export const DEFAULT_TOKEN_USES = 4;
const DEFAULT_EXPIRE_MS = 30 * 60_000;
const DEFAULT_NEW_SESSION_MS = 60_000;
const MAX_AHEAD_MS = 20 * 60 * 60_000;
const TOKEN_API_VERSION = 'v1alpha';

/**
 * Mints one ephemeral token for a page: the model and config locked, {@link DEFAULT_TOKEN_USES}
 * uses, 30 minutes of life and 60 s to open a session, unless told otherwise.
 *
 * @example
 * ```ts
 * import { GoogleGenAI, Modality } from '@google/genai';
 * import { mintLiveToken } from 'gemini-live-fsm/server';
 *
 * const ai = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
 * const token = await mintLiveToken({
 *   ai,
 *   model: 'gemini-2.5-flash-native-audio-preview-09-2025',
 *   config: { responseModalities: [Modality.AUDIO], systemInstruction: 'You are a travel agent.' },
 * });
 * // send `token` to the page, which gives it to createLiveSession's tokenProvider
 * ```
 */
export async function mintLiveToken(options: LiveTokenOptions): Promise<LiveToken> {
  const uses = options.uses ?? DEFAULT_TOKEN_USES;
  if (!Number.isInteger(uses) || uses < 0) throw new InvalidOptionsError('`uses` must be a whole number, 0 (no limit) or more');
  if (options.config?.sessionResumption !== undefined) {
    throw new InvalidOptionsError('`sessionResumption` cannot be locked in a token: its handle changes on every resume (leave it out; the session asks for it)');
  }
  const now = (options.now ?? Date.now)();
  const expireTime = new Date(now + within('expireAfterMs', options.expireAfterMs, DEFAULT_EXPIRE_MS)).toISOString();
  const newSessionExpireTime = new Date(now + within('newSessionWithinMs', options.newSessionWithinMs, DEFAULT_NEW_SESSION_MS)).toISOString();
  const config = connectConfig(options.config, {
    // Declared as the session declares them: each tool's behaviour stated, the model's default for those without.
    functionDeclarations: toFunctionDeclarations(options.tools ?? [], {
      schemaField: options.toolSchemaField,
      behaviorOf: (tool) => tool.behavior ?? resolveProfile(options.model, options.modelProfile).profile.defaultBehavior,
    }),
    sessionResumption: false,
    resumptionHandle: undefined,
  });
  const token = await options.ai.authTokens.create({
    config: {
      uses,
      expireTime,
      newSessionExpireTime,
      liveConnectConstraints: { model: options.model, config },
      // An empty list locks exactly the fields given; leaving it out would lock every field.
      lockAdditionalFields: options.lockAdditionalFields ?? [],
      httpOptions: { apiVersion: TOKEN_API_VERSION },
    },
  });
  if (typeof token.name !== 'string' || !token.name.startsWith('auth_tokens/')) {
    throw new Error('the service answered without a token name');
  }
  return { name: token.name, expireTime, newSessionExpireTime, uses };
}

function within(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isFinite(ms) || ms <= 0 || ms >= MAX_AHEAD_MS) throw new InvalidOptionsError(`\`${name}\` must be more than 0 and less than 20 hours`);
  return ms;
}
