/**
 * The options of `createLiveSession`, checked when the session is created: a session that cannot
 * run fails there, with an {@link InvalidOptionsError} that says which option and why, not later
 * as a mysterious close or a retry loop.
 */
import type { LiveConnectConfig } from '@google/genai';
import type { InspectionEvent, Observer } from 'xstate';
import { DEFAULT_SETTINGS } from '../machines/context.js';
import type { InputPolicy, SessionSettings } from '../machines/types.js';
import { InvalidOptionsError } from '../protocol/errors.js';
import type { LiveTransport } from '../protocol/transport.js';
import { transportFor, type SessionConnection } from './connectionOptions.js';
import type { ToolSchemaField } from '../tools/declarations.js';
import type { TelemetryOptions } from '../telemetry/instrumentSession.js';
import type { AnyTool } from '../tools/types.js';
import { resolveProfile, type ModelProfile, type ProfileSource, type ToolBehavior } from '../models/profiles.js';
import { refusalOf } from '../models/refusals.js';
import type { ModelRefusalError } from '../protocol/errors.js';
import { duration } from './durations.js';
import { checkTools } from './toolOptions.js';
import type { SessionStoreOptions } from './persistence.js';
import { resolveStore, type ResolvedStore } from './storeOptions.js';
import type { SessionStore } from '../store/types.js';
import { resolveActivity, type ActivityOption, type ResolvedActivity } from './activityOptions.js';

export type { SessionConnection } from './connectionOptions.js';

/** Options of `createLiveSession`. */
export type LiveSessionOptions = SessionConnection & {
  /** The tools the model may call; their declarations go into `setup.tools`. */
  tools?: readonly AnyTool[];
  /** Bound on one tool call (default 30 s); a tool's own `timeoutMs` wins. */
  toolTimeoutMs?: number;
  /**
   * Bound on a tool result's JSON, in bytes (default 1 MiB); a larger result is answered with a
   * `RESULT_TOO_LARGE` error response. A tool's own `maxResultBytes` wins.
   */
  maxToolResultBytes?: number;
  /**
   * Where tools whose schema is JSON Schema (zod, valibot, arktype, or `$schema`) are declared:
   * `'parametersJsonSchema'` (default), or `'parameters'`, converted to the OpenAPI subset, for
   * a model that ignores `parametersJsonSchema` (see docs/tools.md).
   */
  toolSchemaField?: ToolSchemaField;
  /** Bound on opening a connection until setup completes (default 15 s). */
  connectTimeoutMs?: number;
  /** Ask for resumption handles, so that a new connection resumes the conversation (default true). */
  resumption?: boolean;
  /**
   * Reconnect after a retryable close (1011, a network drop, an abnormal close), with full-jitter
   * backoff; `false` closes the session instead. Default `{ maxAttempts: 3 }` in a row: the count
   * resets once a connection has streamed for `stableAfterMs` (10 s).
   */
  reconnect?: false | { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; stableAfterMs?: number };
  /** Realtime input while a tool call is pending: `'drop'` (default) or a bounded buffer. */
  inputWhileGated?: InputPolicy;
  /** Realtime input between connections: default `{ buffer: { maxMs: 2000 } }`. */
  inputWhileReconnecting?: InputPolicy;
  /** Most inputs a buffer holds whatever their duration (default 1000). */
  maxBufferedInputs?: number;
  /** Close the gate for NON_BLOCKING tools too (default false: the mic keeps streaming). */
  gateNonBlockingTools?: boolean;
  /**
   * The model's profile: what it does with tools and input (see `gemini-live-fsm/models`). By
   * default the table's, found from `model`; fields given here override it. An unknown model gets
   * the conservative profile, and an `info` event says so.
   */
  modelProfile?: Partial<ModelProfile>;
  /**
   * What the user's input does while a BLOCKING call runs. `'gate'` (default): it is held (dropped
   * or buffered), so the call completes. `'interrupt'`, on a model whose input cancels the call
   * (3.8): it goes through, and the first input forwarded cancels the pending blocking calls (their
   * signals fire, no answer is ever sent, `toolCancelled` with `implicit: true`). Conversation
   * content interrupts only when it ends the turn (`turnComplete: true`); other content is held.
   * Refused on a model that closes the connection instead (1008).
   */
  whileBlockingCall?: 'gate' | 'interrupt';
  /**
   * This session's id: it names the idempotency keys its tools get, and the record a session store
   * keeps (default: a random one).
   */
  sessionId?: string;
  /**
   * What becomes of the outcome of a call whose connection was lost while its tool ran: it reaches
   * the conversation on the next connection as conversation content (`'asContext'`, default), or
   * is dropped (`'discard'`). Never a toolResponse for an id the new connection did not issue.
   */
  orphanedResults?: 'asContext' | 'discard';
  /**
   * How long after a reconnect a call the model makes again (same tool, same arguments) is taken
   * for its first run and gets that run's outcome instead of running twice (default 2 minutes).
   */
  dedupeWindowMs?: number;
  /**
   * A resumed connection that dies again this soon (1007 right after resuming, or the same close
   * twice) starts a fresh session seeded with the conversation so far (default 10 s).
   */
  resumeLoopWindowMs?: number;
  /** Any XState inspection observer, passed to `createActor`. One that throws is reported, never fatal. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Have every audio and video frame processed as a machine event, so that an inspector sees each
   * one (default false: frames forwarded while streaming take the fast lane, and only their
   * counts reach the snapshots' inspectors through `metrics()`).
   */
  inspectFrames?: boolean;
  /** OpenTelemetry spans and metrics (default: the global providers, a no-op without an SDK); `false` for none. */
  telemetry?: false | TelemetryOptions;
  /**
   * Keep the session in a store (`gemini-live-fsm/store`: in memory or Redis), so that another
   * process can carry it on: `connect()` takes the session's lease and puts back what the store
   * holds (the handle, the conversation, the tool-call ledger) before the first connection, every
   * change is written, and `close()` gives the lease back. Needs `sessionId`. See docs/scale-out.md.
   */
  store?: SessionStore;
  /** How the session holds its record in `store`: its owner id, lease, takeover, write interval. */
  storeOptions?: SessionStoreOptions;
  /**
   * Who brackets the user's speech, with a detector on the client (docs/activity.md):
   * `'vad'` (the session's detector sends activityStart, the pre-roll, the audio, activityEnd;
   * setup turns the server's detection off), `'manual'` (the app's `activityStart()` /
   * `activityEnd()`; setup turns it off), or `'server'` (the server detects; the detector only
   * feeds `speechStarted` / `speechStopped`). Or `{ mode, detector, segmenter, preRollMs }`.
   * Default: none (no actor, no speech events; activity signals as the app sends them).
   */
  activity?: ActivityOption;
};

