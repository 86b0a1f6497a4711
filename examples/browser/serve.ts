/**
 * Builds the browser example with esbuild and serves it on 127.0.0.1 next to a Live API
 * emulator, so that it runs with no API key and no internet:
 *
 *   npm run example:browser     then open the printed URL in a browser on this machine
 *
 * The browser tests use the same functions.
 */
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startLiveEmulator, type LiveEmulator, type LiveEmulatorOptions, type Scenario } from '../../src/testing/index.js';

const here = import.meta.dirname;
/** Where bundles go: inside the gitignored `test-artifacts/`. */
export const DEFAULT_OUT_DIR = resolve(here, '..', '..', 'test-artifacts', 'browser-example');

/** The emulated model: hears 600 ms of the microphone, calls a tool, answers. */
export const exampleScenario: Scenario = {
  name: 'browser-example',
  steps: [
    {
      after: { audioMs: 600 },
      do: [
        { inputTranscription: 'What is the weather in Paris?' },
        { audio: { ms: 300 } },
        { toolCall: [{ name: 'get_weather', args: { city: 'Paris' } }] },
      ],
    },
    {
      after: { toolResponse: true },
      do: [
        { audio: { ms: 800 } },
        { outputTranscription: "It's 18 degrees and sunny in Paris." },
        { generationComplete: true },
        { turnComplete: true },
      ],
    },
  ],
};

/** Bundles `main.ts` (with the library and `@google/genai`'s browser build) and copies the page. */
export async function buildExample(outDir = DEFAULT_OUT_DIR): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  await writeFile(join(outDir, 'index.html'), await readFile(join(here, 'index.html')));
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

/** Serves the files of a folder on 127.0.0.1 (no listing, no paths outside it). */
export async function serveFolder(folder: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const name = path === '/' ? 'index.html' : path.slice(1);
    if (name.includes('..') || name.includes('/') || !TYPES[extname(name)]) {
      res.writeHead(404).end();
      return;
    }
    readFile(join(folder, name)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A running example: the page's URL (pointed at the emulator), the emulator, and `close()`. */
export interface RunningExample {
  url: string;
  emulator: LiveEmulator;
  close(): Promise<void>;
}

/** Builds the example, starts an emulator playing {@link exampleScenario}, and serves the page. */
export async function startExample(options: { port?: number; outDir?: string; emulator?: LiveEmulatorOptions } = {}): Promise<RunningExample> {
  const folder = await buildExample(options.outDir);
  const emulator = await startLiveEmulator({ scenario: exampleScenario, ...options.emulator });
  const site = await serveFolder(folder, options.port);
  return {
    url: `${site.url}?baseUrl=${encodeURIComponent(emulator.baseUrl)}`,
    emulator,
    async close() {
      await site.close();
      await emulator.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const example = await startExample({ port: Number(process.env['PORT'] ?? 0) });
  console.log(`gemini-live-fsm browser example: ${example.url}`);
  console.log('open it in a browser on this machine, press "Start talking" and speak; Ctrl+C to stop');
  const stop = () => void example.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
