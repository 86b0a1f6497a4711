/**
 * A request handler that hands a page its ephemeral token, for any Node HTTP framework: it takes
 * Node's own request and response (`node:http`, Express, `reply.raw` in Fastify, `ctx.req` /
 * `ctx.res` in Koa).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactedError } from '../protocol/redact.js';
import { mintLiveToken, type LiveTokenOptions } from './mintToken.js';

/** Options of {@link createTokenHandler}: how to mint, and who may have a token. */
export interface TokenHandlerOptions extends LiveTokenOptions {
  /**
   * Whether this request may have a token: check your own session cookie or login here. Without
   * it, anyone who can reach the handler gets tokens on your key.
   */
  authorize?: (request: IncomingMessage) => boolean | Promise<boolean>;
  /** Told when minting fails (the error redacted); the page only learns that it failed. */
  onError?: (error: Error) => void;
}

/** Answers a request: a token as JSON, or an error status. Never rejects. */
export type TokenRequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * Creates a handler that answers `POST` with a fresh {@link LiveToken} as JSON (`Cache-Control:
 * no-store`); 405 for other methods, 403 when `authorize` says no, 502 when minting fails.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { GoogleGenAI, Modality } from '@google/genai';
 * import { createTokenHandler } from 'gemini-live-fsm/server';
 *
 * const tokens = createTokenHandler({
 *   ai: new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY }),
 *   model: 'gemini-2.5-flash-native-audio-preview-09-2025',
 *   config: { responseModalities: [Modality.AUDIO] },
 *   authorize: (request) => isSignedIn(request),
 * });
 * createServer((request, response) => {
 *   if (request.url === '/api/live-token') void tokens(request, response);
 *   else serveStatic(request, response);
 * }).listen(8080);
 * // Express: app.post('/api/live-token', tokens)
 * ```
 */
export function createTokenHandler(options: TokenHandlerOptions): TokenRequestHandler {
  const { authorize, onError, ...mint } = options;
  return async (request, response) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (response.headersSent) return;
      response
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
        .end(JSON.stringify(body));
    };
    if (request.method !== 'POST') {
      reply(405, { error: 'POST to get a token' }, { allow: 'POST' });
      return;
    }
    try {
      if (authorize && !(await authorize(request))) {
        reply(403, { error: 'not allowed' });
        return;
      }
      reply(200, await mintLiveToken(mint));
    } catch (error) {
      try {
        onError?.(redactedError(error));
      } catch {
        // A throwing onError must not keep the page from its answer.
      }
      reply(502, { error: 'could not mint a token' });
    }
  };
}
