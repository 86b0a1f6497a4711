/**
 * The session as a store keeps it, and back: the machine's ledger and transcript as the store's
 * plain JSON, and a stored record as the `session.restore` event that puts it back before the
 * first connection. Pure functions; what is stored when is `persistence.ts`'s business.
 */
import type { LedgerEntry, Ledger } from '../machines/ledger/entries.js';
import { CALL_MOVES, type CallState } from '../machines/ledger/lifecycle.js';
import type { SessionRestoreEvent, ToolOutcome, TranscriptLine } from '../machines/types.js';
import { ToolError, type ToolErrorCode } from '../protocol/errors.js';
import type { JsonObject, JsonValue } from '../protocol/messages.js';
import { HANDLE_TTL_MS, type StoredLedgerEntry, type StoredSession, type StoredTranscriptEntry } from '../store/types.js';

/**
 * The longest outcome kept whole, as JSON characters. A longer one is kept as its first
 * {@link QUOTED_CHARS} characters (what a context turn quotes anyway), so that a few large
 * results never push the ledger over the store's limit on a patch.
 */
export const MAX_STORED_OUTCOME_CHARS = 64 * 1024;
const QUOTED_CHARS = 4_000;

/**
 * How long before its two hours are up a stored handle is no longer tried: a resume takes a
 * connection and a setup, and a handle that runs out on the way fails the connection (and the
 * store drops the record, transcript and all, when the two hours are up).
 */
export const RESUME_MARGIN_MS = 60_000;

