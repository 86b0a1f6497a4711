/**
 * The bench's emulator, run in a process of its own so that its CPU is not counted against the
 * clients. It is the library's strict emulator (`startLiveEmulator`), with two bench settings:
 * connections whose API key is {@link GATE_KEY} play {@link GATE_SCENARIO} (and {@link TALK_KEY},
 * {@link TALK_SCENARIO}), and the per-frame
 * record each connection keeps is cut short, because a bench sends millions of frames and the
 * record would otherwise grow without bound.
 *
 * Protocol on stdio: prints `ready <baseUrl>` once listening; answers each `stats` line on stdin
 * with one JSON line of the emulator's totals and the CPU time it has used; exits when stdin closes (so it never outlives the
 * bench) or on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { startLiveEmulator, type Scenario } from '../src/testing/index.js';
import { runScenario } from '../src/testing/emulator/script/scenario.js';
import { GATE_KEY, TALK_KEY } from './config.js';

/**
 * The `tool-call` scenario made brisk: a toolCall after every 100 ms of audio, and a short answer
 * once it is answered, so that many tool calls go by in little time.
 */
const GATE_SCENARIO: Scenario = {
  name: 'bench-gate',
  loop: true,
  steps: [
    { after: { audioMs: 100 }, do: [{ toolCall: [{ name: 'get_weather', args: { city: 'Paris' } }] }] },
    { after: { toolResponse: true }, do: [{ audio: { ms: 100 } }, { turnComplete: true }] },
  ],
};

/**
 * A conversation at a brisk pace, with no microphone needed: every 4 s or so the user says
 * something and the model answers (one turn in two with a tool call), each turn with its
 * transcriptions and a resumption handle. What a session writes to its store follows from it.
 */
const TALK_SCENARIO: Scenario = {
  name: 'bench-talk',
  loop: true,
  steps: [
    {
      do: [
        { wait: 2_000 },
        { inputTranscription: 'What is the weather in Paris, ' },
        { inputTranscription: 'and should I take an umbrella?' },
        { audio: { ms: 100 } },
        { outputTranscription: 'Let me check that for you.' },
        { toolCall: [{ name: 'get_weather', args: { city: 'Paris' } }] },
      ],
    },
    {
      after: { toolResponse: true },
      do: [{ audio: { ms: 100 } }, { outputTranscription: "It's 18 degrees and sunny in Paris, " }, { outputTranscription: 'no umbrella needed.' }, { turnComplete: true }],
    },
    {
      do: [
        { wait: 2_000 },
        { inputTranscription: 'And tomorrow?' },
        { audio: { ms: 100 } },
        { outputTranscription: 'Tomorrow looks much the same, a little cooler in the evening.' },
        { turnComplete: true },
      ],
    },
  ],
};

/** Frames kept per connection before the record is cleared. */
const KEEP_FRAMES = 64;

const emulator = await startLiveEmulator({
  onConnection(connection) {
    if (connection.path.includes(`key=${GATE_KEY}`)) runScenario(connection, GATE_SCENARIO);
    if (connection.path.includes(`key=${TALK_KEY}`)) runScenario(connection, TALK_SCENARIO);
  },
  onFrame(connection) {
    // Nothing in the bench waits on recorded frames; the scenario reads counters only.
    if (connection.frames.length >= KEEP_FRAMES) connection.frames.splice(0);
  },
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void emulator.close().then(() => process.exit(0));
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ...emulator.stats, cpuMicros: user + system })}\n`);
});
lines.on('close', stop);
process.once('SIGTERM', stop);
process.stdout.write(`ready ${emulator.baseUrl}\n`);
