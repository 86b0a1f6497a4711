/**
 * The browser example: a voice session with a tool, the microphone captured through an
 * AudioWorklet (`mediaStreamSource`), the model's audio played back, and the session shown in the
 * Redux DevTools extension when it is installed.
 *
 * `?baseUrl=http://127.0.0.1:PORT` points it at the emulator (`npm run example:browser` does);
 * `?key=…` with no baseUrl talks to the real service. A key in a page is for trying things on
 * your own machine only: a deployed page should get an ephemeral token from its server.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { createLiveSession, defineTool, type LiveSession, type SessionMetrics } from '../../src/index.js';
import { mediaStreamSource } from '../../src/audio/index.js';
import { connectReduxDevTools, stateName } from '../../src/devtools/browser.js';

const LIVE_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';
const params = new URLSearchParams(location.search);
const baseUrl = params.get('baseUrl') ?? undefined;
const apiKey = params.get('key') ?? 'emulator';
/** How many model turns to hear before hanging up (0: until Stop). */
const turns = Number(params.get('turns') ?? '1');

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const started = performance.now();

/** What the page did, for a person to read and for the browser test to check. */
export interface ExampleResult {
  metrics: SessionMetrics;
  events: string[];
  micSampleRate: number | undefined;
  modelAudioMs: number;
}

declare global {
  interface Window {
    exampleResult?: ExampleResult;
  }
}

function log(text: string) {
  const item = document.createElement('li');
  item.textContent = `${((performance.now() - started) / 1000).toFixed(2)}s  ${text}`;
  $('log').appendChild(item);
}

function setStatus(status: string) {
  document.body.dataset['status'] = status;
  $('status').textContent = status;
}

function showMetrics(metrics: SessionMetrics) {
  const rows: [string, number][] = [
    ['mic frames forwarded', metrics.forwarded.audio],
    ['dropped while gated', metrics.dropped.gated],
    ['dropped, not streaming', metrics.dropped.notStreaming],
    ['tool calls', metrics.toolCalls],
    ['toolResponse messages', metrics.toolResponsesSent],
    ['ms gated', Math.round(metrics.gatedMs)],
  ];
  const table = $('metrics');
  table.textContent = '';
  for (const [label, value] of rows) {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = label;
    const cell = document.createElement('td');
    cell.textContent = String(value);
    cell.dataset['metric'] = label;
    row.append(name, cell);
    table.appendChild(row);
  }
}

/** Plays 24 kHz PCM16 chunks back to back; `clear()` stops at once (the user interrupted). */
function createPlayer() {
  const context = new AudioContext({ sampleRate: 24_000 });
  let playAt = 0;
  const playing = new Set<AudioBufferSourceNode>();
  return {
    play(pcm: Uint8Array) {
      const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      const buffer = context.createBuffer(1, pcm.byteLength >> 1, 24_000);
      const samples = buffer.getChannelData(0);
      for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true) / 0x8000;
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(context.destination);
      playAt = Math.max(playAt, context.currentTime);
      source.start(playAt);
      playAt += buffer.duration;
      playing.add(source);
      source.onended = () => playing.delete(source);
    },
    clear() {
      for (const source of playing) source.stop();
      playing.clear();
      playAt = 0;
    },
    close: () => context.close(),
  };
}

const getWeather = defineTool({
  name: 'get_weather',
  description: 'The current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  timeoutMs: 5_000,
  execute: async ({ city }: { city: string }, { signal }) => {
    // A slow service: the microphone keeps streaming meanwhile, and the session holds it back.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 400);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    return { city, tempC: 18, sky: 'sunny' };
  },
});

async function run(stop: AbortSignal): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  const ai = new GoogleGenAI(baseUrl ? { apiKey, httpOptions: { baseUrl } } : { apiKey });
  const session: LiveSession = createLiveSession({
    ai,
    model: baseUrl ? 'models/gemini-live-emulated' : LIVE_MODEL,
    config: { responseModalities: [Modality.AUDIO], outputAudioTranscription: {}, inputAudioTranscription: {} },
    tools: [getWeather],
  });
  connectReduxDevTools(session, { name: 'gemini-live-fsm browser example' });
  const player = createPlayer();
  const events: string[] = [];
  let modelAudioMs = 0;
  const note = (event: string, text: string) => {
    events.push(event);
    log(text);
  };

  session.actor.subscribe((snapshot) => ($('state').textContent = stateName(snapshot.value)));
  session.on('gate', ({ state, pending }) => {
    $('gate').dataset['gate'] = state === 'closed' ? 'closed' : 'open';
    $('gate').textContent = state === 'closed' ? 'closed' : 'open';
    note(`gate:${state}`, state === 'closed' ? `gate closed, waiting on ${pending.join(', ')}` : 'gate opened');
  });
  session.on('toolCall', ({ calls }) => note('toolCall', `tool call: ${calls.map((c) => `${c.name}(${JSON.stringify(c.args)})`).join(', ')}`));
  session.on('toolResult', ({ call, outcome }) => note('toolResult', `${call.name} → ${outcome.status}`));
  session.on('inputTranscription', ({ text }) => note('inputTranscription', `you: ${text}`));
  session.on('outputTranscription', ({ text }) => note('outputTranscription', `model: ${text}`));
  session.on('audio', ({ data }) => {
    modelAudioMs += data.byteLength / 48;
    player.play(data);
  });
  session.on('interrupted', () => player.clear());
  session.on('error', ({ error }) => note('error', `error ${error.code}: ${error.reason}`));

  let turnsLeft = turns;
  const finished = new Promise<void>((resolve) => {
    session.on('turnComplete', () => {
      note('turnComplete', 'model turn complete');
      turnsLeft -= 1;
      if (turnsLeft === 0) resolve();
    });
    session.on('closed', ({ closedBy }) => {
      note('closed', closedBy.by === 'client' ? 'closed' : `closed: ${closedBy.error.reason}`);
      resolve();
    });
    stop.addEventListener('abort', () => resolve());
  });

  setStatus('connecting');
  await session.connect();
  setStatus('connected');
  note('connected', 'connected; the microphone is streaming');
  const mic = mediaStreamSource(stream, { signal: stop });
  session.attachMic(mic);
  const ticker = setInterval(() => showMetrics(session.metrics()), 250);

  await finished;
  clearInterval(ticker);
  await session.close();
  for (const track of stream.getTracks()) track.stop();
  await player.close();
  const metrics = session.metrics();
  showMetrics(metrics);
  window.exampleResult = { metrics, events, micSampleRate: mic.inputSampleRate, modelAudioMs };
  setStatus('done');
}

$('endpoint').textContent = baseUrl ?? 'the Gemini API';
$('start').addEventListener('click', () => {
  const stop = new AbortController();
  ($('start') as HTMLButtonElement).disabled = true;
  ($('stop') as HTMLButtonElement).disabled = false;
  $('stop').addEventListener('click', () => stop.abort(), { once: true });
  run(stop.signal)
    .catch((error: unknown) => {
      log(`failed: ${error instanceof Error ? error.message : String(error)}`);
      setStatus('failed');
    })
    .finally(() => (($('stop') as HTMLButtonElement).disabled = true));
});
