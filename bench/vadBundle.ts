/**
 * What each voice activity detector costs a web page: the bytes it loads. The JavaScript is what
 * esbuild bundles (minified) for a page that creates the detector, with the detector's package
 * imported by the app as the docs say; to it come the WebAssembly and the model the detector
 * fetches. Each figure also gzipped, as a server would send it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));

/** Bytes of one file a page loads, raw and gzipped. */
export interface LoadedFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** Everything a page loads for one detector. */
export interface BundleCost {
  files: LoadedFile[];
  bytes: number;
  gzipBytes: number;
}

/** The page's code for each candidate: make the detector as a bundled app would. */
const ENTRIES: Record<string, string> = {
  webrtc: `import { createWebRtcVad } from './src/audio/vad/webrtc.js';
    export const make = (wasm) => createWebRtcVad({ load: () => import('@echogarden/fvad-wasm'), wasm });`,
  silero: `import { createSileroVad } from './src/audio/vad/silero.js';
    export const make = (model, wasm) => createSileroVad({ load: () => import('onnxruntime-web/wasm'), model, wasm });`,
};

function loaded(file: string, bytes: Uint8Array): LoadedFile {
  return { file, bytes: bytes.byteLength, gzipBytes: gzipSync(bytes, { level: 9 }).byteLength };
}

async function bundle(name: string, contents: string): Promise<{ js: LoadedFile; text: string }> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: `${name}-page.ts` },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // fvad.js imports Node's `module` on a path only Node takes; a browser bundle leaves it out.
    external: ['module'],
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced nothing for ${name}`);
  return { js: loaded(`${name} page code (JS)`, output.contents), text: output.text };
}

function sum(files: LoadedFile[]): BundleCost {
  return { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0) };
}

/** The WebRTC detector: its page code and fvad.wasm. */
export async function webRtcBundle(): Promise<BundleCost> {
  const { js } = await bundle('webrtc', ENTRIES['webrtc'] as string);
  const wasmPath = join(dirname(require.resolve('@echogarden/fvad-wasm')), 'fvad.wasm');
  return sum([js, loaded('fvad.wasm', readFileSync(wasmPath))]);
}

/** The Silero detector: its page code, the runtime's WebAssembly (the file its code names) and the model. */
export async function sileroBundle(model: 'v5' | 'v6'): Promise<BundleCost> {
  const { js, text } = await bundle('silero', ENTRIES['silero'] as string);
  const wasmName = /ort-wasm[\w.-]*\.wasm/.exec(text)?.[0];
  if (!wasmName) throw new Error('the onnxruntime-web bundle names no .wasm file');
  const ortDist = dirname(require.resolve('onnxruntime-web/wasm'));
  const modelPath = join(dirname(require.resolve('@ricky0123/vad-web')), `silero_vad_${model}.onnx`);
  return sum([js, loaded(wasmName, readFileSync(join(ortDist, wasmName))), loaded(`silero_vad_${model}.onnx`, readFileSync(modelPath))]);
}
