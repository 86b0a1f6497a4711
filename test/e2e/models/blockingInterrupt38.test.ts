/**
 * gemini-3.8-live, a BLOCKING tool under `whileBlockingCall: 'interrupt'`: the user's speech goes
 * through and cancels the call. Guards the field report behind issue 13: the service cancelled the
 * call with no `toolCallCancellation`, the client still answered it late (ignored), and the model
 * called the tool again, so a refund ran twice. Here, with and without the emulator's
 * `toolCallCancellation` (`silentCancel`): the speech reaches the server, the tool's AbortSignal
 * fires, `toolCancelled` says `implicit: true`, no answer ever goes out for the call (the
 * emulator's late-answer counter stays 0), and a cancellation that comes after, or twice, changes
 * nothing.
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { FRAME, nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { afterPromiseReactions, audioFramesArrive, connectedModelSession, declaredFunctions, MODELS, toolResponses } from './harness.js';

/** A refund tool that settles with a result the moment it is aborted: a late answer waiting to happen. */
function refundTool() {
  let settledLate: Promise<string> | undefined;
  const tool = defineTool({
    name: 'issue_refund',
    behavior: 'BLOCKING',
    execute: (_args, { signal }) => {
      settledLate = new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('refunded anyway')));
      return settledLate;
    },
  });
  return { tool, settledLate: () => settledLate };
}

const isCancellation = (message: unknown) => typeof message === 'object' && message !== null && 'toolCallCancellation' in message;

describe(`gemini-3.8-live, a BLOCKING tool under 'interrupt', through @google/genai ${SDK_VERSION}`, () => {
  for (const silentCancel of [false, true]) {
    it(`speech cancels the call: aborted, never answered (${silentCancel ? 'silently, no toolCallCancellation' : 'with a toolCallCancellation'})`, async () => {
      const emu = await emulator({ graceMs: 0, silentCancel });
      const refund = refundTool();
      const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, { whileBlockingCall: 'interrupt', tools: [refund.tool] });
      expect(declaredFunctions(conn)).toEqual([{ name: 'issue_refund', behavior: 'BLOCKING' }]);

      const toolCall = nextEvent(session, 'toolCall');
      const [id] = conn.sendToolCall([{ name: 'issue_refund', args: { order: 'A-1' } }]);
      await toolCall;
      expect(session.state).toBe('awaitingToolResponse');

      const afterCall = conn.frames.length;
      const cancelled = nextEvent(session, 'toolCancelled');
      const serverCancellation = nextEvent(session, 'message', ({ message }) => isCancellation(message));
      session.sendAudio(FRAME);
      expect(await cancelled).toEqual({ type: 'toolCancelled', ids: [id], implicit: true });
      expect(session.state).toBe('streaming');
      // The speech reached the server, which cancelled the call on it too.
      await audioFramesArrive(conn, afterCall, 1);
      expect(conn.counters.callsCancelledByInput).toBe(1);
      expect(conn.pendingToolCallIds).toEqual([]);

      // The tool was aborted, and what it returned on the way out is never sent.
      const late = refund.settledLate();
      expect(await late).toBe('refunded anyway');
      await afterPromiseReactions();
      if (!silentCancel) await serverCancellation; // the server's own cancellation, after the session's
      conn.cancelToolCalls([id ?? '']); // and one more, as a duplicate
      await nextEvent(session, 'message', ({ message }) => isCancellation(message));
      // Input after all that goes straight through, and arrives after anything sent before it.
      const beforeMarker = conn.frames.length;
      session.sendAudio(FRAME);
      await audioFramesArrive(conn, beforeMarker, 1);

      expect(toolResponses(conn)).toEqual([]);
      expect(conn.counters.lateAnswers).toBe(0);
      expect(of('toolCancelled')).toEqual([{ type: 'toolCancelled', ids: [id], implicit: true }]);
      expect(of('error')).toEqual([]);
      expect(of('toolResult')).toEqual([]);
      expect(session.state).toBe('streaming');
      expect(session.metrics()).toMatchObject({ toolCalls: 1, toolCancellations: 1, toolCallsAnswered: 0, pendingToolCalls: 0, toolResponsesSent: 0 });
      expect(session.metrics().forwarded.audio).toBe(2);
      expect(conn.sent.filter(({ message }) => isCancellation(message))).toHaveLength(silentCancel ? 1 : 2);
      expect(conn.isOpen).toBe(true);
      expect(emu.stats.closes).toEqual({});
    });
  }
});
