/**
 * Checks of what a session record holds. Each returns the first issue as `path: what is wrong`,
 * or `undefined`: the same checks refuse a bad patch before it is written and a corrupt record
 * when it is read.
 */

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describeValue = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/**
 * Whether `value` is JSON that survives a round trip unchanged: null, booleans, finite numbers,
 * strings, arrays and plain objects of those. An object property whose value is `undefined` is
 * allowed (JSON leaves it out, as an absent optional field); anywhere else it is not.
 */
export function checkJson(value: unknown, path: string, seen: Set<object> = new Set()): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path}: ${value} is not a finite number`;
  if (typeof value !== 'object') return `${path}: ${describeValue(value)} is not JSON`;
  if (seen.has(value)) return `${path}: refers back to itself`;
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        const issue = checkJson(value[i], `${path}[${i}]`, seen);
        if (issue) return issue;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return `${path}: a ${value.constructor?.name ?? 'class instance'} is not plain JSON`;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      const issue = checkJson(item, `${path}.${key}`, seen);
      if (issue) return issue;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

const checkTime = (value: unknown, path: string): string | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : `${path}: must be a time in ms since the epoch, got ${describeValue(value)}`;

/** A handle: a non-empty string and the time it was issued. */
export function checkHandle(value: unknown, path: string): string | undefined {
  if (!isObject(value)) return `${path}: must be { handle, issuedAt }, got ${describeValue(value)}`;
  if (typeof value['handle'] !== 'string' || value['handle'].length === 0) return `${path}.handle: must be a non-empty string`;
  return checkTime(value['issuedAt'], `${path}.issuedAt`);
}

/** The ledger: entries with a string key, name, state and idempotency key, object args, and JSON elsewhere. */
export function checkLedger(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path}: must be an array, got ${describeValue(value)}`;
  for (let i = 0; i < value.length; i += 1) {
    const entry: unknown = value[i];
    const at = `${path}[${i}]`;
    if (!isObject(entry)) return `${at}: must be an object, got ${describeValue(entry)}`;
    for (const field of ['key', 'name', 'state', 'idempotencyKey']) {
      if (typeof entry[field] !== 'string') return `${at}.${field}: must be a string, got ${describeValue(entry[field])}`;
    }
    if (!isObject(entry['args'])) return `${at}.args: must be an object, got ${describeValue(entry['args'])}`;
    if (entry['settledAt'] !== undefined) {
      const issue = checkTime(entry['settledAt'], `${at}.settledAt`);
      if (issue) return issue;
    }
    const issue = checkJson(entry, at);
    if (issue) return issue;
  }
  return undefined;
}

/** The transcript: turns of the user or the model, and tool outcomes. */
export function checkTranscript(value: unknown, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path}: must be an array, got ${describeValue(value)}`;
  for (let i = 0; i < value.length; i += 1) {
    const entry: unknown = value[i];
    const at = `${path}[${i}]`;
    if (!isObject(entry)) return `${at}: must be an object, got ${describeValue(entry)}`;
    const role = entry['role'];
    if (role === 'user' || role === 'model') {
      if (typeof entry['text'] !== 'string') return `${at}.text: must be a string, got ${describeValue(entry['text'])}`;
    } else if (role === 'tool') {
      if (entry['outcome'] === undefined) return `${at}.outcome: is missing`;
    } else {
      return `${at}.role: must be 'user', 'model' or 'tool', got ${typeof role === 'string' ? `'${role}'` : describeValue(role)}`;
    }
    const issue = checkTime(entry['at'], `${at}.at`) ?? checkJson(entry, at);
    if (issue) return issue;
  }
  return undefined;
}

const NON_ASCII = /[^\u0020-\u007e]/u;

/** The length of `text` in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  // What a store writes is JSON, mostly printable ASCII: one byte a character, found by one
  // native scan. Anything else (control characters included) is counted one by one.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point of four bytes
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}
