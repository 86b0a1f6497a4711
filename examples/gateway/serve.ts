/**
 * `npm run example:gateway`: the gateway with Redis, against the built-in emulator (no API key,
 * no internet) unless `--live`. Redis is `REDIS_URL` (or `--redis-url`); without one, a local
 * `redis-server` is started on a free port, as the tests do (Debian's package: `apt-get install
 * redis-server`). Run two, on the same Redis and emulator, and kill one in the middle of a call:
 * the caller reconnects to the other, which carries the call on.
 *
 *   npm run example:gateway                                   everything local
 *   npm run example:gateway -- --port 8080 --redis-url redis://127.0.0.1:6379 --emulator-url http://127.0.0.1:9000
 *   GEMINI_API_KEY=… npm run example:gateway -- --live        the real service
 *
 * `--json` prints one JSON line per thing the gateway does (the failover test reads them);
 * `--weather-url` makes the tool ask a weather service; `--owner` names this process in the leases.
 */
import { GoogleGenAI } from '@google/genai';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createClient } from 'redis';
import { createRedisStore } from '../../src/store/index.js';
import { startLiveEmulator, type LiveEmulator } from '../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../../test/store/redisServer.js';
import { agentConfig, EMULATED_MODEL, gatewayEmulatorOptions, LIVE_MODEL, weatherTool } from './agent.js';
import { startGateway, type Gateway, type GatewayLog } from './gateway.js';
import { buildPage } from './page.js';

/** The flags `serve.ts` takes. */
export const FLAGS = {
  port: { type: 'string', default: process.env['PORT'] ?? '0' },
  'redis-url': { type: 'string', default: process.env['REDIS_URL'] },
  'emulator-url': { type: 'string' },
  'weather-url': { type: 'string' },
  owner: { type: 'string', default: `gateway-${process.pid}` },
  'lease-ms': { type: 'string', default: '15000' },
  live: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'no-page': { type: 'boolean', default: false },
} as const;

/** Everything the gateway runs on, started or connected to, and how to stop it all. */
export interface RunningGateway {
  gateway: Gateway;
  redisUrl: string;
  emulator: LiveEmulator | undefined;
  stop(): Promise<void>;
}

/** Starts Redis (unless given), the emulator (unless given, or live), and the gateway. */
export async function runGateway(argv: string[], print: (entry: GatewayLog) => void): Promise<RunningGateway> {
  const { values: flags } = parseArgs({ args: argv, options: FLAGS, strict: true });
  const apiKey = process.env['GEMINI_API_KEY'];
  if (flags.live && !apiKey) throw new Error('--live talks to the real service: set GEMINI_API_KEY first (it stays in this process).');

  let redisServer: RedisServer | undefined;
  const redisUrl = flags['redis-url'] ?? (redisServer = await startRedisServer()).url;
  const redis = createClient({ url: redisUrl });
  redis.on('error', (error: unknown) => console.error(`redis: ${String(error)}`));
  await redis.connect();

  const emulator = flags.live || flags['emulator-url'] ? undefined : await startLiveEmulator(gatewayEmulatorOptions);
  const baseUrl = flags['emulator-url'] ?? emulator?.baseUrl;
  const ai = new GoogleGenAI(baseUrl ? { apiKey: apiKey ?? 'emulator-needs-no-real-key', httpOptions: { baseUrl } } : { apiKey: apiKey ?? '' });
  const gateway = await startGateway({
    store: createRedisStore(redis),
    ai,
    model: baseUrl ? EMULATED_MODEL : LIVE_MODEL,
    config: agentConfig,
    tools: [weatherTool({ weatherUrl: flags['weather-url'] })],
    ownerId: flags.owner,
    leaseMs: Number(flags['lease-ms']),
    port: Number(flags.port),
    pageDir: flags['no-page'] ? undefined : await buildPage(),
    log: print,
  });
  return {
    gateway,
    redisUrl,
    emulator,
    async stop() {
      await gateway.close();
      await emulator?.close();
      await redis.quit().catch(() => undefined);
      await redisServer?.stop();
    },
  };
}

/** How to connect, for a person. */
function instructions(running: RunningGateway): string[] {
  const ws = running.gateway.url.replace(/^http/, 'ws');
  return [
    `gemini-live-fsm gateway at ${running.gateway.url} (Redis ${running.redisUrl}; ${running.emulator ? `emulator ${running.emulator.baseUrl}` : 'the Live API'})`,
    `  browser:  open ${running.gateway.url} on this machine, press "Start talking"`,
    `  client:   ${ws}session?id=SESSION_ID  (binary: 16 kHz PCM16 in, 24 kHz out; text: JSON events; send {"type":"hangup"} to end)`,
    `  phone:    ${ws}twilio  (Twilio Media Streams: <Connect><Stream url="wss://…/twilio"><Parameter name="sessionId" value="…"/></Stream></Connect>)`,
    '  Ctrl+C to stop (calls are kept in Redis: another gateway carries them on)',
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const json = process.argv.includes('--json');
  const print = (entry: GatewayLog) => {
    if (json) process.stdout.write(`${JSON.stringify(entry)}\n`);
    else if (entry.event !== 'listening') console.log(`  ${entry.event}: ${JSON.stringify({ ...entry, event: undefined })}`);
  };
  try {
    const running = await runGateway(process.argv.slice(2), print);
    if (!json) for (const line of instructions(running)) console.log(line);
    const stop = () => void running.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