const TOOL_ERROR_CODES: readonly ToolErrorCode[] = ['TOOL_THREW', 'TOOL_TIMEOUT', 'UNKNOWN_TOOL', 'INVALID_ARGS', 'INVALID_RESULT', 'RESULT_TOO_LARGE', 'EXECUTOR_FAILED'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An outcome as JSON: a result as it is (cut short past the bound), an error as its code and reason. */
function storedOutcome(outcome: ToolOutcome): JsonObject {
  if (outcome.status === 'error') return { status: 'error', error: { code: outcome.error.code, reason: outcome.error.reason } };
  const json = JSON.stringify(outcome.output) ?? 'null';
  if (json.length <= MAX_STORED_OUTCOME_CHARS) return { status: 'ok', output: outcome.output };
  return { status: 'ok', output: `${json.slice(0, QUOTED_CHARS)}…`, truncated: true };
}

/** One ledger entry as the store keeps it. */
export function storedEntry(entry: LedgerEntry): StoredLedgerEntry {
  const stored: StoredLedgerEntry = {
    key: entry.key,
    name: entry.name,
    // The server's arguments are a JSON object (a Struct); anything else is not a call the store can replay.
    args: isObject(entry.args) ? (entry.args as JsonObject) : {},
    state: entry.state,
    idempotencyKey: entry.idempotencyKey,
    startedAt: entry.startedAt,
  };
  if (entry.id !== undefined) stored['id'] = entry.id;
  if (entry.endedAt !== undefined) stored.settledAt = entry.endedAt;
  if (entry.outcome !== undefined) stored['outcome'] = storedOutcome(entry.outcome);
  if (entry.sameAs !== undefined) stored['sameAs'] = entry.sameAs;
  return stored;
}

/** The machine's ledger as the store keeps it, oldest call first. */
export function storedLedger(ledger: Ledger): StoredLedgerEntry[] {
  return Object.values(ledger)
    .sort((a, b) => a.startedAt - b.startedAt)
    .map(storedEntry);
}

/** When each line was first seen as it is now (a line the model goes on saying is a new object each time). */
export type LineTimes = WeakMap<TranscriptLine, number>;

/** The machine's transcript as the store keeps it; `times` remembers when each line was first seen. */
export function storedTranscript(transcript: readonly TranscriptLine[], times: LineTimes, now: number): StoredTranscriptEntry[] {
  return transcript.map((line) => {
    let at = times.get(line);
    if (at === undefined) {
      at = now;
      times.set(line, at);
    }
    return line.role === 'tool' ? { role: 'tool', outcome: line.text, at } : { role: line.role, text: line.text, at };
  });
}

/**
 * Whether the transcript changed in a way worth a write: a line was finished or added, or the
 * oldest went. A line still being said is written with the next such change, not on every chunk.
 */
export function transcriptSettled(previous: readonly TranscriptLine[], next: readonly TranscriptLine[]): boolean {
  if (previous === next) return false;
  // The same number of lines and the same first one (of two or more): only the last one grew.
  if (previous.length !== next.length || (next.length >= 2 && previous[0] !== next[0])) return true;
  const last = next.at(-1);
  return last !== undefined && last.done && previous.at(-1)?.done !== true;
}

/** A stored outcome back as the machine's, or `undefined` if it is not one. */
function restoredOutcome(value: unknown, call: { name: string; id?: string | undefined }): ToolOutcome | undefined {
  if (!isObject(value)) return undefined;
  if (value['status'] === 'ok' && 'output' in value) return { status: 'ok', output: value['output'] as JsonValue };
  const error = value['error'];
  if (value['status'] !== 'error' || !isObject(error) || typeof error['reason'] !== 'string') return undefined;
  const code = TOOL_ERROR_CODES.find((known) => known === error['code']) ?? 'TOOL_THREW';
  return { status: 'error', error: new ToolError(code, error['reason'], call) };
}

const CALL_STATES = Object.keys(CALL_MOVES) as CallState[];

/** A stored ledger entry back as the machine's (of no connection of this process), or `undefined` if it is not one. */
export function restoredEntry(stored: StoredLedgerEntry, now: number): LedgerEntry | undefined {
  const state = CALL_STATES.find((known) => known === stored.state);
  if (state === undefined) return undefined;
  const id = typeof stored['id'] === 'string' ? stored['id'] : undefined;
  const outcome = stored['outcome'] === undefined ? undefined : restoredOutcome(stored['outcome'], { name: stored.name, id });
  const startedAt = typeof stored['startedAt'] === 'number' ? stored['startedAt'] : now;
  return {
    key: stored.key,
    id,
    name: stored.name,
    args: stored.args,
    generation: 0,
    state,
    idempotencyKey: stored.idempotencyKey,
    startedAt,
    endedAt: stored.settledAt,
    outcome,
    sameAs: typeof stored['sameAs'] === 'string' ? stored['sameAs'] : undefined,
  };
}

/** A stored transcript back as the machine's lines, each finished. */
export function restoredTranscript(entries: readonly StoredTranscriptEntry[]): TranscriptLine[] {
  return entries.map((entry) =>
    entry.role === 'tool'
      ? { role: 'tool', text: typeof entry.outcome === 'string' ? entry.outcome : JSON.stringify(entry.outcome), done: true }
      : { role: entry.role, text: entry.text, done: true },
  );
}

/** Whether a record holds anything to carry on (a new record holds nothing). */
export function holdsSession(record: StoredSession): boolean {
  return record.handle !== undefined || record.ledger.length > 0 || record.transcript.length > 0 || record.callSeq > 0;
}

/**
 * The event that puts a stored session back: resume its handle if it is less than two hours old
 * (less {@link RESUME_MARGIN_MS}, and the session resumes at all), else start fresh, seeded with
 * the transcript.
 */
export function restoreEvent(record: StoredSession, options: { now: number; resumption: boolean }): SessionRestoreEvent {
  const { handle } = record;
  const usable = handle !== undefined && options.now - handle.issuedAt < HANDLE_TTL_MS - RESUME_MARGIN_MS && options.resumption;
  const transcript = restoredTranscript(record.transcript);
  const why =
    handle === undefined
      ? 'no resumable handle was stored'
      : !options.resumption
        ? 'resumption is off'
        : `the stored handle is ${Math.round((options.now - handle.issuedAt) / 60_000)} minutes old`;
  return {
    type: 'session.restore',
    resumptionHandle: usable ? handle.handle : undefined,
    // A fresh start is only worth a reason (and a seed) when there is a conversation to carry on.
    freshReason: usable || transcript.length === 0 ? undefined : `carried on from another process: ${why}`,
    transcript,
    ledger: record.ledger.flatMap((stored) => restoredEntry(stored, options.now) ?? []),
    callSeq: record.callSeq,
  };
}
