/**
 * The browser player: the model's 24 kHz PCM16 through an AudioWorklet with a small jitter
 * buffer. On an interruption the worklet fades out within the render quantum it is in (128
 * frames), drops the rest, and reports the frame it stopped at and what was played.
 *
 * The worklet runs {@link PlaybackCore} from its source text, loaded from a Blob URL: there is no
 * file to serve.
 */
import { PlaybackCore, type PlaybackCounts, type PlaybackCut } from './playbackCore.js';
import {
  attachPlayer,
  DEFAULT_JITTER_MS,
  MODEL_SAMPLE_RATE,
  pcm16ToFloat,
  RENDER_QUANTUM,
  statsOf,
  TurnLedger,
  type AudioPlayer,
  type PlaybackReport,
} from './player.js';

/** Options of {@link createAudioPlayer}. */
export interface AudioPlayerOptions {
  /** The context to play in (default: a new one at 24 kHz, closed by `close()`). One you pass is left open. */
  audioContext?: AudioContext;
  /** Where the player's output goes (default the context's destination). */
  destination?: AudioNode;
  /** Audio held back before playing starts, against network jitter (default 60 ms). */
  jitterMs?: number;
}

/** The browser player: an {@link AudioPlayer} with its Web Audio parts in reach. */
export interface BrowserAudioPlayer extends AudioPlayer {
  readonly audioContext: AudioContext;
  /** Resolves once the worklet runs (calls made before are queued). */
  readonly ready: Promise<void>;
  /** The worklet node, once ready: route or tap it. */
  readonly node: AudioWorkletNode | undefined;
  /** The interruptions so far: the output frame (`currentFrame`) at which each fade began. */
  readonly interruptions: readonly { frame: number; report: PlaybackReport }[];
}

/** What the worklet answers. */
type WorkletReply =
  | { type: 'cut'; id: number; frame: number; cut: PlaybackCut }
  | { type: 'counts'; id: number; counts: PlaybackCounts }
  | { type: 'drained'; id: number };

let processorCount = 0;

/** The worklet: the shared core, and a port to talk to the page. */
function workletSource(name: string): string {
  return `
const PlaybackCore = (${PlaybackCore.toString()});
class Player extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.core = new PlaybackCore(options.processorOptions);
    this.cuts = [];
    this.drains = [];
    this.stopped = false;
    this.port.onmessage = (event) => {
      const m = event.data;
      if (m.type === 'push') this.core.push(m.samples);
      else if (m.type === 'interrupt') { this.core.interrupt(); this.cuts.push(m.id); }
      else if (m.type === 'counts') this.port.postMessage({ type: 'counts', id: m.id, counts: this.core.counts() });
      else if (m.type === 'drain') this.drains.push(m.id);
      else if (m.type === 'stop') this.stopped = true;
    };
  }
  process(inputs, outputs) {
    if (this.stopped) return false;
    const channels = outputs[0];
    const out = channels[0];
    this.core.render(out);
    for (let c = 1; c < channels.length; c += 1) channels[c].set(out);
    if (this.cuts.length > 0 && !this.core.fading()) {
      for (const id of this.cuts) this.port.postMessage({ type: 'cut', id, frame: currentFrame, cut: this.core.cut });
      this.cuts = [];
    }
    if (this.drains.length > 0 && this.core.buffered() === 0 && !this.core.fading()) {
      for (const id of this.drains) this.port.postMessage({ type: 'drained', id });
      this.drains = [];
    }
    return true;
  }
}
registerProcessor(${JSON.stringify(name)}, Player);
`;
}

/**
 * Creates a player for the browser. Call it from a user gesture (a click), so that the audio
 * context may start.
 *
 * @example
 * ```ts
 * import { createAudioPlayer } from 'gemini-live-fsm/audio';
 *
 * startButton.onclick = async () => {
 *   const player = createAudioPlayer();
 *   player.attach(session, { onInterrupted: ({ heardMs }) => console.log(`heard ${heardMs} ms`) });
 *   await session.connect();
 * };
 * ```
 */
