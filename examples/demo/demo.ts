/**
 * The main job: a complete voice-agent conversation, by default against the built-in emulator
 * (no API key needed), printed as a live timeline.
 *
 *   npm run demo                  gemini-live-fsm against the emulator
 *   npm run demo -- --no-gate     a naive client against the same emulator: watch it get 1008
 *   npm run demo -- --model name  the emulator plays that model's rules (gemini-3.8-live: the
 *                                  tools run async and the mic stays open; a model that refuses
 *                                  the demo's setup fails before any socket opens)
 *   npm run demo -- --vad         the session brackets each utterance itself (its own voice
 *                                 activity detection; the emulator's is off), one across a tool call
 *   npm run demo -- --live        the real service (needs GEMINI_API_KEY), mic read from a WAV
 *        [--wav file.wav] [--model name]
 *   npm run demo -- --inspect     also serve the offline inspector page and print its URL; the
 *        [--inspect-port N]        conversation starts once a page has opened it (or after
 *        [--inspect-wait S]        --inspect-wait seconds, default 30; 0 does not wait). When the
 *        [--inspect-keep S]        demo ends the page keeps the whole story: the inspector serves
 *                                  it until Ctrl-C (or for --inspect-keep seconds; 0 quits at once)
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectPlainClient } from '../clients/naiveClients.js';
import { createLiveSession, defineTool } from '../../src/index.js';
import { createStreamPlayer, pacedPcm, readWav, syntheticSpeech } from '../../src/audio/index.js';
import { combineInspectors, startInspector, type Inspector } from '../../src/devtools/index.js';
import { ModelRefusalError } from '../../src/protocol/index.js';
import { startLiveEmulator, type LiveEmulator, type Scenario } from '../../src/testing/index.js';
import { asyncToolsOn, DEFAULT_EMULATED_MODEL, emulatorRuleCounts, modelRules } from './models.js';
import { colour, createTimeline, followSession, stateChanges, type Timeline } from './timeline.js';
import { followSpeech, printBrackets, VAD_TURNS, vadMicTrack, vadScenario, vadSummary } from './vad.js';

const LIVE_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';

/** What the emulated model does: asks two tools at once, answers, then says goodbye. */
const demoScenario: Scenario = {
  name: 'demo',
  steps: [
    {
      after: { audioMs: 600 },
      do: [
        { inputTranscription: 'What is the weather in Paris, and any headlines?' },
        { audio: { ms: 400 } },
        { outputTranscription: 'Let me check both for you.' },
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
        { audio: { ms: 1200 } },
        { outputTranscription: "It's 18 degrees and sunny in Paris. The news service is down right now, sorry." },
        { generationComplete: true },
        { turnComplete: { promptTokenCount: 180, responseTokenCount: 64 } },
      ],
    },
    {
      after: { audioMs: 800 },
      do: [
        { inputTranscription: 'Thanks, that is all.' },
        { audio: { ms: 500 } },
        { outputTranscription: 'Goodbye!' },
        { generationComplete: true },
        { turnComplete: true },
      ],
    },
  ],
};

/** The two tools: one slow, one that throws. */
const tools = [
  defineTool({
    name: 'get_weather',
    description: 'The current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: async ({ city }: { city: string }, { signal }) => {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 1200); // a slow weather service
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      return { city, tempC: 18, sky: 'sunny' };
    },
  }),
  defineTool({
    name: 'get_headlines',
    description: 'Top news headlines about a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error('news service unavailable (HTTP 503)');
    },
  }),
];

