/**
 * The stored record as both backends keep it: a flat map of string fields (a Redis hash, or a
 * Map in memory). Patches are checked and encoded here, records decoded and checked here, and
 * the expiry rule lives here, so that every backend stores exactly the same thing.
 */
import { StoreError } from '../protocol/errors.js';
import type { JsonValue } from '../protocol/messages.js';
import { checkHandle, checkJson, checkLedger, checkTranscript, utf8Length } from './validate.js';
import {
  DEFAULT_IDLE_TTL_MS,
  DEFAULT_MAX_PATCH_BYTES,
  HANDLE_TTL_MS,
  STORE_FORMAT_VERSION,
  type Lease,
  type SessionPatch,
  type StoreOptions,
  type StoredSession,
} from './types.js';

/** The fields of the stored map. */
export const FIELD = {
  version: 'v',
  owner: 'owner',
  fence: 'fence',
  leaseUntil: 'leaseUntil',
  handle: 'handle',
  handleAt: 'handleAt',
  ledger: 'ledger',
  transcript: 'transcript',
  tokens: 'tokens',
  callSeq: 'callSeq',
  updatedAt: 'updatedAt',
  expiresAt: 'expiresAt',
} as const;

/** Every field, in the order `load` reads them. */
export const ALL_FIELDS = Object.values(FIELD);

/** The data fields a patch may set or remove. */
const PATCH_KEYS = new Set(['handle', 'ledger', 'transcript', 'tokens', 'callSeq']);

/** A patch as the backends apply it: fields to set, fields to remove. */
export interface EncodedPatch {
  set: [field: string, value: string][];
  remove: string[];
  bytes: number;
}

/** The options every backend resolves the same way. */
export interface ResolvedStoreOptions {
  idleTtlMs: number;
  handleTtlMs: number;
  maxPatchBytes: number;
}

/** Checks and fills in a store's options. */
export function resolveStoreOptions(options: StoreOptions = {}): ResolvedStoreOptions {
  const resolved = {
    idleTtlMs: options.idleTtlMs ?? DEFAULT_IDLE_TTL_MS,
    handleTtlMs: options.handleTtlMs ?? HANDLE_TTL_MS,
    maxPatchBytes: options.maxPatchBytes ?? DEFAULT_MAX_PATCH_BYTES,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new StoreError('STORE_INVALID_ARGUMENT', `${name} must be a positive whole number of ms (or bytes), got ${String(value)}`);
    }
  }
  return resolved;
}

/** Checks a session id, an owner id and a lease length before anything is sent to a backend. */
export function checkAcquire(sessionId: unknown, ownerId: unknown, leaseMs: unknown): void {
  checkId('sessionId', sessionId);
  checkId('ownerId', ownerId);
  if (typeof leaseMs !== 'number' || !Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `leaseMs must be a positive whole number of ms, got ${String(leaseMs)}`, {
      sessionId: typeof sessionId === 'string' ? sessionId : undefined,
    });
  }
}

/** Checks that `lease` is a lease (plain data, as `acquire` returns it). */
export function checkLease(lease: unknown): void {
  const candidate = lease as { sessionId?: unknown; ownerId?: unknown; fence?: unknown; leaseMs?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null) throw new StoreError('STORE_INVALID_ARGUMENT', 'a lease must be the object acquire() returned');
  checkAcquire(candidate.sessionId, candidate.ownerId, candidate.leaseMs);
  if (typeof candidate.fence !== 'number' || !Number.isSafeInteger(candidate.fence) || candidate.fence <= 0) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `a lease's fence must be a positive whole number, got ${String(candidate.fence)}`);
  }
}

/** Checks a session id. */
export function checkSessionId(sessionId: unknown): void {
  checkId('sessionId', sessionId);
}

