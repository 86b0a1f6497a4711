/**
 * A {@link LiveTransport} for pages and apps that must not hold the API key: before every
 * connection (the first, each resume, each reconnect) it asks the application for an ephemeral
 * token, and connects through `@google/genai` with it, on the constrained endpoint
 * (`v1alpha`, `BidiGenerateContentConstrained?access_token=auth_tokens/…`).
 *
 * A token the service refuses as expired or used up is replaced by a fresh one once; a second
 * refusal fails with a {@link TokenError}. Nothing it reports carries the token.
 */
import type { GoogleGenAI, HttpOptions, LiveConnectConfig } from '@google/genai';
import { classifyClose } from '../protocol/closeCodes.js';
import { InvalidOptionsError, TokenError, describe } from '../protocol/errors.js';
import { redactedError, redactSecrets } from '../protocol/redact.js';
import type { LiveConnection, LiveTransport, TransportConnectRequest, TransportHandlers } from '../protocol/transport.js';
import { createGenAITransport } from './genai.js';

/**
 * What a token provider returns: the token's name (`auth_tokens/…`), or an object holding it in
 * `name`, such as the SDK's `AuthToken` or the JSON that `gemini-live-fsm/server`'s handler answers.
 */
export type EphemeralToken = string | { readonly name?: string | undefined };

/** Fetches a fresh ephemeral token, typically from the application's own server. */
export type TokenProvider = () => EphemeralToken | Promise<EphemeralToken>;

/** The SDK's client class, as the application imports it: `import { GoogleGenAI } from '@google/genai'`. */
export type GenAIConstructor = new (options: { apiKey: string; httpOptions?: HttpOptions }) => Pick<GoogleGenAI, 'live'>;

/** Options of {@link createTokenTransport}. */
export interface TokenTransportOptions {
  /** Called before every connection; its token is used for that connection only. */
  tokenProvider: TokenProvider;
  /**
   * The SDK's `GoogleGenAI` class: each token gets a client of its own,
   * `new GoogleGenAI({ apiKey: token, httpOptions: { apiVersion: 'v1alpha', ...httpOptions } })`.
   */
  GoogleGenAI?: GenAIConstructor;
  /** Passed to each client, e.g. `{ baseUrl }` for the emulator. `apiVersion` defaults to `v1alpha`. */
  httpOptions?: HttpOptions;
  /** Instead of `GoogleGenAI`: builds the client for one token yourself. */
  clientForToken?: (token: string) => Pick<GoogleGenAI, 'live'>;
  /** The Live model; it must be the one the token was minted for, if the token locks it. */
  model: string;
  /** The connect config; fields the token locks must match it. */
  config?: LiveConnectConfig;
}

/** The version the constrained endpoint lives in. */
const TOKEN_API_VERSION = 'v1alpha';
const TOKEN_PREFIX = 'auth_tokens/';
/** How `ws` (Node) reports an upgrade the server answered with 401 or 403. */
const HTTP_REFUSAL = /unexpected server response: 40[13]\b/i;

/**
 * Creates a transport that fetches an ephemeral token for every connection.
 *
 * @example
 * ```ts
 * import { GoogleGenAI, Modality } from '@google/genai';
 *
 * const transport = createTokenTransport({
 *   tokenProvider: () => fetch('/api/live-token', { method: 'POST' }).then((response) => response.json()),
 *   GoogleGenAI,
 *   model: 'gemini-2.5-flash-native-audio-preview-09-2025',
 *   config: { responseModalities: [Modality.AUDIO] },
 * });
 * ```
 */
export function createTokenTransport(options: TokenTransportOptions): LiveTransport {
  const clientFor = tokenClientFactory(options);
  if (typeof options.tokenProvider !== 'function') throw new InvalidOptionsError('`tokenProvider` must be a function that returns a token');
  if (typeof options.model !== 'string' || options.model === '') throw new InvalidOptionsError('`tokenProvider` needs `model`');

  const transportFor = (token: string) => ({
    token,
    transport: createGenAITransport({ ai: clientFor(token), model: options.model, config: options.config }),
  });

  return {
    async connect(request) {
      const first = await openWith(transportFor(await fetchToken(options.tokenProvider)), request);
      if (first.kind === 'open') return first.connection;
      // Refused as expired or used up: one fresh token, and no more.
      const second = await openWith(transportFor(await fetchToken(options.tokenProvider)), request);
      if (second.kind === 'open') return second.connection;
      throw new TokenError('TOKEN_REFUSED', `the service refused a fresh token too (${`${second.code} ${second.reason}`.trim()})`, false);
    },
  };
}

