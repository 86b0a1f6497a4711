/**
 * `session.sendClientContent` while a blocking call is pending, through the real SDK against the
 * emulator. Guards the profile's rule for conversation content:
 * - on 2.5 (and under `'gate'` anywhere) it is held while the call runs, then sent in order after
 *   the answer, so content can neither overtake the answer nor be lost;
 * - on 3.8 under `'interrupt'`, content that ends the user's turn (`turnComplete: true`) interrupts:
 *   it goes out and cancels the call, as the service cancels it, and no answer follows;
 * - on 3.8 under `'interrupt'`, content that does not end the turn (`turnComplete: false`) does not
 *   interrupt the model, and the server does not cancel the call for it (the emulator's rule,
 *   unverified against the service): it is held like any content, so the call keeps its one answer.
 *   (A session that cancelled on it would never answer a call the server still waits for.)
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import type { ContentTurn } from '../../../src/protocol/messages.js';
import { deferred, FRAME, nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { afterPromiseReactions, audioFramesArrive, connectedModelSession, MODELS, receivedKinds, toolResponses } from './harness.js';

const said = (text: string): ContentTurn[] => [{ role: 'user', parts: [{ text }] }];

/** A BLOCKING tool that waits for the test, and tells when it is aborted. */
function blockingTool(name: string) {
  const result = deferred<string>();
  const aborted = deferred<void>();
  const tool = defineTool({
    name,
    behavior: 'BLOCKING',
    execute: (_args, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve());
      return result.promise;
    },
  });
  return { tool, result, aborted };
}

describe(`sendClientContent during a blocking call, through @google/genai ${SDK_VERSION}`, () => {
  it('2.5: held while the call runs, then sent in order after its answer', async () => {
    const emu = await emulator({ graceMs: 0 });
    const weather = blockingTool('get_weather');
    const { session, conn } = await connectedModelSession(emu, MODELS.native25, { tools: [weather.tool] });
    const gateClosed = nextEvent(session, 'gate', (event) => event.state === 'closed');
    const [id] = conn.sendToolCall([{ name: 'get_weather' }]);
    await gateClosed;
    const afterCall = conn.frames.length;
    session.sendClientContent(said('first, some context'), { turnComplete: false });
    session.sendAudio(FRAME);
    session.sendClientContent(said('then the question'));
    expect(session.metrics()).toMatchObject({ contentSent: 0 });

    weather.result.resolve('sunny');
    await conn.waitForMessage(() => conn.counters.clientContents === 2, { fromFrame: afterCall });
    expect(receivedKinds(conn, afterCall)).toEqual(['toolResponse', 'clientContent', 'clientContent']);
    expect(conn.frames.slice(afterCall + 1).map(({ message }) => message?.clientContent)).toEqual([
      { turns: said('first, some context'), turnComplete: false },
      { turns: said('then the question'), turnComplete: true },
    ]);
    expect(toolResponses(conn)).toEqual([{ functionResponses: [{ id, name: 'get_weather', response: { output: 'sunny' } }] }]);
    expect(session.metrics()).toMatchObject({ contentSent: 2, toolCallsAnswered: 1 });
    expect(emu.stats.closes).toEqual({});
  });

  for (const silentCancel of [false, true]) {
    it(`3.8 under 'interrupt', turnComplete: true: sent at once, and the call is cancelled on both sides (${silentCancel ? 'silently' : 'with a toolCallCancellation'})`, async () => {
      const emu = await emulator({ graceMs: 0, silentCancel });
      const refund = blockingTool('issue_refund');
      const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, { whileBlockingCall: 'interrupt', tools: [refund.tool] });
      const toolCall = nextEvent(session, 'toolCall');
      const [id] = conn.sendToolCall([{ name: 'issue_refund' }]);
      await toolCall;
      const afterCall = conn.frames.length;
      const cancelled = nextEvent(session, 'toolCancelled');
      session.sendClientContent(said('no, wait'));
      expect(await cancelled).toEqual({ type: 'toolCancelled', ids: [id], implicit: true });
      await refund.aborted.promise;
      await conn.waitForMessage((message) => message.clientContent !== undefined, { fromFrame: afterCall });
      expect(conn.counters.callsCancelledByInput).toBe(1);
      expect(conn.pendingToolCallIds).toEqual([]);

      // The tool's result, were it to come now, is never sent.
      refund.result.resolve('refunded anyway');
      await refund.result.promise;
      await afterPromiseReactions();
      session.sendAudio(FRAME);
      await audioFramesArrive(conn, afterCall, 1);
      expect(receivedKinds(conn, afterCall)).toEqual(['clientContent', 'realtimeInput.audio']);
      expect(conn.counters.lateAnswers).toBe(0);
      expect(of('toolCancelled')).toHaveLength(1);
      expect(session.metrics()).toMatchObject({ contentSent: 1, toolCancellations: 1, toolCallsAnswered: 0, pendingToolCalls: 0 });
      expect(emu.stats.closes).toEqual({});
    });
  }

  it("3.8 under 'interrupt', turnComplete: false: held, the call is not cancelled, and gets its one answer", async () => {
    const emu = await emulator({ graceMs: 0 });
    const refund = blockingTool('issue_refund');
    const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, { whileBlockingCall: 'interrupt', tools: [refund.tool] });
    const toolCall = nextEvent(session, 'toolCall');
    const [id] = conn.sendToolCall([{ name: 'issue_refund' }]);
    await toolCall;
    const afterCall = conn.frames.length;
    session.sendClientContent(said('the order is A-1'), { turnComplete: false });
    expect(session.state).toBe('awaitingToolResponse');
    expect(of('toolCancelled')).toEqual([]);

    refund.result.resolve('refunded');
    await conn.waitForMessage((message) => message.clientContent !== undefined, { fromFrame: afterCall });
    expect(receivedKinds(conn, afterCall)).toEqual(['toolResponse', 'clientContent']);
    expect(toolResponses(conn)).toEqual([{ functionResponses: [{ id, name: 'issue_refund', response: { output: 'refunded' } }] }]);
    expect(conn.pendingToolCallIds).toEqual([]);
    expect(conn.counters).toMatchObject({ callsCancelledByInput: 0, lateAnswers: 0 });
    expect(session.metrics()).toMatchObject({ contentSent: 1, toolCancellations: 0, toolCallsAnswered: 1 });
    expect(emu.stats.closes).toEqual({});
  });
});
