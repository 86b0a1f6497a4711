/**
 * What a resume may lose. A session resumes with a handle the server issued at some point of
 * the conversation: whatever the session sent since (answers, conversation content) is not in the
 * resumed session. After a lost connection there is no choice (the ledger then carries the calls
 * left unanswered). After a goAway the session chooses the moment: at a turn boundary, nothing it
 * sent since the handle may be left behind; only when `goAway.due` forces it out with a stale
 * handle may it be, and then it says so (`resumptionHandleStale`).
 */
import type { ScriptedTransport } from '../../src/testing/index.js';
import { fail } from './calls.js';
import type { Ledger } from './ledger.js';
import type { HandleIssued } from './server.js';

/** Follows the session's reconnects, and checks each new connection's handle when a goAway chose the moment. */
export class ResumeWatch {
  /** Why the session is leaving its connection now: a goAway (stale or not), or anything else. */
  private leaving: 'goAway' | 'goAwayStale' | 'other' | undefined;
  /** Frames on the wire when it left (what goes out on an old connection kept open after is that connection's own). */
  private leftAt = 0;
  private checked = 0;

  reconnecting(cause: 'goAway' | 'connectionLost', framesSoFar: number): void {
    this.leaving = cause === 'goAway' ? 'goAway' : 'other';
    this.leftAt = framesSoFar;
  }

  handleStale(): void {
    if (this.leaving === 'goAway') this.leaving = 'goAwayStale';
  }

  /** Checks every connection opened since the last call. */
  follow(transport: ScriptedTransport, ledger: Ledger, handles: ReadonlyMap<string, HandleIssued>): void {
    for (; this.checked < transport.connections.length; this.checked += 1) {
      const connection = transport.connections[this.checked];
      const handle = connection?.request.resumptionHandle;
      const leaving = this.leaving;
      this.leaving = undefined;
      if (!connection || handle === undefined || leaving !== 'goAway') continue;
      const issued = handles.get(handle);
      if (!issued) fail('I2', `connection ${connection.index} resumed with ${handle}, which the server never issued`);
      const since = ledger.conversation.filter((frame) => frame.seq >= issued.framesSoFar && frame.seq < this.leftAt && frame.connection < connection.index);
      if (since.length > 0) {
        fail('I2', `a goAway's resume at a turn boundary left behind what was sent since handle ${handle}: frames ${since.map((frame) => `#${frame.seq} on ${frame.connection}`)}`);
      }
    }
  }
}
