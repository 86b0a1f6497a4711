/**
 * Silero VAD (a small neural network, MIT-licensed) run by `onnxruntime-web`'s WebAssembly
 * backend, with the weights the `@ricky0123/vad-web` package ships. It scores every 32 ms (512
 * samples, with the 64 samples before them as context, as Silero's own wrapper does). Both
 * packages are optional peer dependencies, loaded on first use; in the browser the runtime's
 * `.wasm` and the model are fetched from URLs you give.
 */
import { VadError } from '../../protocol/errors.js';
import { VAD_SAMPLE_RATE, importOptional, isNode, type BinarySource, type VoiceActivityDetector } from './detector.js';

/** The Silero models `@ricky0123/vad-web` ships with the same inputs and outputs. */
export type SileroModelVersion = 'v5' | 'v6';

/** Options of {@link createSileroVad}. */
export interface SileroVadOptions {
  /**
   * The model: a version shipped by `@ricky0123/vad-web` (default `'v6'`, which on the fixtures
   * kept the pauses between utterances in babble that `'v5'` ran together; Node reads it from the
   * installed package), or the `.onnx` file as bytes or as a URL (needed in a browser).
   */
  model?: SileroModelVersion | BinarySource;
  /**
   * Imports `onnxruntime-web`. By default it is imported by name (Node, or a browser with an
   * import map); an app bundled for the browser passes `() => import('onnxruntime-web/wasm')`.
   */
  load?: () => Promise<unknown>;
  /**
   * The runtime's WebAssembly (`onnxruntime-web/dist/ort-wasm-simd-threaded.wasm`), as bytes or as
   * its URL: a bundled browser app gives it. It is set on onnxruntime-web's global `env.wasm`.
   */
  wasm?: BinarySource;
}

/** What this file uses of `onnxruntime-web`: a structural subset, so its types are not part of this package's. */
interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor | undefined>>;
  release(): Promise<void>;
}
interface Ort {
  env: { wasm: { numThreads?: number; wasmPaths?: unknown; wasmBinary?: unknown } };
  Tensor: new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}

const PACKAGE = 'onnxruntime-web';
const MODEL_PACKAGE = '@ricky0123/vad-web';
const FRAME_SAMPLES = 512;
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/**
 * Creates a Silero voice activity detector. It scores (a probability), 512 samples at a time.
 *
 * @example
 * ```ts
 * const detector = await createSileroVad(); // Node: npm install onnxruntime-web @ricky0123/vad-web
 * // In a bundled browser app, with the model and ort's .wasm file served from /vad/:
 * const inBrowser = await createSileroVad({
 *   load: () => import('onnxruntime-web/wasm'),
 *   model: '/vad/silero_vad_v6.onnx',
 *   wasm: '/vad/ort-wasm-simd-threaded.wasm',
 * });
 * ```
 */
export async function createSileroVad(options: SileroVadOptions = {}): Promise<VoiceActivityDetector> {
  const modelOption = options.model ?? 'v6';
  const name = `silero-${typeof modelOption === 'string' && (modelOption === 'v5' || modelOption === 'v6') ? modelOption : 'custom'}`;
  const model = modelSource(modelOption, name);
  const ort = await loadOrt(options, name);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  } catch (cause) {
    throw new VadError('VAD_UNAVAILABLE', name, `the model could not be loaded from ${describeModel(model)}`, { cause });
  }

  // One input buffer and tensor, reused: calls never overlap, and ort copies the input in run().
  const input = new Float32Array(CONTEXT_SAMPLES + FRAME_SAMPLES);
  const inputTensor = new ort.Tensor('float32', input, [1, input.length]);
  const rate = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), [1]);
  const freshState = () => new ort.Tensor('float32', new Float32Array(STATE_SIZE), [2, 1, 128]);
  let state = freshState();
  let disposed = false;

  return {
    name,
    frameSamples: FRAME_SAMPLES,
    async process(frame) {
      if (disposed) throw new VadError('VAD_FAILED', name, 'the detector was disposed');
      // The last 64 samples of the previous frame lead this one, as Silero's own wrapper does.
      input.copyWithin(0, FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i += 1) input[CONTEXT_SAMPLES + i] = (frame[i] ?? 0) / 32768;
      let out: Record<string, OrtTensor | undefined>;
      try {
        out = await session.run({ input: inputTensor, state, sr: rate });
      } catch (cause) {
        throw new VadError('VAD_FAILED', name, 'inference failed', { cause });
      }
      const probability = (out['output']?.data as ArrayLike<number> | undefined)?.[0];
      const next = out['stateN'];
      if (typeof probability !== 'number' || !next) throw new VadError('VAD_FAILED', name, 'the model returned no output or state');
      state = next;
      return probability;
    },
    reset() {
      state = freshState();
      input.fill(0);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release().catch(() => undefined);
    },
  };
}

