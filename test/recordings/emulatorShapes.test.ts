import { GoogleGenAI, Modality } from '@google/genai';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveEmulator, type EmulatorConnection, type LiveEmulator } from '../../src/testing/index.js';
import { loadRecordings, shapeOf } from './recordings.js';

/** Every field path (with its JSON type) the real service used, by top-level message kind. */
function realShapes(): Map<string, Set<string>> {
  const shapes = new Map<string, Set<string>>();
  for (const recording of loadRecordings()) {
    for (const frame of recording.frames.filter((f) => f.from === 'server')) {
      for (const [kind, body] of Object.entries(frame.message)) {
        const set = shapes.get(kind) ?? new Set<string>();
        for (const path of shapeOf({ [kind]: body })) set.add(normalise(path));
        shapes.set(kind, set);
      }
    }
  }
  return shapes;
}

/**
 * Fields of docs/protocol.md that none of the recordings happens to show (their sessions did not ask
 * for input transcription, and nobody barged in): allowed, and only these.
 */
const DOCUMENTED_BUT_UNRECORDED = new Set([
  'serverContent.inputTranscription: object',
  'serverContent.inputTranscription.text: string',
  'serverContent.interrupted: boolean',
]);

/** Function arguments differ from tool to tool; only their being an object is compared. */
const normalise = (path: string) => path.replace(/(\.args)\..*: (\w+)$/, '$1.*: $2');

let emulator: LiveEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** Connects the real SDK to the emulator, runs `exchange`, and returns what the emulator sent. */
async function serverFramesOf(
  exchange: (conn: EmulatorConnection, send: (text: string) => void, turnComplete: Promise<void>) => Promise<void>,
) {
  emulator = await startLiveEmulator({ scenario: 'echo' });
  const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } });
  const connecting = emulator.nextConnection();
  let completed!: () => void;
  const turnComplete = new Promise<void>((resolve) => (completed = resolve));
  const session = await ai.live.connect({
    model: 'models/gemini-live-2.5-flash-preview',
    config: { responseModalities: [Modality.AUDIO], outputAudioTranscription: {} },
    callbacks: {
      onmessage: (message) => {
        if (message.serverContent?.turnComplete) completed();
      },
    },
  });
  const conn = await connecting;
  const send = (text: string) =>
    session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
  await exchange(conn, send, turnComplete);
  session.close();
  return conn.sent.map((frame) => frame.message as Record<string, unknown>);
}

describe("the emulator's frames have the real service's shapes", () => {
  const real = realShapes();

  function expectRealShapes(frames: Record<string, unknown>[]) {
    const compared = new Set<string>();
    for (const frame of frames) {
      for (const [kind, body] of Object.entries(frame)) {
        const known = real.get(kind);
        // Kinds the recordings never show (goAway, cancellations, resumption updates…) have no
        // ground truth to compare with; docs/protocol.md describes them.
        if (!known) continue;
        compared.add(kind);
        for (const path of shapeOf({ [kind]: body }).map(normalise)) {
          if (DOCUMENTED_BUT_UNRECORDED.has(path)) continue;
          expect(known, `${kind}: ${path}`).toContain(path);
        }
      }
    }
    return compared;
  }

  it('for setup, a text turn and the model answering it', async () => {
    const frames = await serverFramesOf(async (_conn, send, turnComplete) => {
      send('Hello what should we talk about?');
      await turnComplete;
    });
    expect([...expectRealShapes(frames)].sort()).toEqual(['serverContent', 'setupComplete', 'usageMetadata']);
  });

  it('for a tool call', async () => {
    const frames = await serverFramesOf(async (conn) => {
      await conn.ready;
      conn.sendToolCall([{ name: 'get_current_weather', args: { location: 'Redmond, WA' } }]);
    });
    expect(expectRealShapes(frames)).toContain('toolCall');
  });
});
