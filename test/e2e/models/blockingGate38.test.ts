/**
 * gemini-3.8-live, a tool declared `behavior: 'BLOCKING'`, under `whileBlockingCall: 'gate'` (the
 * default). On 3.8 any input during a blocking call cancels it (the side effect may then run
 * twice, or never be reported). Guards that the default holds the user's input while the call
 * runs, so the server never cancels it, and that the call gets exactly one answer (without
 * `scheduling`, which is for async calls), after which input flows again.
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { deferred, FRAME, nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { audioFramesArrive, connectedModelSession, declaredFunctions, MODELS, receivedKinds, toolResponses } from './harness.js';

describe(`gemini-3.8-live, a BLOCKING tool under 'gate', through @google/genai ${SDK_VERSION}`, () => {
  it('holds input while the call runs: no cancellation, exactly one answer', async () => {
    const emu = await emulator({ graceMs: 0 });
    const refund = deferred<string>();
    let signal: AbortSignal | undefined;
    const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, {
      tools: [
        defineTool({
          name: 'issue_refund',
          behavior: 'BLOCKING',
          execute: (_args, context) => {
            signal = context.signal;
            return refund.promise;
          },
        }),
      ],
    });
    expect(declaredFunctions(conn)).toEqual([{ name: 'issue_refund', behavior: 'BLOCKING' }]);

    const gateClosed = nextEvent(session, 'gate', (event) => event.state === 'closed');
    const [id] = conn.sendToolCall([{ name: 'issue_refund', args: { order: 'A-1' } }]);
    expect((await gateClosed).pending).toEqual([id]);
    const afterCall = conn.frames.length;
    // The user speaks, types and signals activity while the refund runs: all of it is held.
    for (let i = 0; i < 5; i += 1) session.sendAudio(FRAME);
    session.sendText('are you there?');
    session.audioStreamEnd();

    const gateOpened = nextEvent(session, 'gate', (event) => event.state === 'opened');
    refund.resolve('refunded');
    const answer = await conn.waitForToolResponse();
    expect(answer.functionResponses).toEqual([{ id, name: 'issue_refund', response: { output: 'refunded' } }]);
    await gateOpened;
    session.sendAudio(FRAME);
    await audioFramesArrive(conn, afterCall, 1);

    expect(receivedKinds(conn, afterCall)).toEqual(['toolResponse', 'realtimeInput.audio']);
    expect(toolResponses(conn)).toHaveLength(1);
    expect(signal?.aborted).toBe(false);
    expect(of('toolCancelled')).toEqual([]);
    expect(session.metrics()).toMatchObject({ toolCalls: 1, toolCallsAnswered: 1, toolCancellations: 0, toolResponsesSent: 1 });
    expect(session.metrics().dropped.gated).toBe(7);
    expect(conn.counters).toMatchObject({ callsCancelledByInput: 0, lateAnswers: 0, graceTolerated: 0 });
    expect(conn.sent.filter(({ message }) => typeof message === 'object' && message !== null && 'toolCallCancellation' in message)).toEqual([]);
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.closes).toEqual({});
  });
});
