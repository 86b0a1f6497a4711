/**
 * A browser microphone as an audio source: a `MediaStream` (from `getUserMedia`) runs through an
 * AudioWorklet that hands its samples to the page, where they are resampled to 16 kHz PCM16 and
 * cut into 20 ms chunks, ready for `session.attachMic`.
 *
 * The worklet's code is a string loaded from a Blob URL, so there is no extra file to serve.
 */
import { createPcm16Converter } from './resample.js';

/** Options of {@link mediaStreamSource}. */
export interface MediaStreamSourceOptions {
  /**
   * The audio context to run in (default: a new one, closed when the source ends). One you pass
   * is left open.
   */
  audioContext?: AudioContext;
  /** Length of each chunk, 20 to 40 ms (default 20). */
  chunkMs?: number;
  /** Ends the source. */
  signal?: AbortSignal;
}

/** An audio source over a `MediaStream`. */
export interface MediaStreamAudioSource extends AsyncIterable<Uint8Array> {
  /** Stops capturing. The stream's tracks are left running: they belong to the application. */
  close(): void;
  /** The audio context's sample rate, once capturing has started. */
  readonly inputSampleRate: number | undefined;
}

let processorCount = 0;

/** The worklet: gathers the (mono) input into blocks of `blockFrames` and posts each one. */
function workletSource(name: string): string {
  return `
class Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.size = options.processorOptions.blockFrames;
    this.block = new Float32Array(this.size);
    this.filled = 0;
    this.stopped = false;
    this.port.onmessage = (event) => { if (event.data === 'stop') this.stopped = true; };
  }
  process(inputs) {
    if (this.stopped) return false;
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i += 1) {
      this.block[this.filled++] = channel[i];
      if (this.filled === this.size) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.size);
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor(${JSON.stringify(name)}, Capture);
`;
}

/**
 * Captures a `MediaStream`'s audio as 16 kHz PCM16 chunks (20 ms by default). Capturing starts
 * when iteration starts, and ends when the stream's audio track ends, `signal` aborts, `close()`
 * is called, or the consumer stops iterating (as `session.detachMic()` does).
 *
 * @example
 * ```ts
 * import { createLiveSession, mediaStreamSource } from 'gemini-live-fsm';
 * const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
 * await session.connect();
 * session.attachMic(mediaStreamSource(stream));
 * ```
 */
export function mediaStreamSource(stream: MediaStream, options: MediaStreamSourceOptions = {}): MediaStreamAudioSource {
  const chunkMs = Math.min(40, Math.max(20, options.chunkMs ?? 20));
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  let ended = false;
  let started = false;
  let inputSampleRate: number | undefined;
  let teardown: (() => void) | undefined;

  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const finish = () => {
    if (ended) return;
    ended = true;
    teardown?.();
    notify();
  };

  const start = async () => {
    const track = stream.getAudioTracks()[0];
    if (!track) throw new TypeError('the MediaStream has no audio track');
    const context = options.audioContext ?? new AudioContext();
    const ownContext = options.audioContext === undefined;
    const name = `gemini-live-fsm-capture-${++processorCount}`;
    const url = URL.createObjectURL(new Blob([workletSource(name)], { type: 'text/javascript' }));
    try {
      await context.audioWorklet.addModule(url);
    } finally {
      URL.revokeObjectURL(url);
    }
    if (ended) {
      if (ownContext) void context.close();
      return;
    }
    inputSampleRate = context.sampleRate;
    const converter = createPcm16Converter(context.sampleRate, chunkMs);
    const input = context.createMediaStreamSource(stream);
    // One channel, explicitly: the browser mixes a stereo microphone down before the worklet.
    const node = new AudioWorkletNode(context, name, {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      processorOptions: { blockFrames: Math.round((context.sampleRate * chunkMs) / 1000) },
    });
    node.port.onmessage = (event: MessageEvent<Float32Array>) => {
      if (ended) return;
      queue.push(...converter.push(event.data));
      notify();
    };
    input.connect(node);
    track.addEventListener('ended', finish);
    // A context made before any user gesture may start suspended; a page that captures the
    // microphone is allowed to run it.
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    teardown = () => {
      track.removeEventListener('ended', finish);
      node.port.postMessage('stop');
      node.port.onmessage = null;
      input.disconnect();
      node.disconnect();
      if (ownContext) void context.close().catch(() => undefined);
    };
  };

  const onAbort = () => finish();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) finish();

  return {
    get inputSampleRate() {
      return inputSampleRate;
    },
    close: finish,
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      if (!started && !ended) {
        started = true;
        start().catch((error: unknown) => {
          failure = error;
          finish();
        });
      }
      return {
        async next() {
          for (;;) {
            const chunk = queue.shift();
            if (chunk) return { value: chunk, done: false };
            if (failure !== undefined) {
              const error = failure;
              failure = undefined;
              throw error;
            }
            if (ended) return { value: undefined, done: true };
            await new Promise<void>((resolve) => (wake = resolve));
          }
        },
        async return() {
          options.signal?.removeEventListener('abort', onAbort);
          finish();
          queue.length = 0;
          return { value: undefined, done: true };
        },
      };
    },
  };
}
