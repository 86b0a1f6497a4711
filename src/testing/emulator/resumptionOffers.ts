/**
 * When a connection offers resumption handles, and whether they are resumable. The service says a
 * handle is `resumable: false` "while model executing function calls or just generating":
 * resuming it then loses data. So a connection offers a non-resumable update as the model starts
 * to generate and after a toolCall, and a resumable handle at the next resumption point
 * (setupComplete, turnComplete, a toolResponse that leaves nothing pending).
 */
import { resumptionUpdateFrame, type ServerMessage } from './frames.js';
import type { HandleStore } from './resumption.js';
import type { ConversationState } from './types.js';

/** What the offers need from their connection. */
export interface OfferingConnection {
  /** The connection's id: the issuer of the handles it offers. */
  readonly id: number;
  readonly handles: HandleStore;
  /** Whether setup asked for resumption updates. */
  wantsUpdates(): boolean;
  /** The conversation a handle issued now restores. */
  conversation(): ConversationState;
  /** Whether any tool call is still pending. */
  callsPending(): boolean;
  /** Sends one frame; false once the connection is closing. */
  send(message: ServerMessage): boolean;
}

/** The resumption updates of one connection. */
export class ResumptionOffers {
  private generating = false;
  private latest: string | undefined;

  constructor(private readonly connection: OfferingConnection) {}

  /** The most recent resumable handle offered. */
  get latestHandle(): string | undefined {
    return this.latest;
  }

  /**
   * Sends a `sessionResumptionUpdate`. Without a handle a fresh one is issued; a resumable handle
   * is registered so that a later setup can resume this conversation.
   */
  offer(handle: string | undefined, resumable: boolean): void {
    const { connection } = this;
    let newHandle = handle;
    if (resumable) {
      if (newHandle === undefined) newHandle = connection.handles.issue(connection.conversation(), connection.id);
      else connection.handles.register(newHandle, connection.conversation(), connection.id);
    }
    if (connection.send(resumptionUpdateFrame(newHandle, resumable)) && resumable) this.latest = newHandle;
  }

  /** A resumption point: resumable unless a call is pending. The model has stopped generating. */
  point(): void {
    this.generating = false;
    if (this.connection.wantsUpdates()) this.offer(undefined, !this.connection.callsPending());
  }

  /** The model starts to generate: the handle is not resumable until the next point. */
  modelGenerates(): void {
    if (this.generating) return;
    this.generating = true;
    if (this.connection.wantsUpdates()) this.offer(undefined, false);
  }

  /** A toolCall went out: not resumable until it is answered. */
  callsSent(): void {
    if (this.connection.wantsUpdates()) this.offer(undefined, false);
  }
}
