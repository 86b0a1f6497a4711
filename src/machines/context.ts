/**
 * The machine's context before anything has happened, and the settings a session gets by default.
 */
import { initialCounters } from './counters.js';
import type { SessionContext, SessionInput, SessionSettings } from './types.js';

/** Settings of a session created with no input: drop while gated, buffer 2 s while reconnecting. */
export const DEFAULT_SETTINGS: SessionSettings = {
  resumption: true,
  maxReconnectAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  stableAfterMs: 10_000,
  inputWhileGated: 'drop',
  inputWhileReconnecting: { buffer: { maxMs: 2_000 } },
  nonBlockingTools: [],
  gateNonBlocking: false,
  whileBlockingCall: 'gate',
  interactionStatus: false,
  sessionId: 'session',
  orphanedResults: 'asContext',
  dedupeWindowMs: 120_000,
  noDedupeTools: [],
  closeBeforeResume: true,
  resumeLoopWindowMs: 10_000,
  contentRoles: 'userOnly',
  activity: undefined,
};

/** The clock of a machine given none. */
const SYSTEM_CLOCK = { now: () => Date.now() };

/** A session's context before anything has happened. */
export function initialContext(input: SessionInput | undefined): SessionContext {
  const { clock = SYSTEM_CLOCK, ...settings } = input ?? {};
  return {
    settings: { ...DEFAULT_SETTINGS, ...settings },
    clock,
    generation: 0,
    openConnections: [],
    pending: {},
    batch: 0,
    activityOpen: false,
    userSpeaking: false,
    deferredActivity: [],
    heldContent: [],
    modelIdle: true,
    ledger: {},
    callSeq: 0,
    connectedAt: undefined,
    resumed: false,
    reconnectedAt: undefined,
    handleResumable: true,
    lastClose: undefined,
    restartReason: undefined,
    transcript: [],
    resumptionHandle: undefined,
    handleIsFresh: true,
    goAwayDeadline: undefined,
    reconnectAttempts: 0,
    lastError: undefined,
    gatedSince: undefined,
    closedBy: undefined,
    counters: initialCounters(),
  };
}