function checkId(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${name} must be a string of 1 to 512 characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`);
  }
}

/**
 * Checks a patch and encodes it as field strings. Refused whole, with `STORE_INVALID_ARGUMENT`
 * naming the path, if any part of it is not what the record keeps.
 */
export function encodePatch(sessionId: string, patch: SessionPatch, maxBytes: number): EncodedPatch {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'a patch must be an object', { sessionId });
  }
  const unknownKeys = Object.keys(patch).filter((key) => !PATCH_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `a patch has no field ${unknownKeys.map((k) => `'${k}'`).join(', ')} (only handle, ledger, transcript, tokens, callSeq)`, { sessionId });
  }
  const refuse = (issue: string) => new StoreError('STORE_INVALID_ARGUMENT', `patch.${issue}`, { sessionId });
  const encoded: EncodedPatch = { set: [], remove: [], bytes: 0 };
  const put = (field: string, value: string) => {
    encoded.set.push([field, value]);
    encoded.bytes += utf8Length(value);
  };
  if (patch.handle === null) encoded.remove.push(FIELD.handle, FIELD.handleAt);
  else if (patch.handle !== undefined) {
    const issue = checkHandle(patch.handle, 'handle');
    if (issue) throw refuse(issue);
    put(FIELD.handle, JSON.stringify({ handle: patch.handle.handle, issuedAt: patch.handle.issuedAt }));
    put(FIELD.handleAt, String(Math.floor(patch.handle.issuedAt)));
  }
  if (patch.ledger !== undefined) {
    const issue = checkLedger(patch.ledger, 'ledger');
    if (issue) throw refuse(issue);
    put(FIELD.ledger, JSON.stringify(patch.ledger));
  }
  if (patch.transcript !== undefined) {
    const issue = checkTranscript(patch.transcript, 'transcript');
    if (issue) throw refuse(issue);
    put(FIELD.transcript, JSON.stringify(patch.transcript));
  }
  if (patch.tokens === null) encoded.remove.push(FIELD.tokens);
  else if (patch.tokens !== undefined) {
    const issue = checkJson(patch.tokens, 'tokens');
    if (issue) throw refuse(issue);
    put(FIELD.tokens, JSON.stringify(patch.tokens));
  }
  if (patch.callSeq !== undefined) {
    if (!Number.isSafeInteger(patch.callSeq) || patch.callSeq < 0) throw refuse(`callSeq: must be a whole number ≥ 0, got ${String(patch.callSeq)}`);
    put(FIELD.callSeq, String(patch.callSeq));
  }
  if (encoded.bytes > maxBytes) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `the patch is ${encoded.bytes} bytes as JSON, over the store's limit of ${maxBytes}`, { sessionId });
  }
  return encoded;
}

/** When a record expires: two hours after its handle was issued, else `idleTtlMs` after now; never before its lease runs out. */
export function expiryOf(now: number, handleAt: number | undefined, leaseUntil: number, options: ResolvedStoreOptions): number {
  const base = handleAt === undefined ? now + options.idleTtlMs : handleAt + options.handleTtlMs;
  return Math.max(base, leaseUntil);
}

/** Reads a record from its fields, as of `now` on the store's clock. */
export function decodeRecord(sessionId: string, fields: Readonly<Record<string, string | undefined>>, now: number): StoredSession {
  const invalid = (reason: string, cause?: unknown) =>
    new StoreError('STORE_RECORD_INVALID', `the record of '${sessionId}' ${reason}`, { sessionId, cause });
  checkVersion(sessionId, fields[FIELD.version]);
  const number = (field: string): number => {
    const value = Number(fields[field] ?? '0');
    if (!Number.isSafeInteger(value)) throw invalid(`has a field '${field}' that is not a whole number`);
    return value;
  };
  const json = (field: string): JsonValue | undefined => {
    const text = fields[field];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw invalid(`has a field '${field}' that is not JSON`, error);
    }
  };
  const checked = <T>(value: JsonValue | undefined, check: (value: unknown, path: string) => string | undefined, field: string): T | undefined => {
    if (value === undefined) return undefined;
    const issue = check(value, field);
    if (issue) throw invalid(`does not hold what it should: ${issue}`);
    return value as T;
  };
  const owner = fields[FIELD.owner] ?? '';
  const leaseUntil = number(FIELD.leaseUntil);
  return {
    version: STORE_FORMAT_VERSION,
    sessionId,
    handle: checked(json(FIELD.handle), checkHandle, FIELD.handle),
    ledger: checked(json(FIELD.ledger), checkLedger, FIELD.ledger) ?? [],
    transcript: checked(json(FIELD.transcript), checkTranscript, FIELD.transcript) ?? [],
    tokens: json(FIELD.tokens),
    callSeq: fields[FIELD.callSeq] === undefined ? 0 : number(FIELD.callSeq),
    lease: owner === '' ? undefined : { ownerId: owner, fence: number(FIELD.fence), expiresAt: leaseUntil, live: leaseUntil > now },
    fence: number(FIELD.fence),
    updatedAt: number(FIELD.updatedAt),
    expiresAt: number(FIELD.expiresAt),
  };
}

/** Refuses a record of another format version with `STORE_RECORD_INVALID`. */
export function checkVersion(sessionId: string, version: string | undefined): void {
  if (version !== String(STORE_FORMAT_VERSION)) throw versionError(sessionId, version);
}

/** The error for a record of another format version. */
export function versionError(sessionId: string, version: string | undefined): StoreError {
  const found = version === undefined ? '(none)' : `'${version}'`;
  return new StoreError('STORE_RECORD_INVALID', `the record of '${sessionId}' has format version ${found}; this library reads version ${STORE_FORMAT_VERSION}`, {
    sessionId,
  });
}

/** Why a lease was refused, from what the record holds now. */
export function fencedReason(lease: Pick<Lease, 'sessionId' | 'fence'>, current: Readonly<Record<string, string | undefined>> | undefined): string {
  const base = `the lease of '${lease.sessionId}' with fence ${lease.fence} is not the current one`;
  if (current === undefined) return `${base}: the record is gone (expired or deleted)`;
  const owner = current[FIELD.owner] ?? '';
  if (owner === '') return `${base}: the session was released`;
  return `${base}: '${owner}' holds it with fence ${current[FIELD.fence] ?? '?'}`;
}
