/**
 * `gemini-live-fsm/server`: the server side of a page that talks to the Live API without the API
 * key. Node only. `mintLiveToken` mints an ephemeral token with the model and config locked;
 * `createTokenHandler` serves one per request to any Node HTTP framework.
 *
 * @packageDocumentation
 */
export { DEFAULT_TOKEN_USES, mintLiveToken } from './mintToken.js';
export type { LiveToken, LiveTokenOptions } from './mintToken.js';
export { createTokenHandler } from './tokenHandler.js';
export type { TokenHandlerOptions, TokenRequestHandler } from './tokenHandler.js';
