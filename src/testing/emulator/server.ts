/**
 * The listening side: an HTTP server on 127.0.0.1 that upgrades Live API paths to WebSockets and
 * hands each socket to an {@link EmulatorConnection}.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ModelProfile } from '../../models/index.js';
import { EmulatorConnection } from './connection.js';
import { CLOSE_REASONS, type CloseSpec } from './closes.js';
import { HandleStore } from './resumption.js';
import { isBuiltinScenario, scenarios, type BuiltinScenarioName } from './script/builtins.js';
import { runScenario, validateScenario, type Scenario } from './script/scenario.js';
import { MINT_PATH, TokenStore, answerMintRequest, tokenOfPath, type MintedToken, type TokenPolicy } from './tokens.js';
import type { ClientFrame, EmulatorEvent, EmulatorStats } from './types.js';

/**
 * The paths the SDK opens: the Gemini API (`v1beta` in @google/genai 2.x, `v1` in 3.x) and Vertex
 * AI; ephemeral tokens use the `Constrained` method, on `v1alpha` only. The SDK joins its base
 * URL and the path with a double slash, hence `\/+`.
 */
const LIVE_PATHS = [
  /^\/+ws\/google\.ai\.generativelanguage\.(v1\w*)\.GenerativeService\.BidiGenerateContent(?:\?|$)/,
  /^\/+ws\/google\.cloud\.aiplatform\.(v1\w*)\.LlmBidiService\/BidiGenerateContent(?:\?|$)/,
];
/** The endpoint for ephemeral tokens; only `v1alpha` has it (documented; other versions are refused). */
const CONSTRAINED_PATH = /^\/+ws\/google\.ai\.generativelanguage\.v1alpha\.GenerativeService\.BidiGenerateContentConstrained(?:\?|$)/;

/** Options of {@link startLiveEmulator}. */
export interface LiveEmulatorOptions {
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /**
   * How long after a tool call closes the gate realtime input is still tolerated (counted in
   * `stats.graceTolerated`, not closed with 1008); default 20 ms. Frames the client sent before
   * the toolCall reached it are already on the wire and cross it; 20 ms covers loopback and a
   * client's same-tick batch. It also lets an answer to a just-cancelled call through. Use 0 to
   * refuse everything at once.
   */
  graceMs?: number;
  /** `false` sends tool calls without `id` (Vertex AI style); responses then match by name. Default `true`. */
  callIds?: boolean;
  /** A built-in scenario name or a scenario of your own, played on every connection. */
  scenario?: BuiltinScenarioName | Scenario;
  /** Called for each accepted socket, before its setup; may be async. A throw closes it with 1011. */
  onConnection?(connection: EmulatorConnection): void | Promise<void>;
  /** Called for each client frame, after it is recorded. */
  onFrame?(connection: EmulatorConnection, frame: ClientFrame): void;
  /**
   * Called when a connection does something by its model's rules rather than by the script: input
   * cancelled a BLOCKING call, answers to cancelled calls were ignored, a `contextUpdate` replaced
   * the tools.
   */
  onEvent?(connection: EmulatorConnection, event: EmulatorEvent): void;
  /**
   * On a model whose input cancels a BLOCKING call (gemini-3.8-live): cancel it without a
   * `toolCallCancellation`, as a field report saw; by default the emulator sends one (what the
   * migration guide implies). `true` for every connection; a function decides per connection;
   * `connection.silentCancel` changes it later. Default false.
   */
  silentCancel?: boolean | ((connection: EmulatorConnection) => boolean);
  /**
   * Fields over the profile of the model in each setup (the table of `gemini-live-fsm/models`),
   * as the session's `modelProfile` option gives them: keep both the same, and the session and
   * the emulator agree on a model the table does not know.
   */
  modelProfile?: Partial<ModelProfile>;
  /** Model audio is sent in frames of this length; default 100 ms. */
  audioChunkMs?: number;
  /** How long a resumption handle can be resumed; default 2 hours, as the service. */
  handleTtlMs?: number;
  /**
   * Hold setup: take the `setup` message but send no `setupComplete` until the test calls
   * `connection.completeSetup()` (a server that never completes setup, for connect timeouts).
   * `true` holds every connection's; a function decides per connection. Default false.
   */
  holdSetup?: boolean | ((connection: EmulatorConnection) => boolean);
  /**
   * Refuses the WebSocket upgrade of a request with an HTTP status (e.g. 401 for a key the test
   * calls revoked), or lets it through with `undefined`. How the real service refuses a bad key
   * on the upgrade is not verified; this lets a test see what a client does with such a refusal.
   */
  refuseUpgrade?(request: { path: string }): number | undefined;
  /** How ephemeral tokens are checked (`POST /v1alpha/auth_tokens` mints them; any API key may). */
  tokens?: TokenPolicy;
  /**
   * Closes every connection this long after its setupComplete with `1011 Deadline expired before
   * operation could complete.`, without a goAway first: the cut a field report saw at exactly
   * 58:00 on gemini-3.8-live. Default: no limit.
   */
  connectionAgeLimitMs?: number;
  /**
   * A setup that resumes a known handle is refused with 1007 (a field report: resuming after the
   * 58-minute cut sometimes failed so). A function decides per connection. Default false.
   */
  failResume?: boolean | ((connection: EmulatorConnection) => boolean);
  /**
   * A setup that resumes a handle while the connection that offered it is still open is refused
   * with 1011 (a field report). Default false: the emulator lets the two overlap.
   */
  refuseResumeWhileOpen?: boolean;
  /** The clock for token and handle expiry, in ms since the epoch (default `Date.now`); tests move it. */
  now?: () => number;
  /**
   * Refuse `activityStart` / `activityEnd` on a connection whose setup left automatic activity
   * detection on, closing it with 1007 "Explicit activity control is not supported when automatic
   * activity detection is enabled." as field reports show the service does. Default false: many
   * older tests and scripts send activity signals without turning detection off. Every connection
   * records the brackets it gets either way (`connection.activity`).
   */
  strictActivity?: boolean;
}

