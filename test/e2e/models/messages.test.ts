/**
 * The `message` event hands the application every server message whole, as the SDK of this run
 * delivered it. Guards that nothing the session does not model is lost: grounding metadata,
 * executable code and its result, a field no SDK knows yet; and that the signals the session does
 * model (`waitingForInput`, `interactionStatus` on extended thinking) come as their own events
 * too, with "idle" taken from IDLE, not from `turnComplete`.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent } from '../../helpers.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { connectedModelSession, MODELS } from './harness.js';

/** What the session does not model, in the shapes the Gemini API sends. */
const UNMODELLED = [
  {
    serverContent: {
      modelTurn: {
        parts: [
          { executableCode: { language: 'PYTHON', code: 'print(6 * 7)' } },
          { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } },
        ],
      },
      groundingMetadata: { webSearchQueries: ['weather in Paris'], groundingChunks: [{ web: { uri: 'https://weather.example/paris', title: 'Paris' } }] },
    },
  },
  // A message of a kind no SDK of today knows: the Gemini API's messages pass through whole.
  { futureSignal: { note: 'something new', level: 3 } },
];

/**
 * The messages, as plain JSON (the SDK hands over its own class instances), without the
 * resumption updates the emulator adds after setup and each turn.
 */
function plain(events: { message: unknown }[]): unknown[] {
  const messages = events.map(({ message }) => JSON.parse(JSON.stringify(message)) as Record<string, unknown>);
  return messages.filter((message) => !('sessionResumptionUpdate' in message));
}

describe(`the message event, through @google/genai ${SDK_VERSION}`, () => {
  it('hands over every server message whole, the ones the session does not model included', async () => {
    const emu = await emulator();
    const { session, conn, of } = await connectedModelSession(emu, MODELS.live38);
    const waiting = nextEvent(session, 'waitingForInput');
    for (const message of UNMODELLED) conn.sendRaw(message);
    conn.sendWaitingForInput();
    await waiting;

    expect(plain(of('message'))).toEqual([{ setupComplete: {} }, ...UNMODELLED, { serverContent: { waitingForInput: true } }]);
    expect(of('message').every(({ generation }) => generation === of('message')[0]?.generation)).toBe(true);
    expect(of('error')).toEqual([]);
  });

  it('on extended thinking: interaction status as its own events, and idle only from IDLE', async () => {
    const emu = await emulator();
    const { session, conn, of } = await connectedModelSession(emu, MODELS.thinking38);
    const inProgress = nextEvent(session, 'turnComplete');
    conn.sendTurnComplete(undefined, { interactionStatus: 'IN_PROGRESS' });
    await inProgress;
    expect(session.actor.getSnapshot().context.modelIdle).toBe(false);
    const idle = nextEvent(session, 'turnComplete');
    conn.sendTurnComplete();
    await idle;
    expect(session.actor.getSnapshot().context.modelIdle).toBe(true);
    expect(of('interactionStatus')).toEqual([
      { type: 'interactionStatus', status: 'IN_PROGRESS' },
      { type: 'interactionStatus', status: 'IDLE' },
    ]);
    expect(of('turnComplete')).toHaveLength(2);
    expect(plain(of('message'))).toEqual([
      { setupComplete: {} },
      { serverContent: { turnComplete: true, interactionStatus: 'IN_PROGRESS' } },
      { serverContent: { turnComplete: true, interactionStatus: 'IDLE' } },
    ]);
  });
});
