/**
 * The browser example's server: it builds the page with esbuild, serves it on 127.0.0.1, and
 * hands the page an ephemeral token for each connection from `POST /api/live-token`. The API key
 * lives here only; the page never sees it. By default the Live API is a local emulator (any key
 * will do, and no internet is needed):
 *
 *   npm run example:browser                               the emulator
 *   GEMINI_API_KEY=… npm run example:browser -- --live    the real service
 *
 * then open the printed URL in a browser on this machine. The browser tests use the same functions.
 */
import { GoogleGenAI } from '@google/genai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { createTokenHandler } from '../../src/server/index.js';
import { runScenario, startLiveEmulator, type LiveEmulator, type LiveEmulatorOptions, type Scenario } from '../../src/testing/index.js';
import { agentConfig, EMULATED_MODEL, getWeather, LIVE_MODEL, TOKEN_PATH } from './agent.js';

const here = import.meta.dirname;
/** Where bundles go: inside the gitignored `test-artifacts/`. */
export const DEFAULT_OUT_DIR = resolve(here, '..', '..', 'test-artifacts', 'browser-example');

/**
 * The emulated model on the first connection: hears 600 ms of the microphone, calls a tool,
 * answers, and then announces the end of the connection (a goAway, as the service does about
 * every 10 minutes): the page resumes on a new connection, with a fresh token.
 */
export const firstConnectionScenario: Scenario = {
  name: 'browser-example: first connection',
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
        { goAway: '2s' },
      ],
    },
  ],
};

/**
 * On the resumed connection: a long answer, and the user talks over it: the server says
 * `interrupted`, and the page's player stops within one render quantum and reports what was heard.
 */
export const resumedConnectionScenario: Scenario = {
  name: 'browser-example: resumed connection',
  steps: [
    {
      after: { audioMs: 400 },
      do: [
        { inputTranscription: 'And what should I wear?' },
        { audio: { ms: 2500 } },
        { outputTranscription: 'A light jacket will do, and maybe sunglasses, because' },
        { wait: 700 },
        { interrupted: true },
        { turnComplete: true },
      ],
    },
  ],
};

/** Emulator options that play the first or the resumed scenario on each connection. */
export const exampleEmulatorOptions: LiveEmulatorOptions = {
  async onConnection(connection) {
    await connection.ready.catch(() => undefined);
    if (connection.isOpen) runScenario(connection, connection.resumedFrom ? resumedConnectionScenario : firstConnectionScenario);
  },
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

/** A request handler for one path. */
export type Route = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Serves the files of a folder on 127.0.0.1 (no listing, no paths outside it), and `routes` by path. */
export async function serveFolder(folder: string, port = 0, routes: Record<string, Route> = {}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const route = routes[path];
    if (route) {
      void route(req, res);
      return;
    }
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

/** A running example: the page's URL, the emulator (unless live), and `close()`. */
export interface RunningExample {
  url: string;
  emulator: LiveEmulator | undefined;
  close(): Promise<void>;
}

/** Options of {@link startExample}. */
export interface ExampleOptions {
  port?: number;
  outDir?: string;
  /** The API key the server mints tokens with (for the emulator, any). */
  apiKey?: string;
  /** Talk to the real service instead of an emulator (needs a real `apiKey`). */
  live?: boolean;
  emulator?: LiveEmulatorOptions;
}

/**
 * Builds the example, starts an emulator playing {@link firstConnectionScenario} then
 * {@link resumedConnectionScenario} (unless `live`), and serves the page with its token route.
 */
export async function startExample(options: ExampleOptions = {}): Promise<RunningExample> {
  const folder = await buildExample(options.outDir);
  const emulator = options.live ? undefined : await startLiveEmulator({ ...exampleEmulatorOptions, ...options.emulator });
  const apiKey = options.apiKey ?? 'emulator-needs-no-real-key';
  const ai = new GoogleGenAI(emulator ? { apiKey, httpOptions: { baseUrl: emulator.baseUrl } } : { apiKey });
  let origin = '';
  const tokens = createTokenHandler({
    ai,
    model: emulator ? EMULATED_MODEL : LIVE_MODEL,
    config: agentConfig,
    tools: [getWeather],
    // Only this page may have tokens: a browser sends its origin with every POST.
    authorize: (request) => request.headers.origin === origin,
    onError: (error) => console.error(`could not mint a token: ${error.message}`),
  });
  const site = await serveFolder(folder, options.port, { [TOKEN_PATH]: tokens });
  origin = new URL(site.url).origin;
  return {
    url: emulator ? `${site.url}?baseUrl=${encodeURIComponent(emulator.baseUrl)}` : site.url,
    emulator,
    async close() {
      await site.close();
      await emulator?.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const live = process.argv.includes('--live');
  const apiKey = process.env['GEMINI_API_KEY'];
  if (live && !apiKey) {
    console.error('--live mints tokens on the real service: set GEMINI_API_KEY first (it stays on this server).');
    process.exit(2);
  }
  const example = await startExample({ port: Number(process.env['PORT'] ?? 0), live, apiKey });
  console.log(`gemini-live-fsm browser example: ${example.url}`);
  console.log('open it in a browser on this machine, press "Start talking" and speak; Ctrl+C to stop');
  const stop = () => void example.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
