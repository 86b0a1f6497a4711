/**
 * The browser example: a voice session with a tool, and no API key anywhere in the page. Before
 * every connection (the first, and each resume) the session asks the page's own server for an
 * ephemeral token. The microphone is captured through an AudioWorklet (`mediaStreamSource`), the
 * model's audio is played through another (`createAudioPlayer`) that stops within one render
 * quantum when the user talks over it, and the session shows in the Redux DevTools extension
 * when it is installed.
 *
 * `?baseUrl=http://127.0.0.1:PORT` points it at the emulator (`npm run example:browser` does);
 * without it, it talks to the real service with the tokens its server mints there.
 */
import { GoogleGenAI } from '@google/genai';
import { createLiveSession, type LiveSession, type SessionMetrics } from '../../src/index.js';
import { createAudioPlayer, mediaStreamSource, type PlaybackReport, type PlaybackStats } from '../../src/audio/index.js';
import { connectReduxDevTools, stateName } from '../../src/devtools/browser.js';
import type { LiveToken } from '../../src/server/index.js';
import { agentConfig, EMULATED_MODEL, getWeather, LIVE_MODEL, TOKEN_PATH } from './agent.js';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('baseUrl') ?? undefined;
/** How many model turns to hear before hanging up (0: until Stop). */
const turns = Number(params.get('turns') ?? '2');

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const started = performance.now();

/** What the page did, for a person to read and for the browser test to check. */
export interface ExampleResult {
  metrics: SessionMetrics;
  events: string[];
  micSampleRate: number | undefined;
  /** Tokens the page fetched from its server: one per connection. */
  tokensFetched: number;
  /** What the user heard of each interrupted turn. */
  interruptions: PlaybackReport[];
  playback: PlaybackStats;
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

function showMetrics(metrics: SessionMetrics, tokens: number) {
  const rows: [string, number][] = [
    ['mic frames forwarded', metrics.forwarded.audio],
    ['dropped while gated', metrics.dropped.gated],
    ['dropped, not streaming', metrics.dropped.notStreaming],
    ['tool calls', metrics.toolCalls],
    ['toolResponse messages', metrics.toolResponsesSent],
    ['ms gated', Math.round(metrics.gatedMs)],
    ['connections after the first', metrics.reconnects],
    ['tokens fetched', tokens],
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

async function run(stop: AbortSignal): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  // Made in the click's handler: the browser lets its audio context start.
  const player = createAudioPlayer();
  const events: string[] = [];
  const interruptions: PlaybackReport[] = [];
  let tokensFetched = 0;
  const note = (event: string, text: string) => {
    events.push(event);
    log(text);
  };

  const session: LiveSession = createLiveSession({
    // Called before every connection: the key stays on the server, each token serves one connection.
    tokenProvider: async () => {
      const response = await fetch(TOKEN_PATH, { method: 'POST' });
      if (!response.ok) throw new Error(`the token server answered ${response.status}`);
      const token = (await response.json()) as LiveToken;
      tokensFetched += 1;
      note('token', `token ${tokensFetched} fetched (valid until ${new Date(token.expireTime).toLocaleTimeString()})`);
      return token;
    },
    GoogleGenAI,
    httpOptions: baseUrl ? { baseUrl } : {},
    model: baseUrl ? EMULATED_MODEL : LIVE_MODEL,
    config: agentConfig,
    tools: [getWeather],
  });
  connectReduxDevTools(session, { name: 'gemini-live-fsm browser example' });
  player.attach(session, {
    onInterrupted: (report) => {
      interruptions.push(report);
      note('heard', `you heard ${Math.round(report.heardMs)} ms of that answer; ${Math.round(report.discardedMs)} ms were dropped`);
    },
  });

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
  session.on('goAway', ({ timeLeftMs }) => note('goAway', `the server ends this connection in ${timeLeftMs ?? '?'} ms`));
  session.on('reconnected', ({ resumed }) => note('reconnected', resumed ? 'resumed on a new connection' : 'new session'));
  session.on('interrupted', () => note('interrupted', 'you talked over the model: playback stopped'));
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
  const ticker = setInterval(() => showMetrics(session.metrics(), tokensFetched), 250);

  await finished;
  clearInterval(ticker);
  await session.close();
  for (const track of stream.getTracks()) track.stop();
  await player.drain(); // the answer's last words, or an interruption's fade
  const playback = await player.stats();
  await player.close();
  const metrics = session.metrics();
  showMetrics(metrics, tokensFetched);
  window.exampleResult = { metrics, events, micSampleRate: mic.inputSampleRate, tokensFetched, interruptions, playback };
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