export function createAudioPlayer(options: AudioPlayerOptions = {}): BrowserAudioPlayer {
  const context = options.audioContext ?? new AudioContext({ sampleRate: MODEL_SAMPLE_RATE, latencyHint: 'interactive' });
  const ownContext = options.audioContext === undefined;
  const ledger = new TurnLedger();
  /** Questions to the worklet not yet answered, with what to answer if it never does (closed). */
  const waiting = new Map<number, { answer: (reply: WorkletReply) => void; fallback: () => WorkletReply }>();
  const interruptions: { frame: number; report: PlaybackReport }[] = [];
  let node: AudioWorkletNode | undefined;
  let pushedBeforeReady: Float32Array[] = [];
  let nextId = 0;
  let closed = false;

  const name = `gemini-live-fsm-player-${++processorCount}`;
  const ready = (async () => {
    const url = URL.createObjectURL(new Blob([workletSource(name)], { type: 'text/javascript' }));
    try {
      await context.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    if (closed) return;
    node = new AudioWorkletNode(context, name, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: {
        jitterSamples: ((options.jitterMs ?? DEFAULT_JITTER_MS) * MODEL_SAMPLE_RATE) / 1000,
        fadeFrames: RENDER_QUANTUM,
        step: MODEL_SAMPLE_RATE / context.sampleRate,
      },
    });
    node.port.onmessage = (event: MessageEvent<WorkletReply>) => {
      const question = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      question?.answer(event.data);
    };
    node.connect(options.destination ?? context.destination);
    for (const samples of pushedBeforeReady) node.port.postMessage({ type: 'push', samples }, [samples.buffer]);
    pushedBeforeReady = [];
  })();
  // A failure to load surfaces through `ready`; it must not be an unhandled rejection.
  ready.catch(() => undefined);

  /** Asks the worklet something; answers `fallback` if there is no worklet (not ready, or closed). */
  const ask = <T extends WorkletReply>(type: 'interrupt' | 'counts' | 'drain', fallback: () => T): Promise<T> =>
    ready.then(
      () =>
        new Promise<T>((resolve) => {
          if (!node || closed) {
            resolve(fallback());
            return;
          }
          const id = ++nextId;
          waiting.set(id, { answer: (reply) => resolve(reply as T), fallback });
          node.port.postMessage({ type, id });
        }),
      () => fallback(),
    );

  const player: BrowserAudioPlayer = {
    audioContext: context,
    ready,
    interruptions,
    get node() {
      return node;
    },
    enqueue(pcm) {
      if (closed) return;
      const samples = pcm16ToFloat(pcm);
      ledger.add(samples.length);
      if (context.state === 'suspended') void context.resume().catch(() => undefined);
      if (node) node.port.postMessage({ type: 'push', samples }, [samples.buffer]);
      else pushedBeforeReady.push(samples);
    },
    async interrupt() {
      const report = ledger.interrupt();
      if (!node) {
        // Nothing has played yet: drop what waits for the worklet.
        const discarded = pushedBeforeReady.reduce((sum, samples) => sum + samples.length, 0);
        pushedBeforeReady = [];
        return report({ at: 0, discarded, fadeFrames: 0 });
      }
      const reply = await ask<Extract<WorkletReply, { type: 'cut' }>>('interrupt', () => ({ type: 'cut', id: 0, frame: 0, cut: { at: 0, discarded: 0, fadeFrames: 0 } }));
      const result = report(reply.cut);
      interruptions.push({ frame: reply.frame, report: result });
      return result;
    },
    endTurn: () => ledger.endTurn(),
    async stats() {
      const empty = { received: 0, played: 0, discarded: 0, buffered: 0 };
      return statsOf((await ask<Extract<WorkletReply, { type: 'counts' }>>('counts', () => ({ type: 'counts', id: 0, counts: empty }))).counts);
    },
    async drain() {
      await ask('drain', () => ({ type: 'drained', id: 0 }));
    },
    attach: (session, attachOptions) => attachPlayer(player, session, attachOptions),
    async close() {
      if (closed) return;
      closed = true;
      for (const question of waiting.values()) question.answer(question.fallback());
      waiting.clear();
      node?.port.postMessage({ type: 'stop' });
      node?.disconnect();
      if (ownContext) await context.close().catch(() => undefined);
    },
  };
  return player;
}
