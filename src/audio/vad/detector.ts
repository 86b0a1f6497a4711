/**
 * The seam between voice activity detection and everything else: a detector takes fixed-size
 * frames of 16 kHz mono audio and says how likely each one is speech. The built-in detectors
 * (`createWebRtcVad`, `createSileroVad`) implement it, and so can any detector of your own.
 */

/** The only sample rate a detector sees: the session's microphone audio is 16 kHz mono PCM16. */
export const VAD_SAMPLE_RATE = 16_000;

/**
 * A voice activity detector. Frames in, speech probability out.
 *
 * @example A detector of your own: a plain energy gate.
 * ```ts
 * const energyGate: VoiceActivityDetector = {
 *   name: 'energy',
 *   frameSamples: 320, // 20 ms
 *   process(frame) {
 *     let sum = 0;
 *     for (const s of frame) sum += s * s;
 *     return Math.sqrt(sum / frame.length) > 500 ? 1 : 0;
 *   },
 *   reset() {},
 *   dispose() {},
 * };
 * ```
 */
export interface VoiceActivityDetector {
  /** A short name, for reports and errors. */
  readonly name: string;
  /** The number of samples each call to {@link VoiceActivityDetector.process} takes (320 is 20 ms). */
  readonly frameSamples: number;
  /**
   * How likely the next frame is speech, from 0 to 1; a detector that only decides returns 0 or 1.
   * `frame` holds exactly `frameSamples` samples and is reused after the call returns: a detector
   * that answers with a promise must copy what it needs before returning. Calls never overlap:
   * the next frame waits for a returned promise to settle.
   */
  process(frame: Int16Array): number | Promise<number>;
  /** Forgets all audio seen so far, as for a new stream. */
  reset(): void;
  /** Frees what the detector holds (WASM memory, an inference session); it is not used again. */
  dispose(): void;
}

/** Where a detector's WebAssembly (or model) comes from when the default place will not do. */
export type BinarySource = string | URL | ArrayBuffer | Uint8Array;

/** Whether this runs in Node (where a package's files can be read from disk) rather than a browser. */
export function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions;
  return typeof versions?.node === 'string';
}

/**
 * Imports an optional peer dependency by name. The name is a variable on purpose: a bundler
 * then leaves it alone, so an app that bundles `gemini-live-fsm/audio` for the browser needs none
 * of the detectors' packages unless it uses them (and then passes its own `load`).
 */
export function importOptional(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<unknown>;
}