/** A running emulator. */
export interface LiveEmulator {
  /** `http://127.0.0.1:PORT`, for `new GoogleGenAI({ apiKey, httpOptions: { baseUrl } })`. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every connection so far, in order of arrival. */
  readonly connections: readonly EmulatorConnection[];
  /** Live totals. */
  readonly stats: Readonly<EmulatorStats>;
  /** Every ephemeral token minted so far, with the uses it has left. */
  readonly tokens: readonly MintedToken[];
  /**
   * The oldest connection not yet returned by this method, waiting for one if needed (so it
   * works whether called before or after the client connects). Rejects after `timeoutMs`
   * (default 5 s) or when the emulator closes.
   */
  nextConnection(options?: { timeoutMs?: number }): Promise<EmulatorConnection>;
  /** Drops every socket and stops listening. Idempotent. */
  close(): Promise<void>;
}

interface Claim {
  resolve(connection: EmulatorConnection): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

function resolveScenario(scenario: BuiltinScenarioName | Scenario | undefined): Scenario | undefined {
  if (scenario === undefined || typeof scenario === 'object') return scenario;
  if (isBuiltinScenario(scenario)) return scenarios[scenario];
  throw new RangeError(`unknown scenario ${String(scenario)}; built-in: ${Object.keys(scenarios).join(', ')}`);
}

function refuseUpgrade(socket: Duplex, status = 404): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Starts a Live API emulator on 127.0.0.1 that the unmodified `@google/genai` SDK can talk to.
 *
 * It answers `setup` with `setupComplete`, sends every server message as JSON in a binary frame
 * (as the real service does), records every client frame, enforces the real service's closes
 * (1008 for realtime input during a pending tool call, 1007 for malformed or out-of-order
 * messages and for tool declarations the service refuses), issues resumption handles, and plays
 * the model's side from a scenario or a script.
 *
 * It follows the profile of the model in `setup` (`gemini-live-fsm/models`): on gemini-3.8-live
 * a function declared without `behavior` runs NON_BLOCKING, input during a BLOCKING call cancels
 * it instead of closing, fields the model refuses close the setup with 1007, and
 * `contextUpdate.tools` replaces the tools. A model the table does not know gets the
 * conservative profile (2.5's rules).
 *
 * @example
 * ```ts
 * import { GoogleGenAI, Modality } from '@google/genai';
 * import { startLiveEmulator } from 'gemini-live-fsm/testing';
 *
 * const emulator = await startLiveEmulator({ scenario: 'tool-call' });
 * const ai = new GoogleGenAI({ apiKey: 'test', httpOptions: { baseUrl: emulator.baseUrl } });
 * const session = await ai.live.connect({
 *   model: 'gemini-2.5-flash-native-audio-preview-09-2025',
 *   config: { responseModalities: [Modality.AUDIO] },
 *   callbacks: {
 *     onmessage: (message) => {
 *       for (const { id, name } of message.toolCall?.functionCalls ?? []) {
 *         session.sendToolResponse({ functionResponses: [{ id, name, response: { output: 'sunny' } }] });
 *       }
 *     },
 *   },
 * });
 * // 300 ms of 16 kHz PCM16 (9600 bytes) makes the scenario call get_weather.
 * const pcm = Buffer.alloc(9600).toString('base64');
 * session.sendRealtimeInput({ audio: { data: pcm, mimeType: 'audio/pcm;rate=16000' } });
 *
 * const connection = await emulator.nextConnection();
 * const { functionResponses } = await connection.waitForToolResponse();
 * session.close();
 * await emulator.close();
 * ```
 */
export async function startLiveEmulator(options: LiveEmulatorOptions = {}): Promise<LiveEmulator> {
  const scenario = resolveScenario(options.scenario);
  if (scenario) validateScenario(scenario);
  const stats: EmulatorStats = { connections: 0, closes: {}, violations1008: 0, graceTolerated: 0, framesReceived: 0 };
  const connections: EmulatorConnection[] = [];
  const unclaimed: EmulatorConnection[] = [];
  const claims: Claim[] = [];
  const now = options.now ?? Date.now;
  const handles = new HandleStore(options.handleTtlMs, now);
  const tokens = new TokenStore(now, options.tokens);
  let callIds = 0;
  let stopping: Promise<void> | undefined;

  const http = createServer((request, response) => {
    if (MINT_PATH.test(request.url ?? '')) answerMintRequest(tokens, request, response);
    else response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });

  const resumeRefusal = (handle: string, connection: EmulatorConnection): { close: CloseSpec; problem: string } | undefined => {
    const fails = typeof options.failResume === 'function' ? options.failResume(connection) : options.failResume === true;
    if (fails) return { close: CLOSE_REASONS.invalidArgument, problem: `resuming ${handle} failed (failResume)` };
    if (!options.refuseResumeWhileOpen) return undefined;
    const issuer = connections.find((other) => other.id === handles.issuerOf(handle));
    return issuer?.isOpen ? { close: CLOSE_REASONS.resumeWhileOpen, problem: `${handle} resumed while connection ${issuer.id} is open` } : undefined;
  };

  const accept = (socket: WebSocket, path: string, apiVersion: string, constrained: boolean): void => {
    stats.connections += 1;
    // Callbacks that name the connection close over it: it exists by the time any is called.
    const connection: EmulatorConnection = new EmulatorConnection(socket, {
      id: stats.connections,
      path,
      apiVersion,
      graceMs: options.graceMs ?? 20,
      callIds: options.callIds ?? true,
      audioChunkMs: options.audioChunkMs ?? 100,
      handles,
      tokenGate: constrained ? tokens.gate(tokenOfPath(path)) : undefined,
      stats,
      modelProfile: options.modelProfile,
      nextCallId: () => `fc-${++callIds}`,
      onFrame: (frame) => options.onFrame?.(connection, frame),
      onEvent: (event) => options.onEvent?.(connection, event),
      holdSetup: () => (typeof options.holdSetup === 'function' ? options.holdSetup(connection) : options.holdSetup === true),
      ageLimitMs: options.connectionAgeLimitMs,
      resumeRefusal: (handle) => resumeRefusal(handle, connection),
      strictActivity: options.strictActivity === true,
    });
    connection.silentCancel = typeof options.silentCancel === 'function' ? options.silentCancel(connection) : options.silentCancel === true;
    connections.push(connection);
    if (scenario) runScenario(connection, scenario);
    if (options.onConnection) {
      try {
        Promise.resolve(options.onConnection(connection)).catch((error: unknown) => connection.fail(error));
      } catch (error) {
        connection.fail(error);
      }
    }
    const claim = claims.shift();
    if (claim) {
      clearTimeout(claim.timer);
      claim.resolve(connection);
    } else {
      unclaimed.push(connection);
    }
  };

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not crash the emulator.
    socket.on('error', () => undefined);
    const path = request.url ?? '';
    const constrained = CONSTRAINED_PATH.test(path);
    const apiVersion = constrained ? 'v1alpha' : LIVE_PATHS.map((pattern) => pattern.exec(path)?.[1]).find((version) => version !== undefined);
    if (stopping || apiVersion === undefined) {
      refuseUpgrade(socket);
      return;
    }
    if (constrained && tokens.refuseUpgrade(tokenOfPath(path)) !== undefined) {
      refuseUpgrade(socket, 401);
      return;
    }
    const refusal = options.refuseUpgrade?.({ path });
    if (refusal !== undefined) {
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, path, apiVersion, constrained));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;

  const stop = async (): Promise<void> => {
    for (const claim of claims.splice(0)) {
      clearTimeout(claim.timer);
      claim.reject(new Error('the emulator closed'));
    }
    for (const connection of connections) connection.abort();
    await Promise.all(connections.map((connection) => connection.closed));
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    connections,
    stats,
    get tokens() {
      return tokens.list();
    },
    nextConnection({ timeoutMs = 5000 } = {}) {
      const ready = unclaimed.shift();
      if (ready) return Promise.resolve(ready);
      if (stopping) return Promise.reject(new Error('the emulator closed'));
      return new Promise<EmulatorConnection>((resolve, reject) => {
        const claim: Claim = {
          resolve,
          reject,
          timer: setTimeout(() => {
            claims.splice(claims.indexOf(claim), 1);
            reject(new Error(`no connection within ${timeoutMs} ms`));
          }, timeoutMs),
        };
        claim.timer.unref();
        claims.push(claim);
      });
    },
    close() {
      stopping ??= stop();
      return stopping;
    },
  };
}