async function main() {
  const { values } = parseArgs({
    options: {
      'no-gate': { type: 'boolean', default: false },
      vad: { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      wav: { type: 'string', default: join(import.meta.dirname, 'question.wav') },
      model: { type: 'string' },
      inspect: { type: 'boolean', default: false },
      'inspect-port': { type: 'string', default: '0' },
      'inspect-wait': { type: 'string', default: '30' },
      'inspect-keep': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run demo [-- --no-gate | --vad] [-- --model name] [-- --live [--wav file.wav] [--model name]] [-- --inspect [--inspect-port N] [--inspect-wait S] [--inspect-keep S]]');
    return 0;
  }
  if (values.vad && values['no-gate']) {
    console.error('--vad has the session bracket speech; the naive client of --no-gate has no session.');
    return 2;
  }
  if (values.inspect && values['no-gate']) {
    console.error('--inspect watches a gemini-live-fsm session; the naive client of --no-gate has none.');
    return 2;
  }
  const inspector = values.inspect ? await openInspector(Number(values['inspect-port']), Number(values['inspect-wait'])) : undefined;
  try {
    const code = await run(values, inspector);
    if (inspector) await keepServing(inspector, values['inspect-keep'] === undefined ? undefined : Number(values['inspect-keep']));
    return code;
  } finally {
    await inspector?.close();
  }
}

/**
 * After the demo, the inspector keeps serving the session's whole story (final state, timeline,
 * time travel) to pages open or opened now, until Ctrl-C or `seconds` have passed.
 */
async function keepServing(inspector: Inspector, seconds: number | undefined): Promise<void> {
  if (seconds === 0) return;
  const until = seconds === undefined ? 'press Ctrl-C to quit' : `for ${seconds} s (Ctrl-C quits sooner)`;
  console.log(`\n${colour.bold(`inspector: the session's whole story stays at ${inspector.url}`)}; ${until}`);
  await new Promise<void>((resolve) => {
    const timer = seconds === undefined ? undefined : setTimeout(done, seconds * 1000);
    function done() {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    }
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** Starts the offline inspector, prints its URL, and waits a while for a page to open it. */
async function openInspector(port: number, waitSeconds: number): Promise<Inspector> {
  // Room for the whole conversation's timeline, so a page opened after the end gets all of it.
  const inspector = await startInspector({ port, title: 'gemini-live-fsm demo', maxEntries: 5000 });
  console.log(colour.bold(`inspector: ${inspector.url}`));
  if (waitSeconds > 0) {
    console.log(`open it in a browser on this machine; the conversation starts when it connects (or in ${waitSeconds} s)`);
    // Once the page has drawn the chart, it shows the conversation as it happens.
    await inspector.waitForClient({ timeoutMs: waitSeconds * 1000, drawn: true }).then(
      () => console.log('inspector page connected\n'),
      () => console.log('no inspector page yet: starting anyway\n'),
    );
  }
  return inspector;
}

type DemoOptions = { 'no-gate': boolean; vad: boolean; live: boolean; wav: string; model?: string | undefined };

async function run(values: DemoOptions, inspector: Inspector | undefined): Promise<number> {
  const print = createTimeline();

  if (values.live) {
    const apiKey = process.env['GEMINI_API_KEY'];
    if (!apiKey) {
      console.error('--live talks to the real Gemini Live API: set GEMINI_API_KEY first.');
      return 2;
    }
    const mic = readWav(await readFile(values.wav));
    const silence = new Uint8Array(3 * 16_000 * 2); // lets the server's voice detection end the turn
    const pcm = new Uint8Array(mic.pcm.length + silence.length);
    pcm.set(mic.pcm);
    console.log(colour.bold(`gemini-live-fsm demo against the real service (${values.model ?? LIVE_MODEL}), mic from ${values.wav}\n`));
    // GEMINI_LIVE_BASE_URL points the same code at another endpoint (the tests use the emulator).
    const baseUrl = process.env['GEMINI_LIVE_BASE_URL'];
    const ai = new GoogleGenAI(baseUrl ? { apiKey, httpOptions: { baseUrl } } : { apiKey });
    const outcome = await runSession(ai, values.model ?? LIVE_MODEL, pcm, print, 1, inspector, values.vad);
    return summarise(print, outcome, undefined);
  }

  // With --vad the emulator refuses activity signals unless setup turned its detection off.
  const emulator = await startLiveEmulator(
    values.vad ? { scenario: vadScenario, strictActivity: true, onFrame: printBrackets(print) } : { scenario: demoScenario },
  );
  const ai = new GoogleGenAI({ apiKey: 'demo', httpOptions: { baseUrl: emulator.baseUrl } });
  const speech = values.vad ? vadMicTrack() : syntheticSpeech(4_000);
  const model = values.model ?? DEFAULT_EMULATED_MODEL;
  // Said only when asked for a model: the default run prints what the README shows.
  const on = values.model === undefined ? '' : `, on ${values.model}`;
  try {
    if (values['no-gate']) {
      console.log(colour.bold(`A naive client (no gate) against the emulator at ${emulator.baseUrl}${on}\n`));
      if (values.model !== undefined) console.log(`${modelRules(model)}\n`);
      await runNaive(ai, model, speech, print);
      return await summarise(print, undefined, emulator);
    }
    const how = values.vad ? ', bracketing each utterance itself (activity: vad)' : '';
    console.log(colour.bold(`gemini-live-fsm against the emulator at ${emulator.baseUrl}${on}${how}\n`));
    if (values.model !== undefined) console.log(`${modelRules(model)}\n`);
    const outcome = await runSession(ai, model, speech, print, values.vad ? VAD_TURNS : 2, inspector, values.vad);
    const code = await summarise(print, outcome, emulator);
    if (values.vad) for (const line of vadSummary(outcome.metrics, emulator)) console.log(`  ${line}`);
    return code;
  } catch (error) {
    if (!(error instanceof ModelRefusalError)) throw error;
    console.error(colour.red(`refused before any socket opened: ${error.reason}`));
    return 2;
  } finally {
    await emulator.close();
  }
}

interface SessionOutcome {
  metrics: ReturnType<ReturnType<typeof createLiveSession>['metrics']>;
  modelAudio: Uint8Array[];
}

/** One gemini-live-fsm session: mic in, model audio out, until `turns` turns are complete. */
async function runSession(
  ai: GoogleGenAI,
  model: string,
  speech: Uint8Array,
  print: Timeline,
  turns: number,
  inspector: Inspector | undefined,
  vad: boolean,
): Promise<SessionOutcome> {
  const session = createLiveSession({
    ai,
    model,
    config: { responseModalities: [Modality.AUDIO], inputAudioTranscription: {}, outputAudioTranscription: {} },
    tools,
    inspect: inspector ? combineInspectors(stateChanges(print), inspector.inspect) : stateChanges(print),
    inspectFrames: inspector !== undefined,
    // The session's own detector brackets each utterance; setup turns the server's off.
    ...(vad ? { activity: 'vad' as const } : {}),
  });
  const follower = followSession(session, print, { asyncTools: asyncToolsOn(model, tools) });
  if (vad) followSpeech(session, print);
  // The model's audio plays in real time into a buffer (a speaker would do), and stops on barge-in.
  const modelAudio: Uint8Array[] = [];
  const speaker = createStreamPlayer({ write: (chunk) => modelAudio.push(chunk) });
  speaker.attach(session);

  let turnsLeft = turns;
  const done = new Promise<void>((resolve) => {
    session.on('turnComplete', () => {
      turnsLeft -= 1;
      if (turnsLeft === 0) resolve();
    });
    session.on('closed', () => resolve());
  });

  try {
    await session.connect();
  } catch (error) {
    follower.stop();
    await session.close();
    throw error;
  }
  const mic = new AbortController();
  print('mic', 'attached: 16 kHz PCM16, one 20 ms frame every 20 ms');
  session.attachMic(pacedPcm(speech, { signal: mic.signal }));
  const timeout = setTimeout(() => mic.abort(), 60_000);
  await Promise.race([done, new Promise((resolve) => mic.signal.addEventListener('abort', resolve))]);
  clearTimeout(timeout);
  mic.abort();
  await speaker.drain();
  await session.close();
  follower.stop();
  return { metrics: session.metrics(), modelAudio };
}

/** The same conversation with a client that never stops its mic. */
async function runNaive(ai: GoogleGenAI, model: string, speech: Uint8Array, print: Timeline) {
  let sent = 0;
  let pending = false;
  const client = await connectPlainClient({
    ai,
    model,
    gate: 'naive',
    tools: {
      get_weather: () => new Promise((resolve) => setTimeout(() => resolve({ tempC: 18 }), 1200)),
      get_headlines: () => ({ headlines: [] }),
    },
    onMessage: (message) => {
      for (const call of message.toolCall?.functionCalls ?? []) {
        pending = true;
        print('toolCall', colour.yellow(`${call.name}(${JSON.stringify(call.args)}) [${call.id}]`));
      }
    },
  });
  print('session', 'connected, setup complete');
  print('mic', 'streaming with no gate');
  const closed = client.closed.then((info) => {
    print('closed', colour.red(`${info.code} "${info.reason}"`));
    return info;
  });
  let stopped = false;
  void closed.then(() => (stopped = true));
  for await (const frame of pacedPcm(speech)) {
    if (stopped) break;
    client.sendAudio(frame);
    sent += 1;
    if (pending) {
      print('mic', colour.red(`→ audio frame ${sent} sent while the tool call is pending`));
      pending = false;
    }
  }
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
  client.close();
}

async function summarise(print: Timeline, outcome: SessionOutcome | undefined, emulator: LiveEmulator | undefined) {
  console.log(`\n${colour.bold('Summary')}`);
  if (emulator) {
    await Promise.all(emulator.connections.map((connection) => connection.closed));
    const closes1008 = emulator.stats.closes[1008] ?? 0;
    const line = `connection closes with 1008: ${closes1008}`;
    console.log(`  ${closes1008 === 0 ? colour.green(line) : colour.red(line)}`);
    console.log(`  emulator: ${emulator.stats.framesReceived} client frames, closes by code ${JSON.stringify(emulator.stats.closes)}, ${emulator.stats.graceTolerated} in-flight frames inside the grace window${emulatorRuleCounts(emulator)}`);
  }
  if (outcome) {
    const m = outcome.metrics;
    // Pre-roll frames are handed over a second time, inside the bracket: counted apart.
    const preRoll = m.preRoll > 0 ? ` (and ${m.preRoll} of pre-roll)` : '';
    console.log(`  mic: ${m.received.audio - m.preRoll} frames${preRoll}, ${m.forwarded.audio} forwarded, ${m.dropped.gated} dropped while gated, ${m.dropped.notStreaming + m.dropped.closed} dropped outside a connection`);
    console.log(`  tools: ${m.toolCalls} calls, ${m.toolResults - m.toolErrors} results, ${m.toolErrors} error responses, ${m.toolResponsesSent} toolResponse messages, ${(m.gatedMs / 1000).toFixed(2)} s gated`);
    const bytes = outcome.modelAudio.reduce((sum, chunk) => sum + chunk.length, 0);
    const file = join(tmpdir(), 'gemini-live-fsm-demo-model-audio.wav');
    await writeFile(file, wav24k(outcome.modelAudio, bytes));
    console.log(`  model audio: ${(bytes / 48_000).toFixed(2)} s played, written to ${file}`);
  }
  void print;
  return 0;
}

/** A 24 kHz mono PCM16 WAV file of the model's audio. */
function wav24k(chunks: Uint8Array[], bytes: number): Uint8Array {
  const file = new Uint8Array(44 + bytes);
  const view = new DataView(file.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + bytes, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 24_000, true);
  view.setUint32(28, 48_000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, bytes, true);
  let offset = 44;
  for (const chunk of chunks) {
    file.set(chunk, offset);
    offset += chunk.length;
  }
  return file;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
