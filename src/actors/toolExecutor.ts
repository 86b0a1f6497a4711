/**
 * The tool executor actor: runs the calls of one toolCall in parallel, each with its own
 * `AbortSignal` and timeout, and reports one `tool.result` per call. It never stays silent and
 * never rejects: a tool that is unknown, gets invalid arguments, throws, hangs or returns
 * something that is not JSON settles as an error outcome, which the machine sends back to the
 * model as an error response. A call's signal fires only when it is cancelled, times out, or the
 * session stops waiting for it (closed, or its connection lost): never after it settled.
 */
import { fromCallback, type AnyEventObject, type CallbackLogicFunction } from 'xstate';
import { ToolError, describe } from '../protocol/errors.js';
import { MAX_TIMER_MS } from '../session/durations.js';
import type { ToolExecutorCommand, ToolExecutorInput, ToolOutcome } from '../machines/types.js';
import type { FunctionCall } from '../protocol/messages.js';
import type { AnyTool } from '../tools/types.js';
import { formatIssues } from '../tools/issues.js';
import { checkResult, DEFAULT_MAX_RESULT_BYTES } from '../tools/results.js';
import { isPromiseLike, validateArgs } from '../tools/validate.js';

/** The default bound on one tool call, after which the model gets a timeout error. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

/** What every tool executor of a session shares. */
export interface ToolExecutorOptions {
  /** The session's tools, or where to read them when a toolCall comes (they change with `updateTools`). */
  tools: readonly AnyTool[] | (() => readonly AnyTool[]);
  /** Default timeout of a call; a tool's own `timeoutMs` wins. */
  timeoutMs: number;
  /** Default bound on a result's JSON (1 MiB); a tool's own `maxResultBytes` wins. */
  maxResultBytes?: number;
  /** The names of the tools that run NON_BLOCKING (declared so, or by the model's default), or where to read them. */
  nonBlockingTools?: readonly string[] | (() => readonly string[]);
}

/**
 * The tool executor actor logic for a session.
 *
 * @example
 * ```ts
 * sessionMachine.provide({ actors: { toolExecutor: createToolExecutorLogic({ tools, timeoutMs: 30_000 }) } });
 * ```
 */
export function createToolExecutorLogic(options: ToolExecutorOptions) {
  return fromCallback<ToolExecutorCommand, ToolExecutorInput>(toolExecutorCallback(options));
}

/** The body of {@link createToolExecutorLogic}: what each tool executor of a session runs. */
export function toolExecutorCallback(
  options: ToolExecutorOptions,
): CallbackLogicFunction<ToolExecutorCommand, AnyEventObject, ToolExecutorInput> {
  const read = <T>(value: T | (() => T)): T => (typeof value === 'function' ? (value as () => T)() : value);
  return ({ input, sendBack, receive }) => {
    // The tools as they are when the toolCall comes: a call for one removed since still gets its answer.
    const tools = read(options.tools);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    const nonBlocking = new Set(
      options.nonBlockingTools === undefined ? tools.filter((tool) => tool.behavior === 'NON_BLOCKING').map((tool) => tool.name) : read(options.nonBlockingTools),
    );
    const running = new Map<string, AbortController>();
    let stopped = false;

    // Once every call has settled or been cancelled the executor says so, and is stopped.
    const settleOne = (key: string) => {
      running.delete(key);
      if (running.size === 0) sendBack({ type: 'tool.executorIdle', batch: input.batch });
    };

    for (const { key, call, idempotencyKey } of input.calls) {
      const controller = new AbortController();
      running.set(key, controller);
      const tool = byName.get(call.name);
      const scheduling = tool && nonBlocking.has(tool.name) ? (tool.scheduling ?? 'WHEN_IDLE') : undefined;
      const report = (outcome: ToolOutcome) => {
        // A call that was cancelled, or an executor that was stopped, answers nothing.
        if (stopped || running.get(key) !== controller) return;
        // Settled before it is reported: the machine may stop this executor as it takes the result,
        // and a settled call's signal must not fire then.
        running.delete(key);
        sendBack({ type: 'tool.result', generation: input.generation, key, call, outcome, scheduling });
        if (running.size === 0 && !stopped) sendBack({ type: 'tool.executorIdle', batch: input.batch });
      };
      runCall(tool, call, idempotencyKey, controller, options).then(report, (defect: unknown) =>
        report({ status: 'error', error: new ToolError('EXECUTOR_FAILED', `'${call.name}' could not be run: ${describe(defect)}`, call, { cause: defect }) }),
      );
    }

    receive((command) => {
      for (const key of command.keys) {
        const controller = running.get(key);
        if (!controller) continue;
        controller.abort(new DOMException('the server cancelled the call', 'AbortError'));
        settleOne(key);
      }
    });

    return () => {
      stopped = true;
      for (const controller of running.values()) {
        controller.abort(new DOMException('the session stopped waiting for the call', 'AbortError'));
      }
      running.clear();
    };
  };
}

/** Runs one call to its outcome. Never rejects: whatever goes wrong is an error outcome. */
async function runCall(
  tool: AnyTool | undefined,
  call: FunctionCall,
  idempotencyKey: string,
  controller: AbortController,
  options: ToolExecutorOptions,
): Promise<ToolOutcome> {
  const failure = (code: ConstructorParameters<typeof ToolError>[0], reason: string, cause?: unknown): ToolOutcome => ({
    status: 'error',
    error: new ToolError(code, reason, call, { cause }),
  });
  if (!tool) return failure('UNKNOWN_TOOL', `no tool named '${call.name}'`);

  const timeoutMs = Math.min(tool.timeoutMs ?? options.timeoutMs, MAX_TIMER_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Settles on the timeout, or as soon as the call is aborted from outside (cancelled, session
  // closed), so that no timer outlives the call.
  const timedOutOrAborted = new Promise<ToolOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve(failure('TOOL_TIMEOUT', `'${call.name}' did not finish within ${timeoutMs} ms`));
      controller.abort(new DOMException(`'${call.name}' timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(failure('TOOL_THREW', `'${call.name}' was aborted`));
    };
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  const ran = (async (): Promise<ToolOutcome> => {
    try {
      // Inside the timeout, as a schema may validate asynchronously; awaited only then, so that a
      // tool with a synchronous schema still starts in the tick its call came.
      const checking = validateArgs(tool, call.args);
      const args = isPromiseLike(checking) ? await checking : checking;
      if (!args.ok) return failure('INVALID_ARGS', `invalid arguments for '${call.name}': ${formatIssues('args', args.issues)}`, args.cause);
      const result = await tool.execute(args.value as object, { signal: controller.signal, callId: call.id, idempotencyKey });
      return await checkResult(tool, result, call, { maxResultBytes: options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES });
    } catch (error) {
      return failure('TOOL_THREW', `'${call.name}' failed: ${describe(error)}`, error);
    }
  })();
  try {
    return await Promise.race([ran, timedOutOrAborted]);
  } finally {
    clearTimeout(timer);
  }
}
