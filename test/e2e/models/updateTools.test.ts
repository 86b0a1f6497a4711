/**
 * `session.updateTools(tools)` mid-session on gemini-3.8-live, through the real SDK (3.x has
 * `sendContextUpdate`; 2.x has not, and the adapter writes the same JSON on its socket). Guards:
 * the new tools reach the server as `contextUpdate.tools`, in the wrapper that tells "no tools"
 * from "no change", each with its behaviour stated; the server then plays by them; and a call
 * still pending for a tool that was removed keeps its one answer (never lost, never doubled),
 * while a later call to it gets an error response.
 */
import { describe, expect, it } from 'vitest';
import { defineTool } from '../../../src/index.js';
import { deferred, nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { connectedModelSession, MODELS, toolResponses } from './harness.js';

describe(`updateTools on gemini-3.8-live, through @google/genai ${SDK_VERSION}`, () => {
  it('sends contextUpdate.tools; a call pending for a removed tool still gets its one answer', async () => {
    const emu = await emulator({ graceMs: 0 });
    const booking = deferred<string>();
    const { session, conn, of } = await connectedModelSession(emu, MODELS.live38, {
      tools: [defineTool({ name: 'book_table', behavior: 'BLOCKING', execute: () => booking.promise })],
    });
    const gateClosed = nextEvent(session, 'gate', (event) => event.state === 'closed');
    const [bookingId] = conn.sendToolCall([{ name: 'book_table', args: { people: 2 } }]);
    await gateClosed;

    session.updateTools([
      defineTool({ name: 'find_restaurant', execute: () => ({ name: 'Chez Nous' }) }),
      defineTool({ name: 'cancel_booking', behavior: 'BLOCKING', execute: () => 'cancelled' }),
    ]);
    const update = await conn.waitForMessage((message) => message.contextUpdate !== undefined);
    expect(update).toEqual({
      contextUpdate: {
        tools: {
          tools: [
            {
              functionDeclarations: [
                { name: 'find_restaurant', behavior: 'NON_BLOCKING' },
                { name: 'cancel_booking', behavior: 'BLOCKING' },
              ],
            },
          ],
        },
      },
    });
    expect(conn.counters.toolUpdates).toBe(1);
    expect(conn.behaviorOf('find_restaurant')).toBe('NON_BLOCKING');
    expect(conn.behaviorOf('cancel_booking')).toBe('BLOCKING');
    // The update is not input: the blocking call still waits for its answer, on both sides.
    expect(conn.pendingToolCallIds).toEqual([bookingId]);
    expect(session.state).toBe('awaitingToolResponse');

    const gateOpened = nextEvent(session, 'gate', (event) => event.state === 'opened');
    booking.resolve('booked for 2');
    expect((await conn.waitForToolResponse()).functionResponses).toEqual([
      { id: bookingId, name: 'book_table', response: { output: 'booked for 2' } },
    ]);
    await gateOpened;

    // The new tools run by their declared behaviour; the removed one is unknown now.
    const [findId, oldId] = conn.sendToolCall([{ name: 'find_restaurant' }, { name: 'book_table', args: { people: 4 } }]);
    await conn.waitForMessage(() => toolResponses(conn).length === 3);
    expect(toolResponses(conn).slice(1).flatMap((response) => response.functionResponses)).toEqual(
      expect.arrayContaining([
        { id: findId, name: 'find_restaurant', response: { output: { name: 'Chez Nous' } }, scheduling: 'WHEN_IDLE' },
        { id: oldId, name: 'book_table', response: { error: expect.stringContaining("no tool named 'book_table'") } },
      ]),
    );

    expect(toolResponses(conn).flatMap((response) => response.functionResponses.map(({ id }) => id)).filter((id) => id === bookingId)).toHaveLength(1);
    expect(conn.counters).toMatchObject({ lateAnswers: 0, callsCancelledByInput: 0 });
    expect(conn.pendingToolCallIds).toEqual([]);
    expect(of('error')).toEqual([]);
    expect(conn.isOpen).toBe(true);
    expect(emu.stats.closes).toEqual({});
  });
});
