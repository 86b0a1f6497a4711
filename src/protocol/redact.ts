/**
 * Keeps credentials out of what the session reports. The SDK puts the API key or the ephemeral
 * token in the WebSocket URL (`?key=…`, `?access_token=auth_tokens/…`), and an error that quotes
 * that URL would carry it into events, logs and inspectors: everything the transports report
 * passes through here first.
 */

/** What replaces a secret. */
export const REDACTED = '[redacted]';

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  // A credential in a query string, however the URL was quoted.
  [/([?&](?:key|access_token|api_key)=)[^&\s'"`<>]+/gi, `$1${REDACTED}`],
  // An ephemeral token's name wherever it stands.
  [/auth_tokens\/[^\s'"`<>&?#/]+/g, `auth_tokens/${REDACTED}`],
  // A Google API key (`AIza` and 35 more characters).
  [/AIza[0-9A-Za-z_-]{35}/g, REDACTED],
];

/**
 * `text` with every credential taken out: the `secrets` given (exact strings, e.g. the token
 * in use), credentials in query strings, ephemeral token names and Google API keys.
 *
 * @example
 * ```ts
 * redactSecrets('failed: wss://host/ws?access_token=auth_tokens/abc'); // 'failed: wss://host/ws?access_token=[redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A plain `Error` carrying only the redacted message of `value` (an Error, a string, an event…).
 * The original is dropped, not kept as `cause`: an SDK error or a browser `Event` may hold the URL
 * (a socket's `url`) in places no redaction of the message reaches.
 */
export function redactedError(value: unknown, secrets: readonly string[] = []): Error {
  const error = new Error(redactSecrets(messageOf(value), secrets));
  if (value instanceof Error && value.name !== 'Error') error.name = value.name;
  // A system error's code (ECONNREFUSED, ENOTFOUND) says what happened and holds no secret.
  const code = errorCode(value);
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

function errorCode(value: unknown): string | undefined {
  const source = typeof value === 'object' && value !== null && 'error' in value && value.error instanceof Error ? value.error : value;
  const code = typeof source === 'object' && source !== null && 'code' in source ? source.code : undefined;
  return typeof code === 'string' && /^[A-Z_0-9]{2,32}$/.test(code) ? code : undefined;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message || value.name;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { message, error } = value as { message?: unknown; error?: unknown };
    if (error instanceof Error) return messageOf(error);
    if (typeof message === 'string') return message;
  }
  return 'WebSocket error';
}