function tokenClientFactory(options: TokenTransportOptions): (token: string) => Pick<GoogleGenAI, 'live'> {
  const { GoogleGenAI: Client, clientForToken } = options;
  if (Client && clientForToken) throw new InvalidOptionsError('pass `GoogleGenAI` or `clientForToken`, not both');
  if (clientForToken) return clientForToken;
  if (!Client) throw new InvalidOptionsError('`tokenProvider` needs `GoogleGenAI` (the SDK class) or `clientForToken` to connect with');
  const httpOptions: HttpOptions = { apiVersion: TOKEN_API_VERSION, ...options.httpOptions };
  return (token) => new Client({ apiKey: token, httpOptions });
}

/** Asks the provider for a token; what it returns is checked, never echoed. */
async function fetchToken(provider: TokenProvider): Promise<string> {
  let value: EphemeralToken;
  try {
    value = await provider();
  } catch (error) {
    throw new TokenError('TOKEN_PROVIDER_FAILED', `the token provider failed: ${redactSecrets(describe(error))}`, true);
  }
  const token = typeof value === 'string' ? value : value?.name;
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || token.length === TOKEN_PREFIX.length) {
    throw new TokenError(
      'TOKEN_INVALID',
      `the token provider returned ${typeof token === 'string' ? 'a string' : 'no token'} that is not an ephemeral token (${TOKEN_PREFIX}…)`,
      false,
    );
  }
  return token;
}

interface Refusal {
  kind: 'refused';
  code: number;
  reason: string;
}

type Outcome = { kind: 'open'; connection: LiveConnection } | Refusal;

/**
 * Opens one connection with `token`. A refusal of the token before the connection is open is
 * kept from the session (the caller tries a fresh token), and so is everything that attempt
 * reports afterwards; anything else reaches the session as usual.
 */
function openWith({ transport, token }: { transport: LiveTransport; token: string }, request: TransportConnectRequest): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    let refused = false;
    // Errors before the connection opens wait: if they turn out to be a refusal, nobody needs them.
    let heldErrors: Error[] | undefined = [];
    let lastError = '';
    const release = () => {
      const errors = heldErrors ?? [];
      heldErrors = undefined;
      for (const error of errors) request.handlers.onError(error);
    };
    const refuse = (code: number, reason: string) => {
      refused = true;
      settled = true;
      heldErrors = undefined;
      resolve({ kind: 'refused', code, reason });
    };
    const handlers: TransportHandlers = {
      onMessage: (message) => {
        if (!refused) request.handlers.onMessage(message);
      },
      onError: (error) => {
        if (refused) return;
        const clean = redactedError(error, [token]);
        lastError = clean.message;
        if (heldErrors) heldErrors.push(clean);
        else request.handlers.onError(clean);
      },
      onClose: (code, rawReason) => {
        if (refused) return;
        const reason = redactSecrets(rawReason, [token]);
        if (!settled && isTokenRefusal(code, reason, lastError)) {
          refuse(code, reason || lastError);
          return;
        }
        release();
        request.handlers.onClose(code, reason);
      },
    };
    transport.connect({ ...request, handlers }).then(
      (connection) => {
        if (settled) {
          // Opened after the attempt was given up: nobody wants it.
          connection.close();
          return;
        }
        settled = true;
        release();
        resolve({ kind: 'open', connection });
      },
      (error: unknown) => {
        if (settled) return;
        // @google/genai 3.x rejects on the handshake's error, before the close that follows it.
        if (HTTP_REFUSAL.test(lastError)) {
          refuse(1006, lastError);
          return;
        }
        settled = true;
        release();
        reject(redactedError(error, [token]));
      },
    );
  });
}

/** A close that a fresh token may mend: expired or used up, or an upgrade answered 401/403. */
function isTokenRefusal(code: number, reason: string, lastError: string): boolean {
  const { kind } = classifyClose(code, reason);
  if (kind === 'tokenExpired' || kind === 'tokenExhausted') return true;
  return code === 1006 && HTTP_REFUSAL.test(lastError);
}