const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BUFFERED_INPUTS = 1_000;

/** What a session runs with, once its options are checked. */
export interface ResolvedOptions {
  transport: LiveTransport;
  tools: readonly AnyTool[];
  /** The model's profile, and where it came from. */
  profile: ModelProfile;
  profileSource: ProfileSource;
  /** Each tool's behaviour as declared: its own, or the model's default. */
  behaviorOf(tool: AnyTool): ToolBehavior;
  /** What the model would refuse in this setup: `connect()` fails with it, before any socket. */
  refusal: ModelRefusalError | undefined;
  settings: SessionSettings;
  toolTimeoutMs: number;
  maxToolResultBytes: number | undefined;
  toolSchemaField: ToolSchemaField | undefined;
  connectTimeoutMs: number;
  maxBufferedInputs: number;
  /** The store the session is kept in, if any. */
  store: ResolvedStore | undefined;
  /** The activity actor's mode and input, with the `activity` option. */
  activity: ResolvedActivity | undefined;
}

function count(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidOptionsError(`${name} must be an integer of at least ${min}, got ${String(value)}`);
  }
  return value;
}

function policy(name: string, value: unknown, fallback: InputPolicy): InputPolicy {
  if (value === undefined) return fallback;
  if (value === 'drop') return value;
  const buffer = typeof value === 'object' && value !== null && 'buffer' in value ? value.buffer : undefined;
  const maxMs = typeof buffer === 'object' && buffer !== null && 'maxMs' in buffer ? buffer.maxMs : undefined;
  if (maxMs === undefined) throw new InvalidOptionsError(`${name} must be 'drop' or { buffer: { maxMs } }`);
  return { buffer: { maxMs: duration(`${name}.buffer.maxMs`, maxMs, 0) } };
}

/** An application's profile fields, checked where a wrong one would mislead the session. */
function profileOverride(value: unknown): Partial<ModelProfile> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new InvalidOptionsError('modelProfile must be an object of profile fields');
  const fields = value as Partial<ModelProfile>;
  if (fields.inputDuringBlockingCall !== undefined && fields.inputDuringBlockingCall !== 'closes1008' && fields.inputDuringBlockingCall !== 'cancelsCall') {
    throw new InvalidOptionsError("modelProfile.inputDuringBlockingCall must be 'closes1008' or 'cancelsCall'");
  }
  return fields;
}

function choice<const T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  throw new InvalidOptionsError(`${name} must be ${allowed.map((option) => `'${option}'`).join(' or ')}, got ${String(value)}`);
}

/** The session's id: the application's, or a random one. */
function sessionIdOf(value: unknown): string {
  if (value === undefined) return globalThis.crypto.randomUUID();
  if (typeof value !== 'string' || value === '' || value.length > 200) throw new InvalidOptionsError('sessionId must be a non-empty string (200 characters at most)');
  return value;
}

function schemaField(value: unknown): ToolSchemaField | undefined {
  if (value === undefined || value === 'parameters' || value === 'parametersJsonSchema') return value;
  throw new InvalidOptionsError(`toolSchemaField must be 'parameters' or 'parametersJsonSchema', got ${String(value)}`);
}

