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

/** Issued handles and the conversation snapshot each one restores. */
export class HandleStore {
  private readonly states = new Map<string, ConversationState>();
  private issued = 0;

  /** Issues a new handle for a snapshot of `state`. */
  issue(state: ConversationState): string {
    this.issued += 1;
    const handle = `handle-${this.issued}`;
    this.states.set(handle, copy(state));
    return handle;
  }

  /** Registers a handle chosen by a script. */
  register(handle: string, state: ConversationState): void {
    this.states.set(handle, copy(state));
  }

  /** Whether `handle` was issued or registered. */
  has(handle: string): boolean {
    return this.states.has(handle);
  }

  /** A copy of the conversation saved under `handle`, so resuming twice starts from the same point. */
  restore(handle: string): ConversationState | undefined {
    const state = this.states.get(handle);
    return state && copy(state);
  }
}
