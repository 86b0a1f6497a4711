/**
 * Session resumption: the handles the emulator has issued and the conversation each restores.
 * Shared by all connections of one emulator, as the real service shares them across sockets.
 */
import type { ConversationState } from './types.js';

/** A fresh, empty conversation. */
export function emptyConversation(): ConversationState {
  return { turns: 0, transcript: [] };
}

function copy(state: ConversationState): ConversationState {
  return { turns: state.turns, transcript: state.transcript.map((entry) => ({ ...entry })) };
}

/** How long the real service keeps a resumption handle: 2 hours. */
export const DEFAULT_HANDLE_TTL_MS = 2 * 60 * 60 * 1000;

/**
 * Issued handles and the conversation snapshot each one restores. A handle expires `ttlMs` after
 * it was issued; resuming it then fails as an unknown one does (1008 session not found).
 */
export class HandleStore {
  private readonly states = new Map<string, { state: ConversationState; expiresAt: number; issuer: number | undefined }>();
  private issued = 0;

  constructor(
    private readonly ttlMs = DEFAULT_HANDLE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Issues a new handle for a snapshot of `state`, offered by connection `issuer`. */
  issue(state: ConversationState, issuer?: number): string {
    this.issued += 1;
    const handle = `handle-${this.issued}`;
    this.register(handle, state, issuer);
    return handle;
  }

  /** Registers a handle chosen by a script. */
  register(handle: string, state: ConversationState, issuer?: number): void {
    this.states.set(handle, { state: copy(state), expiresAt: this.now() + this.ttlMs, issuer });
  }

  /** The connection that offered `handle`, if known. */
  issuerOf(handle: string): number | undefined {
    return this.states.get(handle)?.issuer;
  }

  /** Whether `handle` was issued or registered, and has not expired. */
  has(handle: string): boolean {
    const entry = this.states.get(handle);
    return entry !== undefined && this.now() < entry.expiresAt;
  }

  /** A copy of the conversation saved under `handle`, so resuming twice starts from the same point. */
  restore(handle: string): ConversationState | undefined {
    const entry = this.states.get(handle);
    return entry && this.has(handle) ? copy(entry.state) : undefined;
  }
}
