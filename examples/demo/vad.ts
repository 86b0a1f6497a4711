/**
 * `npm run demo -- --vad`: the same voice agent with the session bracketing every utterance
 * itself (`activity: 'vad'`), against an emulator whose setup has automatic activity detection
 * off (the session declares it; with `strictActivity` the emulator would close the connection
 * with 1007 otherwise). The user asks about the weather, and starts a second question before the
 * model calls its tools: that utterance's bracket stays open across the tool call.
 */
import type { LiveSession } from '../../src/index.js';
import { syntheticSpeech } from '../../src/audio/index.js';
import type { EmulatorConnection, LiveEmulator, Scenario } from '../../src/testing/index.js';
import { colour, type Timeline } from './timeline.js';

const BYTES_PER_MS = 32;

/** The microphone: three utterances (synthetic speech) with silence around them. */
export function vadMicTrack(): Uint8Array {
  const silence = (ms: number) => new Uint8Array(ms * BYTES_PER_MS);
  const parts = [silence(300), syntheticSpeech(1_500), silence(500), syntheticSpeech(2_000), silence(1_500), syntheticSpeech(900), silence(1_000)];
  const track = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    track.set(part, offset);
    offset += part.length;
  }
  return track;
}

/** How many turns the model completes in the --vad conversation. */
export const VAD_TURNS = 3;

/**
 * The model's side with activity detection off: it answers when a bracket closes. It calls the
 * tools 500 ms after the first question ended, by when the second question has begun.
 */
export const vadScenario: Scenario = {
  name: 'demo --vad',
  steps: [
    {
      after: { activityEnd: true },
      do: [
        { inputTranscription: 'What is the weather in Paris, and any headlines?' },
        { audio: { ms: 300 } },
        { outputTranscription: 'Let me check both for you.' },
        { wait: 500 },
        {
          toolCall: [
            { name: 'get_weather', args: { city: 'Paris' } },
            { name: 'get_headlines', args: { city: 'Paris' } },
          ],
        },
      ],
    },
    {
      after: { toolResponse: true },
      do: [
        { audio: { ms: 800 } },
        { outputTranscription: "It's 18 degrees and sunny in Paris. The news service is down right now, sorry." },
        { generationComplete: true },
        { turnComplete: { promptTokenCount: 180, responseTokenCount: 64 } },
      ],
    },
    {
      after: { activityEnd: true },
      do: [
        { inputTranscription: 'Oh, and should I take an umbrella?' },
        { audio: { ms: 400 } },
        { outputTranscription: 'No need for an umbrella today.' },
        { generationComplete: true },
        { turnComplete: true },
      ],
    },
    {
      after: { activityEnd: true },
      do: [{ inputTranscription: 'Thanks, that is all.' }, { audio: { ms: 300 } }, { outputTranscription: 'Goodbye!' }, { turnComplete: true }],
    },
  ],
};

/** Prints the speech the session's detector hears, in stream time. */
export function followSpeech(session: LiveSession, print: Timeline): void {
  session.on('speechStarted', ({ atMs, detectedAtMs }) =>
    print('speech', colour.cyan(`🎙 started at ${seconds(atMs)} of the stream (told at ${seconds(detectedAtMs)})`)),
  );
  session.on('speechStopped', ({ atMs, detectedAtMs }) =>
    print('speech', colour.cyan(`🎙 stopped at ${seconds(atMs)} of the stream (told at ${seconds(detectedAtMs)})`)),
  );
}

/** Prints the activity signals as the emulator receives them (its `onFrame`). */
export function printBrackets(print: Timeline) {
  return (connection: EmulatorConnection, frame: { message: { realtimeInput?: { activityStart?: unknown; activityEnd?: unknown } } | null }) => {
    const input = frame.message?.realtimeInput;
    if (input?.activityStart) print('wire', colour.green('→ activityStart, then the 300 ms before the onset'));
    if (input?.activityEnd) {
      const bracket = connection.activity.brackets.at(-1);
      print('wire', colour.green(`→ activityEnd: ${Math.round(bracket?.audioMs ?? 0)} ms of audio inside the bracket`));
    }
  };
}

/** The summary lines of a --vad run. */
export function vadSummary(metrics: ReturnType<LiveSession['metrics']>, emulator: LiveEmulator): string[] {
  const brackets = emulator.connections.flatMap((connection) => connection.activity.brackets);
  const outsideMs = emulator.connections.reduce((sum, connection) => sum + connection.activity.audioOutsideMs, 0);
  const across = emulator.connections.some((connection) =>
    connection.activity.brackets.some((bracket) =>
      connection.frames.some((frame, index) => frame.message?.toolResponse !== undefined && index > bracket.startFrame && index < (bracket.endFrame ?? Infinity)),
    ),
  );
  return [
    `activity: ${metrics.forwarded.activityStart} activityStart, ${metrics.forwarded.activityEnd} activityEnd sent; ${metrics.preRoll} frames of pre-roll; ${metrics.dropped.outsideActivity} frames not sent outside speech`,
    `emulator: heard ${brackets.length} brackets, ${Math.round(outsideMs)} ms of audio outside them; ${across ? 'one bracket spans the tool call' : 'no bracket spans the tool call'}`,
  ];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
