/**
 * The gateway's browser client: the microphone (captured through an AudioWorklet, 16 kHz PCM16)
 * goes to the gateway as binary WebSocket messages, the model's audio (24 kHz PCM16) comes back
 * and plays through the library's player, which stops at once on `interrupted`. The session id
 * stays in the page's URL: when the socket drops (a gateway died), the page reconnects with it
 * and the gateway that answers carries the call on.
 */
import { createAudioPlayer, mediaStreamSource } from '../../../src/audio/index.js';

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const params = new URLSearchParams(location.search);
const sessionId = params.get('id') ?? `web-${crypto.randomUUID()}`;
if (!params.has('id')) history.replaceState(null, '', `?id=${sessionId}`);
$('session').textContent = sessionId;
const started = performance.now();

function log(text: string) {
  const item = document.createElement('li');
  item.textContent = `${((performance.now() - started) / 1000).toFixed(2)}s  ${text}`;
  $('log').appendChild(item);
}

function setStatus(status: string) {
  document.body.dataset['status'] = status;
  $('status').textContent = status;
}

async function run(stop: AbortSignal): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  const player = createAudioPlayer();
  let socket: WebSocket | undefined;

  const open = () => {
    const next = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/session?id=${encodeURIComponent(sessionId)}`);
    next.binaryType = 'arraybuffer';
    next.addEventListener('message', ({ data }) => {
      if (data instanceof ArrayBuffer) return player.enqueue(new Uint8Array(data));
      const event = JSON.parse(String(data)) as { type: string; [key: string]: unknown };
      if (event.type === 'interrupted') void player.interrupt();
      if (event.type === 'turnComplete') player.endTurn();
      if (event.type === 'ready') setStatus(event['resumed'] ? 'connected (the conversation carried on)' : 'connected');
      log(`${event.type} ${JSON.stringify({ ...event, type: undefined })}`);
    });
    next.addEventListener('close', () => {
      if (stop.aborted) return;
      setStatus('reconnecting');
      log('the gateway went away: reconnecting with the same session id');
      setTimeout(() => !stop.aborted && (socket = open()), 500);
    });
    return next;
  };
  socket = open();
  stop.addEventListener('abort', () => {
    socket?.send(JSON.stringify({ type: 'hangup' }));
    socket?.close();
    for (const track of stream.getTracks()) track.stop();
    void player.close();
    setStatus('hung up');
  });
  for await (const chunk of mediaStreamSource(stream, { signal: stop })) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(chunk);
  }
}

$('start').addEventListener('click', () => {
  const stop = new AbortController();
  ($('start') as HTMLButtonElement).disabled = true;
  ($('stop') as HTMLButtonElement).disabled = false;
  $('stop').addEventListener('click', () => stop.abort(), { once: true });
  setStatus('connecting');
  run(stop.signal).catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    setStatus('failed');
  });
});
