/**
 * What the emulator lets through, and how it refuses the rest: the same close codes and reason
 * texts as the real service (docs/protocol.md).
 */
import type { ModelProfile } from '../../models/index.js';
import { EXPLICIT_ACTIVITY_REFUSED, explicitActivityProblem } from './activity.js';
import { CLOSE_REASONS, type CloseSpec } from './closes.js';
import { checkDeclarations } from './declarations.js';
import type { ParsedFrame } from './frames.js';
import { ModelRules } from './modelRules.js';
import type { ToolCallLedger } from './toolCalls.js';
import type { SetupBody } from './types.js';

export { CLOSE_REASONS, GO_AWAY_DEADLINE, type CloseSpec } from './closes.js';

/** The state a frame is judged against. */
export interface RuleContext {
  setupDone: boolean;
  /** The rules of the model in setup, once setup was accepted. */
  model?: ModelRules | undefined;
  /** Fields over the table's profile of every model (`LiveEmulatorOptions.modelProfile`). */
  profileOverride?: Partial<ModelProfile> | undefined;
  ledger: ToolCallLedger;
  /** Arrival time of the frame, in `performance.now()` ms. */
  now: number;
  graceMs: number;
  isKnownHandle(handle: string): boolean;
  /** Why a resume of a known handle is refused (the emulator's resume options), or undefined. */
  resumeRefusal?: ((handle: string) => { close: CloseSpec; problem: string } | undefined) | undefined;
  /**
   * On the constrained endpoint: why this setup may not open the connection with its token
   * (`resume`: it resumes a known session), or undefined.
   */
  authorize?(setup: SetupBody, resume: boolean): { close: CloseSpec; problem: string } | undefined;
  /** Refuse activity signals: setup left automatic detection on, and the emulator is `strictActivity`. */
  refuseExplicitActivity?: boolean;
}

/**
 * What to do with one client frame. `tolerated`: it came during a blocking call, within the grace
 * window, and is let through without effect. `cancels`: the blocking calls it cancels (models
 * whose input cancels a BLOCKING call).
 */
export type Verdict =
  | { kind: 'reject'; close: CloseSpec; problem: string; field?: string | undefined }
  | { kind: 'setup'; resume: string | undefined; model: ModelRules }
  | { kind: 'realtimeInput'; tolerated: boolean; cancels: string[] }
  | { kind: 'clientContent'; tolerated: boolean; cancels: string[] }
  /** `keys` are the calls answered; `late` the answers to cancelled calls, let through and ignored. */
  | { kind: 'toolResponse'; keys: string[]; late: string[] }
  | { kind: 'contextUpdate' };

function reject(close: CloseSpec, problem: string, field?: string): Verdict {
  return { kind: 'reject', close, problem, field };
}

/**
 * Input during a blocking call: tolerated within the grace window; after it, it cancels the
 * blocking calls on a model whose input does (3.8), and is refused with 1008 on the others.
 */
function judgeInput(context: RuleContext, kind: 'realtimeInput' | 'clientContent'): Verdict {
  const { ledger, now, graceMs } = context;
  if (!ledger.gating) return { kind, tolerated: false, cancels: [] };
  const since = ledger.gateClosedAt ?? now;
  if (now - since < graceMs) return { kind, tolerated: true, cancels: [] };
  if (context.model?.inputCancelsBlockingCall) return { kind, tolerated: false, cancels: ledger.blockingKeys };
  return reject(CLOSE_REASONS.toolCallPending, `realtime input while ${ledger.keys.join(', ')} pending`);
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
 * to be (no recording or documented close covers it). On a model whose input cancels a BLOCKING
 * call, a `clientContent` with `turnComplete: true` cancels it as realtime input does (a field
 * report on gemini-3.8-live: an interrupting `clientContent` dropped the pending call).
 *
 * The grace window applies the same way on those models: input within it does not cancel.
 * Unverified: the service processes input in order and may well cancel on a frame that crossed
 * the call; the window keeps the emulator deterministic for clients that cannot help it.
 *
 * Answers to cancelled calls: on models that close, one within the grace window is tolerated
 * and a later one refused (1007); on models whose input cancels calls, any is ignored (a field
 * report: the late answer "got no reply"; that it never closes is unverified).
 */
export function judge(parsed: ParsedFrame, context: RuleContext): Verdict {
  if (!parsed.ok) return reject(CLOSE_REASONS.invalidArgument, parsed.problem);
  const { message } = parsed;
  if (!context.setupDone) {
    if (!message.setup) return reject(CLOSE_REASONS.invalidArgument, 'the first message must be setup');
    const badDeclaration = checkDeclarations(message.setup.tools);
    if (badDeclaration) return reject(badDeclaration.close, badDeclaration.problem);
    const model = new ModelRules(message.setup, context.profileOverride);
    const refused = model.setupRefusal();
    if (refused) return reject(refused.close, refused.problem, refused.field);
    const handle = message.setup.sessionResumption?.handle;
    const unauthorized = context.authorize?.(message.setup, handle !== undefined && handle !== '' && context.isKnownHandle(handle));
    if (unauthorized) return reject(unauthorized.close, unauthorized.problem);
    if (handle !== undefined && handle !== '' && !context.isKnownHandle(handle)) {
      return reject(CLOSE_REASONS.sessionNotFound, `unknown resumption handle ${handle}`);
    }
    const refusedResume = handle ? context.resumeRefusal?.(handle) : undefined;
    if (refusedResume) return reject(refusedResume.close, refusedResume.problem);
    return { kind: 'setup', resume: handle === '' ? undefined : handle, model };
  }
  if (message.setup) return reject(CLOSE_REASONS.invalidArgument, 'setup was already sent');
  if (message.realtimeInput) {
    const explicit = explicitActivityProblem(message.realtimeInput, context.refuseExplicitActivity === true);
    if (explicit) return reject(EXPLICIT_ACTIVITY_REFUSED, explicit);
    return judgeInput(context, 'realtimeInput');
  }
  if (message.clientContent) {
    const interrupts = message.clientContent.turnComplete === true && context.model?.inputCancelsBlockingCall === true;
    if (interrupts) return judgeInput(context, 'clientContent');
    return { kind: 'clientContent', tolerated: false, cancels: [] };
  }
  if (message.toolResponse) {
    const lateWithinMs = context.model?.inputCancelsBlockingCall ? Infinity : context.graceMs;
    const match = context.ledger.match(message.toolResponse.functionResponses, context.now, lateWithinMs);
    if (!match.ok) return reject(CLOSE_REASONS.invalidArgument, match.problem);
    return { kind: 'toolResponse', keys: match.keys, late: match.late };
  }
  const update = message.contextUpdate ?? {};
  const refused = context.model?.updateRefusal(update);
  if (refused) return reject(refused.close, refused.problem, refused.field);
  return { kind: 'contextUpdate' };
}
