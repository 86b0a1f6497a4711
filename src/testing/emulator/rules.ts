/**
 * What the emulator lets through, and how it refuses the rest: the same close codes and reason
 * texts as the real service (docs/protocol.md).
 */
import { CLOSE_REASONS, type CloseSpec } from './closes.js';
import { checkDeclarations } from './declarations.js';
import type { ParsedFrame } from './frames.js';
import type { ToolCallLedger } from './toolCalls.js';
import type { SetupBody } from './types.js';

export { CLOSE_REASONS, GO_AWAY_DEADLINE, type CloseSpec } from './closes.js';

/** The state a frame is judged against. */
export interface RuleContext {
  setupDone: boolean;
  ledger: ToolCallLedger;
  /** Arrival time of the frame, in `performance.now()` ms. */
  now: number;
  graceMs: number;
  isKnownHandle(handle: string): boolean;
  /**
   * On the constrained endpoint: why this setup may not open the connection with its token
   * (`resume`: it resumes a known session), or undefined.
   */
  authorize?(setup: SetupBody, resume: boolean): { close: CloseSpec; problem: string } | undefined;
}

/** What to do with one client frame. */
export type Verdict =
  | { kind: 'reject'; close: CloseSpec; problem: string }
  | { kind: 'setup'; resume: string | undefined }
  /** `tolerated`: it broke the tool-call rule but arrived within the grace window. */
  | { kind: 'realtimeInput'; tolerated: boolean }
  /** `keys` are the calls answered; `late` counts answers to calls cancelled within the grace window. */
  | { kind: 'toolResponse'; keys: string[]; late: number }
  | { kind: 'other' };

function reject(close: CloseSpec, problem: string): Verdict {
  return { kind: 'reject', close, problem };
}

/**
 * Judges one client frame.
 *
 * The grace window: realtime input that arrives less than `graceMs` after the tool call that
 * closed the gate was written is tolerated, because the client may have sent it before that tool
 * call reached it (frames in flight cross on the wire). Measured from the server's send to the
 * server's receipt, so it also absorbs loopback latency and a client's same-tick batch.
 *
 * `clientContent` is allowed while a tool call is pending: it is ordered conversation content,
 * not streamed input, and refusing it would make the emulator stricter than the service is known
 * to be (no recording or documented close covers it).
 */
export function judge(parsed: ParsedFrame, context: RuleContext): Verdict {
  if (!parsed.ok) return reject(CLOSE_REASONS.invalidArgument, parsed.problem);
  const { message } = parsed;
  if (!context.setupDone) {
    if (!message.setup) return reject(CLOSE_REASONS.invalidArgument, 'the first message must be setup');
    const badDeclaration = checkDeclarations(message.setup.tools);
    if (badDeclaration) return reject(badDeclaration.close, badDeclaration.problem);
    const handle = message.setup.sessionResumption?.handle;
    const refused = context.authorize?.(message.setup, handle !== undefined && handle !== '' && context.isKnownHandle(handle));
    if (refused) return reject(refused.close, refused.problem);
    if (handle !== undefined && handle !== '' && !context.isKnownHandle(handle)) {
      return reject(CLOSE_REASONS.sessionNotFound, `unknown resumption handle ${handle}`);
    }
    return { kind: 'setup', resume: handle === '' ? undefined : handle };
  }
  if (message.setup) return reject(CLOSE_REASONS.invalidArgument, 'setup was already sent');
  if (message.realtimeInput) {
    const { ledger, now, graceMs } = context;
    if (!ledger.gating) return { kind: 'realtimeInput', tolerated: false };
    const since = ledger.gateClosedAt ?? now;
    if (now - since < graceMs) return { kind: 'realtimeInput', tolerated: true };
    return reject(CLOSE_REASONS.toolCallPending, `realtime input while ${ledger.keys.join(', ')} pending`);
  }
  if (message.toolResponse) {
    const match = context.ledger.match(message.toolResponse.functionResponses, context.now, context.graceMs);
    if (!match.ok) return reject(CLOSE_REASONS.invalidArgument, match.problem);
    return { kind: 'toolResponse', keys: match.keys, late: match.late };
  }
  return { kind: 'other' };
}
