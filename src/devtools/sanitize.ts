/**
 * Turns whatever an inspector sees (events, contexts, errors, actor refs) into plain JSON that is
 * small and safe to send: audio bytes become a length, functions vanish, cycles and depth are cut.
 * It never throws, so inspecting can never break a session.
 */

/** A JSON value. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Options of {@link sanitize}. */
export interface SanitizeOptions {
  /** Deeper values become `'[…]'` (default 8). */
  maxDepth?: number;
  /** Longer arrays are cut, with a note of how many items were left out (default 50). */
  maxItems?: number;
}

/**
 * A JSON-safe copy of `value`: byte arrays become `'[Uint8Array 640 bytes]'`, functions are left
 * out, errors keep their name, message and code, actor refs become `'[actor id]'`.
 *
 * @example
 * ```ts
 * sanitize({ type: 'input.audio', data: new Uint8Array(640) });
 * // { type: 'input.audio', data: '[Uint8Array 640 bytes]' }
 * ```
 */
export function sanitize(value: unknown, options: SanitizeOptions = {}): Plain {
  const maxDepth = options.maxDepth ?? 8;
  const maxItems = options.maxItems ?? 50;
  const seen = new WeakSet<object>();

  const visit = (v: unknown, depth: number): Plain | undefined => {
    if (v === null) return null;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) ? v : String(v);
      case 'bigint':
        return v.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    const object = v as object;
    if (ArrayBuffer.isView(object)) return `[${object.constructor.name} ${object.byteLength} bytes]`;
    if (object instanceof ArrayBuffer) return `[ArrayBuffer ${object.byteLength} bytes]`;
    if (isActorRef(object)) return `[actor ${object.id}]`;
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (seen.has(object)) return '[Circular]';
    if (depth >= maxDepth) return '[…]';
    seen.add(object);
    try {
      if (object instanceof Error) return errorFields(object, (x) => visit(x, depth + 1));
      if (Array.isArray(object) || object instanceof Set) {
        const items = [...(object as Iterable<unknown>)];
        const out = items.slice(0, maxItems).map((item) => visit(item, depth + 1) ?? null);
        if (items.length > maxItems) out.push(`[… ${items.length - maxItems} more]`);
        return out;
      }
      const entries = object instanceof Map ? [...object.entries()].map(([k, x]) => [String(k), x] as const) : Object.entries(object);
      const out: { [key: string]: Plain } = {};
      for (const [key, item] of entries) {
        const plain = visit(item, depth + 1);
        if (plain !== undefined) out[key] = plain;
      }
      return out;
    } finally {
      // A value seen twice without a cycle (a shared object) is shown both times.
      seen.delete(object);
    }
  };

  try {
    return visit(value, 0) ?? null;
  } catch (error) {
    // A getter that throws, a revoked proxy: say so instead of failing the inspection.
    return `[unserialisable: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

function isActorRef(value: object): value is { id: string } {
  const candidate = value as { sessionId?: unknown; id?: unknown; send?: unknown };
  return typeof candidate.sessionId === 'string' && typeof candidate.id === 'string' && typeof candidate.send === 'function';
}

function errorFields(error: Error, visit: (value: unknown) => Plain | undefined): Plain {
  const out: { [key: string]: Plain } = { name: error.name, message: error.message };
  for (const key of ['code', 'reason', 'retryable', 'kind', 'closeCode', 'toolName', 'callId'] as const) {
    const plain = visit((error as unknown as Record<string, unknown>)[key]);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

/**
 * A session event made safe for an inspector: `sanitize`, keeping the `type` (and its other
 * fields) so that tools expecting an event object still get one.
 */
export function sanitizeEvent<E extends { type: string }>(event: E): { type: string } & { [key: string]: Plain } {
  const plain = sanitize(event);
  return plain && typeof plain === 'object' && !Array.isArray(plain) ? { ...plain, type: event.type } : { type: event.type };
}

/** A machine context made safe for an inspector. */
export function sanitizeContext(context: unknown): { [key: string]: Plain } {
  const plain = sanitize(context);
  return plain && typeof plain === 'object' && !Array.isArray(plain) ? plain : {};
}