/** Checks the options and works out what the session runs with; throws {@link InvalidOptionsError}. */
export function resolveOptions(options: LiveSessionOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('createLiveSession needs an options object');
  const tools = checkTools(options.tools);
  const transport = transportFor(options);
  const reconnect = options.reconnect === false ? { maxAttempts: 0 } : (options.reconnect ?? {});
  if (typeof reconnect !== 'object' || reconnect === null) throw new InvalidOptionsError('reconnect must be false or an object');
  const { inspect } = options as { inspect?: unknown };
  const observer = typeof inspect === 'object' && inspect !== null && typeof Reflect.get(inspect, 'next') === 'function';
  if (inspect !== undefined && typeof inspect !== 'function' && !observer) {
    throw new InvalidOptionsError('inspect must be a function or an observer with next()');
  }
  const { profile, source: profileSource } = resolveProfile(options.model, profileOverride(options.modelProfile));
  const behaviorOf = (tool: AnyTool): ToolBehavior => tool.behavior ?? profile.defaultBehavior;
  const whileBlockingCall = options.whileBlockingCall ?? 'gate';
  if (whileBlockingCall !== 'gate' && whileBlockingCall !== 'interrupt') {
    throw new InvalidOptionsError(`whileBlockingCall must be 'gate' or 'interrupt', got ${String(whileBlockingCall)}`);
  }
  if (whileBlockingCall === 'interrupt' && profile.inputDuringBlockingCall === 'closes1008') {
    throw new InvalidOptionsError(
      `whileBlockingCall 'interrupt' cannot work on ${profile.name}: input during a blocking call closes the connection with 1008 there`,
    );
  }
  const activity = resolveActivity(options.activity, (options as { config?: LiveConnectConfig }).config);
  const refusal = refusalOf(profile, {
    model: options.model ?? profile.name,
    config: options.config,
    tools: tools.map((tool) => ({ name: tool.name, behavior: behaviorOf(tool) })),
  });
  const settings: SessionSettings = {
    resumption: options.resumption ?? DEFAULT_SETTINGS.resumption,
    maxReconnectAttempts: count('reconnect.maxAttempts', reconnect.maxAttempts, DEFAULT_SETTINGS.maxReconnectAttempts, 0),
    baseDelayMs: duration('reconnect.baseDelayMs', reconnect.baseDelayMs, DEFAULT_SETTINGS.baseDelayMs, { zero: true }),
    maxDelayMs: duration('reconnect.maxDelayMs', reconnect.maxDelayMs, DEFAULT_SETTINGS.maxDelayMs, { zero: true }),
    stableAfterMs: duration('reconnect.stableAfterMs', reconnect.stableAfterMs, DEFAULT_SETTINGS.stableAfterMs, { zero: true }),
    inputWhileGated: policy('inputWhileGated', options.inputWhileGated, DEFAULT_SETTINGS.inputWhileGated),
    inputWhileReconnecting: policy('inputWhileReconnecting', options.inputWhileReconnecting, DEFAULT_SETTINGS.inputWhileReconnecting),
    nonBlockingTools: tools.filter((tool) => behaviorOf(tool) === 'NON_BLOCKING').map((tool) => tool.name),
    whileBlockingCall,
    interactionStatus: profile.reportsInteractionStatus,
    sessionId: sessionIdOf(options.sessionId),
    orphanedResults: choice('orphanedResults', options.orphanedResults, ['asContext', 'discard'] as const, DEFAULT_SETTINGS.orphanedResults),
    dedupeWindowMs: duration('dedupeWindowMs', options.dedupeWindowMs, DEFAULT_SETTINGS.dedupeWindowMs),
    noDedupeTools: tools.filter((tool) => tool.dedupe === false).map((tool) => tool.name),
    closeBeforeResume: profile.closeBeforeResume,
    resumeLoopWindowMs: duration('resumeLoopWindowMs', options.resumeLoopWindowMs, DEFAULT_SETTINGS.resumeLoopWindowMs),
    contentRoles: profile.contentRoles,
    gateNonBlocking: options.gateNonBlockingTools ?? DEFAULT_SETTINGS.gateNonBlocking,
    activity: activity?.mode,
  };
  return {
    transport,
    tools,
    profile,
    profileSource,
    behaviorOf,
    refusal,
    settings,
    toolTimeoutMs: duration('toolTimeoutMs', options.toolTimeoutMs, DEFAULT_TOOL_TIMEOUT_MS),
    maxToolResultBytes: options.maxToolResultBytes === undefined ? undefined : count('maxToolResultBytes', options.maxToolResultBytes, 0, 1),
    toolSchemaField: schemaField(options.toolSchemaField),
    connectTimeoutMs: duration('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    maxBufferedInputs: count('maxBufferedInputs', options.maxBufferedInputs, DEFAULT_MAX_BUFFERED_INPUTS, 1),
    store: resolveStore(options.store, options.storeOptions, options.sessionId),
    activity,
  };
}
