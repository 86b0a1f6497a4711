/**
 * WebRTC's voice activity detector (libfvad, a GMM over six sub-bands), compiled to WebAssembly by
 * the `@echogarden/fvad-wasm` package: about 35 KB of JS and WASM, no native build, and microseconds
 * per frame. It is an optional peer dependency, loaded on first use. One WebAssembly module is
 * shared by every detector of the page or process; each detector is a small state in it.
 */
import { VadError } from '../../protocol/errors.js';
import { VAD_SAMPLE_RATE, importOptional, type BinarySource, type VoiceActivityDetector } from './detector.js';

/** Options of {@link createWebRtcVad}. */
export interface WebRtcVadOptions {
  /** Aggressiveness, 0 (least) to 3 (most likely to call a frame not speech). Default 3. */
  mode?: 0 | 1 | 2 | 3;
  /** Frame length: 10, 20 or 30 ms. Default {@link DEFAULT_WEBRTC_FRAME_MS}. */
  frameMs?: 10 | 20 | 30;
  /**
   * `fvad.wasm`, as bytes or as a URL. By default Node reads it from the installed package, and a
   * browser fetches it from beside `fvad.js` (which a bundler may have moved: then give its URL).
   */
  wasm?: BinarySource;
  /**
   * Imports `@echogarden/fvad-wasm`. By default it is imported by name, which works in Node and in
   * a browser with an import map; an app bundled for the browser passes
   * `() => import('@echogarden/fvad-wasm')` so that its bundler includes it.
   */
  load?: () => Promise<unknown>;
}

/** The default aggressiveness, chosen on the fixtures (docs/activity.md). */
export const DEFAULT_WEBRTC_MODE = 3;
/** The default frame length: on the fixtures, 10 ms frames start speech sooner, with fewer false starts, than 20 or 30. */
export const DEFAULT_WEBRTC_FRAME_MS = 10;

/** What this file uses of the Emscripten module. */
interface FvadModule {
  HEAP16: Int16Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _fvad_new(): number;
  _fvad_free(instance: number): void;
  _fvad_reset(instance: number): void;
  _fvad_set_mode(instance: number, mode: number): number;
  _fvad_set_sample_rate(instance: number, rate: number): number;
  _fvad_process(instance: number, frame: number, length: number): number;
}

interface EmscriptenOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, scriptDirectory: string) => string;
  printErr?: (text: string) => void;
}

const NAME = 'webrtc';
const PACKAGE = '@echogarden/fvad-wasm';
/** One module per source of its WebAssembly, shared by every detector made from that source. */
const modules = new Map<unknown, Promise<FvadModule>>();

/**
 * Creates a WebRTC voice activity detector. It decides (0 or 1) rather than scoring.
 *
 * @example
 * ```ts
 * const detector = await createWebRtcVad(); // Node: npm install @echogarden/fvad-wasm
 * // In a bundled browser app:
 * const inBrowser = await createWebRtcVad({ load: () => import('@echogarden/fvad-wasm'), wasm: '/assets/fvad.wasm' });
 * ```
 */
export async function createWebRtcVad(options: WebRtcVadOptions = {}): Promise<VoiceActivityDetector> {
  const mode = options.mode ?? DEFAULT_WEBRTC_MODE;
  const frameMs = options.frameMs ?? DEFAULT_WEBRTC_FRAME_MS;
  if (![0, 1, 2, 3].includes(mode)) throw new VadError('VAD_INVALID_OPTIONS', NAME, `mode must be 0, 1, 2 or 3, got ${String(mode)}`);
  if (![10, 20, 30].includes(frameMs)) throw new VadError('VAD_INVALID_OPTIONS', NAME, `frameMs must be 10, 20 or 30, got ${String(frameMs)}`);
  const frameSamples = (VAD_SAMPLE_RATE / 1000) * frameMs;
  const module = await sharedModule(options);

  let instance = module._fvad_new();
  const buffer = module._malloc(frameSamples * 2);
  if (instance === 0 || buffer === 0) throw new VadError('VAD_UNAVAILABLE', NAME, 'fvad could not allocate a detector');
  const configure = () => {
    module._fvad_set_mode(instance, mode);
    module._fvad_set_sample_rate(instance, VAD_SAMPLE_RATE);
  };
  configure();

  return {
    name: NAME,
    frameSamples,
    process(frame) {
      if (instance === 0) throw new VadError('VAD_FAILED', NAME, 'the detector was disposed');
      // HEAP16 is read on every call: the module's memory (and so this view) can be replaced when it grows.
      module.HEAP16.set(frame.subarray(0, frameSamples), buffer >> 1);
      const decision = module._fvad_process(instance, buffer, frameSamples);
      if (decision < 0) throw new VadError('VAD_FAILED', NAME, `fvad_process refused a frame of ${frame.length} samples`);
      return decision;
    },
    reset() {
      if (instance === 0) return;
      module._fvad_reset(instance); // also resets the mode and rate
      configure();
    },
    dispose() {
      if (instance === 0) return;
      module._fvad_free(instance);
      module._free(buffer);
      instance = 0;
    },
  };
}

function sharedModule(options: WebRtcVadOptions): Promise<FvadModule> {
  const key = options.wasm instanceof URL ? options.wasm.href : (options.wasm ?? 'default');
  let module = modules.get(key);
  if (!module) {
    module = instantiate(options);
    modules.set(key, module);
    // A failed load is not cached: the next detector tries again (the package may be installed by then).
    module.catch(() => modules.delete(key));
  }
  return module;
}

async function instantiate(options: WebRtcVadOptions): Promise<FvadModule> {
  let imported: unknown;
  try {
    imported = await (options.load ?? (() => importOptional(PACKAGE)))();
  } catch (cause) {
    throw new VadError('VAD_UNAVAILABLE', NAME, `${PACKAGE} could not be imported; install it with \`npm install ${PACKAGE}\``, { cause });
  }
  const factory = (imported as { default?: unknown } | undefined)?.default;
  if (typeof factory !== 'function') throw new VadError('VAD_UNAVAILABLE', NAME, `${PACKAGE} has no default export to instantiate`);
  // Emscripten would print a failed load to the console; the VadError carries it (as its cause).
  const emscripten: EmscriptenOptions = { printErr: () => undefined };
  const { wasm } = options;
  if (wasm instanceof ArrayBuffer || wasm instanceof Uint8Array) emscripten.wasmBinary = wasm;
  else if (wasm !== undefined) emscripten.locateFile = () => String(wasm);
  try {
    return (await (factory as (options: EmscriptenOptions) => Promise<FvadModule>)(emscripten)) satisfies FvadModule;
  } catch (cause) {
    throw new VadError('VAD_UNAVAILABLE', NAME, `fvad.wasm could not be loaded${wasm === undefined ? '' : ` from ${describeSource(wasm)}`}`, { cause });
  }
}

function describeSource(source: BinarySource): string {
  return typeof source === 'string' || source instanceof URL ? String(source) : `${source.byteLength} bytes`;
}