async function loadOrt(options: SileroVadOptions, name: string): Promise<Ort> {
  let imported: unknown;
  try {
    imported = await (options.load ?? (() => importOptional(PACKAGE)))();
  } catch (cause) {
    throw new VadError('VAD_UNAVAILABLE', name, `${PACKAGE} could not be imported; install it with \`npm install ${PACKAGE} ${MODEL_PACKAGE}\``, { cause });
  }
  const ort = ((imported as { InferenceSession?: unknown } | undefined)?.InferenceSession ? imported : (imported as { default?: unknown } | undefined)?.default) as Ort | undefined;
  if (!ort?.InferenceSession || !ort.Tensor || !ort.env?.wasm) throw new VadError('VAD_UNAVAILABLE', name, `${PACKAGE} does not look like onnxruntime-web`);
  // A model this small gains nothing from threads, and threads need a cross-origin isolated page.
  if (!ort.env.wasm.numThreads) ort.env.wasm.numThreads = 1;
  const { wasm } = options;
  if (wasm instanceof ArrayBuffer || wasm instanceof Uint8Array) ort.env.wasm.wasmBinary = wasm;
  // Only the .wasm file is named, so the bundled runtime keeps its own JS glue; the URL must be absolute.
  else if (wasm !== undefined) ort.env.wasm.wasmPaths = { wasm: absoluteUrl(wasm, name) };
  return ort;
}

/** What `InferenceSession.create` gets: bytes, a URL, or (in Node) the path of the packaged model. */
function modelSource(model: SileroModelVersion | BinarySource, name: string): string | Uint8Array {
  if (model instanceof Uint8Array) return model;
  if (model instanceof ArrayBuffer) return new Uint8Array(model);
  if (model instanceof URL) return model.protocol === 'file:' ? filePath(model) : model.href;
  if (model !== 'v5' && model !== 'v6') return model;
  if (!isNode()) {
    throw new VadError('VAD_INVALID_OPTIONS', name, `in a browser, give the model's URL (e.g. where ${MODEL_PACKAGE}/dist/silero_vad_${model}.onnx is served)`);
  }
  let resolved: string;
  try {
    resolved = import.meta.resolve(`${MODEL_PACKAGE}/dist/silero_vad_${model}.onnx`);
  } catch (cause) {
    throw new VadError('VAD_UNAVAILABLE', name, `${MODEL_PACKAGE} is not installed; install it with \`npm install ${MODEL_PACKAGE}\``, { cause });
  }
  return filePath(new URL(resolved));
}

/** A file URL as a path onnxruntime-web reads with Node's fs (on Windows, without the leading slash). */
function filePath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/** A URL made absolute against the page's (onnxruntime-web wants absolute ones). */
function absoluteUrl(url: string | URL, name: string): string {
  try {
    return new URL(String(url), (globalThis as { location?: { href: string } }).location?.href).href;
  } catch (cause) {
    throw new VadError('VAD_INVALID_OPTIONS', name, `wasm is not a URL: ${String(url)}`, { cause });
  }
}

function describeModel(model: string | Uint8Array): string {
  return typeof model === 'string' ? model : `${model.byteLength} bytes`;
}
