/**
 * What an emulator connection shares with its emulator, and the small types of its API (wait
 * options, refusals). Kept apart so the connection's modules stay small.
 */
import type { ModelProfile } from '../../models/index.js';
import type { CloseSpec } from './closes.js';
import type { HandleStore } from './resumption.js';
import type { TokenGate } from './tokens.js';
import type { ClientFrame, EmulatorEvent, EmulatorStats } from './types.js';

/** What a connection shares with its emulator. Built by `startLiveEmulator`. */
export interface ConnectionContext {
  id: number;
  /** The request path, e.g. `//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=…`. */
  path: string;
  /** `v1beta`, `v1`, `v1alpha`… as read from the path. */
  apiVersion: string;
  graceMs: number;
  callIds: boolean;
  audioChunkMs: number;
  handles: HandleStore;
  /** On the constrained endpoint (ephemeral tokens): the token's checks. */
  tokenGate?: TokenGate | undefined;
  stats: EmulatorStats;
  /** Fields over the table's profile of the model in setup (`LiveEmulatorOptions.modelProfile`). */
  modelProfile?: Partial<ModelProfile> | undefined;
  /** Emulator-wide, so that no two connections ever share a call id. */
  nextCallId(): string;
  /** Told of each client frame, after it is recorded. */
  onFrame?(frame: ClientFrame): void;
  /** Told of what the connection does by the model's rules (see {@link EmulatorEvent}). */
  onEvent?(event: EmulatorEvent): void;
  /** Whether this connection's setup waits for `completeSetup()`. */
  holdSetup?(): boolean;
  /** Closes the connection this long after setupComplete, `1011 Deadline expired…`. */
  ageLimitMs?: number | undefined;
  /** Why a setup that resumes the known `handle` is refused, if it is. */
  resumeRefusal?(handle: string): { close: CloseSpec; problem: string } | undefined;
  /** Refuse activity signals under automatic activity detection (`LiveEmulatorOptions.strictActivity`). */
  strictActivity?: boolean;
}

/** Options of `waitForMessage`. */
export interface WaitOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Index into `frames` to start looking from; default 0 (past frames count). */
  fromFrame?: number;
}

/** Why the emulator refused a frame. */
export interface Refusal extends CloseSpec {
  /** A human description for test failures (not sent on the wire). */
  problem: string;
  /**
   * For a field the model refuses, the field as the session's `ModelRefusalError.field` names it
   * (`proactivity.proactiveAudio`, `tools.<name>.behavior`…).
   */
  field?: string;
}
