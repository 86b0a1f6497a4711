/**
 * Ephemeral tokens, as the emulator mints and checks them: `POST /v1alpha/auth_tokens` (what
 * `ai.authTokens.create` sends) mints one, and a connection on `BidiGenerateContentConstrained`
 * must carry a known, unexpired token with uses left, and keep to the fields it locks.
 *
 * Verified against the SDK: the request's path and body. From a field report: a used-up token is
 * refused with `1011 Token has been used too many times` once the socket is open, and resuming a
 * session uses one of the token's uses (the documentation says it does not; `resumeCountsAsUse`
 * chooses). Unverified choices: the expiry close (`1008 Token has expired.`), the code of the
 * invalid-token close, the REST error bodies, and a locked field refused rather than overridden.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { lockViolations, lockedPaths } from './lockedFields.js';
import { CLOSE_REASONS, type CloseSpec } from './rules.js';
import type { SetupBody } from './types.js';

/** How the emulator treats tokens. */
export interface TokenPolicy {
  /** Whether a connection that resumes a session uses one of the token's uses (default true, as observed). */
  resumeCountsAsUse?: boolean;
  /**
   * How an unknown, expired or used-up token is refused: a close once the socket is open
   * (`'close'`, default, as observed), or `401` at the WebSocket upgrade (`'http'`). The time limit
   * for new sessions is always checked at setup, where the emulator learns whether it is one.
   */
  refuse?: 'close' | 'http';
}

/** A token the emulator minted. */
export interface MintedToken {
  /** `auth_tokens/…`: what the client uses as its API key. */
  readonly name: string;
  /** How many connections it may open; 0 for no limit. */
  readonly uses: number;
  /** Connections it opened so far. */
  used: number;
  /** After this (ms since the epoch) it opens nothing, and the emulator closes its connections. */
  readonly expireTime: number;
  /** After this it opens no new session (resuming one is still allowed until `expireTime`). */
  readonly newSessionExpireTime: number;
  /** The setup it allows (`liveConnectConstraints`, as the SDK sends them), if any. */
  readonly setup: Record<string, unknown> | undefined;
  /** The dotted paths of the setup it locks. */
  readonly lockedFields: readonly string[];
}

/** A token-related refusal of a setup. */
export interface TokenRefusal {
  close: CloseSpec;
  problem: string;
}

/** What a connection on the constrained endpoint asks of its token. */
export interface TokenGate {
  /** The token the connection carries (from `access_token=`), if any. */
  readonly token: string | undefined;
  /** Why `setup` may not open the connection (`resume`: it resumes a known session), or undefined. */
  authorize(setup: SetupBody, resume: boolean): TokenRefusal | undefined;
  /** The setup was accepted: counts the use, and closes the connection when the token expires. */
  accepted(connection: ExpiringConnection, resume: boolean): void;
}

/** What the gate needs of a connection to end it at the token's expiry. */
export interface ExpiringConnection {
  delay(ms: number): Promise<boolean>;
  close(code: number, reason: string): void;
}

/** The outcome of a mint request: the token, or the HTTP error to answer. */
export type MintOutcome = { ok: true; token: MintedToken } | { ok: false; status: number; body: Record<string, unknown> };

const MINUTE = 60_000;
/** The service's defaults (documented): 30 minutes, 60 seconds, one use. */
const DEFAULT_EXPIRE_MS = 30 * MINUTE;
const DEFAULT_NEW_SESSION_MS = MINUTE;
const DEFAULT_USES = 1;
/** Both times must be less than 20 hours ahead (documented). */
const MAX_AHEAD_MS = 20 * 60 * MINUTE;

/** An error body in the shape Google APIs answer with. */
function errorBody(status: number, message: string, statusText: string): Record<string, unknown> {
  return { error: { code: status, message, status: statusText } };
}

const invalid = (problem: string): MintOutcome => ({
  ok: false,
  status: 400,
  body: errorBody(400, `Request contains an invalid argument. (${problem})`, 'INVALID_ARGUMENT'),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses an RFC 3339 time; undefined stays undefined, anything unreadable is NaN. */
function timeOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/** Every token an emulator minted, shared by its connections. */
export class TokenStore {
  private readonly tokens = new Map<string, MintedToken>();
  readonly resumeCountsAsUse: boolean;
  readonly refuse: 'close' | 'http';

  constructor(
    private readonly now: () => number,
    policy: TokenPolicy = {},
  ) {
    this.resumeCountsAsUse = policy.resumeCountsAsUse ?? true;
    this.refuse = policy.refuse ?? 'close';
  }

  /** Every token minted so far, oldest first. */
  list(): MintedToken[] {
    return [...this.tokens.values()];
  }

  /** The token of that name, if minted here. */
  get(name: string): MintedToken | undefined {
    return this.tokens.get(name);
  }

  /** Mints a token from the body `ai.authTokens.create` posts. */
  mint(body: unknown): MintOutcome {
    if (!isObject(body)) return invalid('the body is not a JSON object');
    const now = this.now();
    const uses = body.uses ?? DEFAULT_USES;
    if (typeof uses !== 'number' || !Number.isInteger(uses) || uses < 0) return invalid('uses must be a whole number, 0 or more');
    const expireTime = timeOf(body.expireTime) ?? now + DEFAULT_EXPIRE_MS;
    const newSessionExpireTime = timeOf(body.newSessionExpireTime) ?? now + DEFAULT_NEW_SESSION_MS;
    for (const [field, time] of [['expireTime', expireTime], ['newSessionExpireTime', newSessionExpireTime]] as const) {
      if (Number.isNaN(time)) return invalid(`${field} is not an RFC 3339 time`);
      if (time - now >= MAX_AHEAD_MS) return invalid(`${field} must be less than 20 hours ahead`);
    }
    const setup = body.bidiGenerateContentSetup;
    if (setup !== undefined && !isObject(setup)) return invalid('bidiGenerateContentSetup is not an object');
    const fieldMask = body.fieldMask;
    if (fieldMask !== undefined && typeof fieldMask !== 'string') return invalid('fieldMask is not a string');
    const token: MintedToken = {
      name: `auth_tokens/${randomBytes(18).toString('base64url')}`,
      uses,
      used: 0,
      expireTime,
      newSessionExpireTime,
      setup,
      lockedFields: lockedPaths(setup, fieldMask),
    };
    this.tokens.set(token.name, token);
    return { ok: true, token };
  }

  /** Why a WebSocket upgrade with this token is refused when refusals are HTTP ones, or undefined. */
  refuseUpgrade(name: string | undefined): string | undefined {
    if (this.refuse !== 'http') return undefined;
    const token = name === undefined ? undefined : this.tokens.get(name);
    if (!token) return 'unknown token';
    if (this.now() >= token.expireTime) return 'token expired';
    if (token.uses > 0 && token.used >= token.uses) return 'token used up';
    return undefined;
  }

  /** Why `setup` may not open a connection with this token, or undefined if it may. */
  authorize(name: string | undefined, setup: SetupBody, resume: boolean): TokenRefusal | undefined {
    const token = name === undefined ? undefined : this.tokens.get(name);
    if (!token) return { close: CLOSE_REASONS.invalidApiKey, problem: name === undefined ? 'no access_token' : 'a token this emulator never minted' };
    const now = this.now();
    if (now >= token.expireTime) return { close: CLOSE_REASONS.tokenExpired, problem: 'the token expired' };
    if (!resume && now >= token.newSessionExpireTime) {
      return { close: CLOSE_REASONS.tokenExpired, problem: 'the token may no longer open a new session' };
    }
    if (token.uses > 0 && token.used >= token.uses && (!resume || this.resumeCountsAsUse)) {
      return { close: CLOSE_REASONS.tokenUsedUp, problem: `the token's ${token.uses} uses are spent` };
    }
    const differing = lockViolations(token.lockedFields, token.setup, setup);
    if (differing.length > 0) return { close: CLOSE_REASONS.invalidArgument, problem: `the token locks ${differing.join(', ')}` };
    return undefined;
  }

  /** Counts a connection the token opened. */
  use(name: string, resume: boolean): void {
    const token = this.tokens.get(name);
    if (token && (!resume || this.resumeCountsAsUse)) token.used += 1;
  }

  /** The gate of one connection that carries `name`. */
  gate(name: string | undefined): TokenGate {
    return {
      token: name,
      authorize: (setup, resume) => this.authorize(name, setup, resume),
      accepted: (connection, resume) => {
        const token = name === undefined ? undefined : this.tokens.get(name);
        if (!token) return;
        this.use(token.name, resume);
        // "Gemini may preemptively close the session after this time" (documented): the emulator does.
        void connection.delay(Math.max(0, token.expireTime - this.now())).then((fired) => {
          if (fired) connection.close(CLOSE_REASONS.tokenExpired.code, CLOSE_REASONS.tokenExpired.reason);
        });
      },
    };
  }
}

/** The REST path `ai.authTokens.create` posts to (the SDK's per-request `apiVersion: 'v1alpha'`). */
export const MINT_PATH = /^\/+v1alpha\/auth_tokens(?:\?|$)/;

/** The token a Live request path carries in `access_token=`, if any. */
export function tokenOfPath(path: string): string | undefined {
  const query = path.indexOf('?');
  return query < 0 ? undefined : (new URLSearchParams(path.slice(query + 1)).get('access_token') ?? undefined);
}

const MAX_MINT_BODY = 1 << 20;

/**
 * Answers `POST /v1alpha/auth_tokens`: any API key is accepted (in `x-goog-api-key`, as the SDK
 * sends it, or `?key=`), none is refused with 403; the answer is `{ "name": "auth_tokens/…" }`
 * (the token's other fields are input-only in the API's reference).
 */
export function answerMintRequest(store: TokenStore, request: IncomingMessage, response: ServerResponse): void {
  const reply = (status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  if (request.method !== 'POST') {
    reply(405, errorBody(405, 'Method not allowed.', 'METHOD_NOT_ALLOWED'));
    return;
  }
  const headerKey = request.headers['x-goog-api-key'];
  const key = (typeof headerKey === 'string' ? headerKey : undefined) ?? new URLSearchParams((request.url ?? '').split('?')[1] ?? '').get('key');
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_MINT_BODY) chunks.push(chunk);
  });
  request.on('end', () => {
    if (!key) {
      const message = 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.';
      reply(403, errorBody(403, message, 'PERMISSION_DENIED'));
      return;
    }
    let body: unknown;
    try {
      body = size > MAX_MINT_BODY ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const outcome = store.mint(body);
    if (outcome.ok) reply(200, { name: outcome.token.name });
    else reply(outcome.status, outcome.body);
  });
}
