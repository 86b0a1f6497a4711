/**
 * The failover (issue 18), with real processes: a real `redis-server`, the emulator, and two
 * gateway processes (`examples/gateway/serve.ts`). A phone call (the Twilio stand-in) on gateway
 * A is in the middle of a tool call when A is killed with SIGKILL; the caller comes back on gateway
 * B with the same session id; B takes the session over, resumes the Gemini session from Redis with
 * the right handle, runs the tool again with the same idempotency key, and the outcome reaches the
 * conversation exactly once; the caller hears the conversation go on. And when A is still alive
 * as B takes over, A's late tool result is refused: it reaches neither Redis nor the model.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatewayEmulatorOptions } from '../../examples/gateway/agent.js';
import { encodeMulaw } from '../../src/telephony/index.js';
import { startLiveEmulator, startTwilioCaller, type EmulatorConnection, type LiveEmulator, type TwilioCaller } from '../../src/testing/index.js';
import { startRedisServer, type RedisClient, type RedisServer } from '../store/redisServer.js';
import { sine, toInt16 } from '../telephony/tones.js';
import { spawnGateway, type GatewayProcess } from './processes.js';
import { startWeatherService, type WeatherService } from './weatherService.js';

let redis: RedisServer;
let client: RedisClient;
let emulator: LiveEmulator;
let weather: WeatherService;
const callers: TwilioCaller[] = [];

beforeEach(async () => {
  redis = await startRedisServer();
  client = await redis.client();
  emulator = await startLiveEmulator(gatewayEmulatorOptions);
  weather = await startWeatherService();
});

afterEach(async () => {
  for (const caller of callers.splice(0)) await caller.drop();
  await weather.close();
  await emulator.close();
  await redis.stop();
});

/** Starts a gateway process on the shared Redis, emulator and weather service; resolves with it and its port. */
async function gateway(owner: string): Promise<{ process: GatewayProcess; url: string }> {
  const process = spawnGateway([
    '--json',
    '--no-page',
    '--port', '0',
    '--owner', owner,
    '--redis-url', redis.url,
    '--emulator-url', emulator.baseUrl,
    '--weather-url', weather.url,
  ]);
  const listening = await process.waitForEvent('listening', (event) => event['event'] === 'listening');
  return { process, url: `ws://127.0.0.1:${String(listening['port'])}/twilio` };
}

/** A caller on the phone line of a gateway, for session `sessionId`. */
async function call(url: string, sessionId: string): Promise<TwilioCaller> {
  const caller = await startTwilioCaller({ url, customParameters: { sessionId } });
  callers.push(caller);
  return caller;
}

const key = (sessionId: string) => `gemini-live-fsm:session:${sessionId}`;

/** The stored ledger entry of call `id`. */
async function storedCall(sessionId: string, id: string): Promise<Record<string, unknown> | undefined> {
  const ledger = JSON.parse((await client.hGet(key(sessionId), 'ledger')) ?? '[]') as Record<string, unknown>[];
  return ledger.find((entry) => entry['key'] === id);
}

/** Every clientContent text an emulator connection got. */
const contextTexts = (connection: EmulatorConnection) =>
  connection.frames.flatMap((frame) => frame.message?.clientContent?.turns?.flatMap((turn) => turn.parts?.map((part) => part.text ?? '') ?? []) ?? []);

/** Every toolResponse id an emulator connection got. */
const answeredIds = (connection: EmulatorConnection) =>
  connection.frames.flatMap((frame) => frame.message?.toolResponse?.functionResponses.map((response) => response.id) ?? []);

/** The emulator's `n`th connection (1-based), once it has completed setup. */
async function connection(n: number): Promise<EmulatorConnection> {
  await vi.waitFor(() => expect(emulator.connections.length).toBeGreaterThanOrEqual(n), { timeout: 15_000 });
  const found = emulator.connections[n - 1]!;
  await found.ready;
  return found;
}

/** 1.5 s of the caller, paced as Twilio sends it. */
const question = () => encodeMulaw(toInt16(sine(440, 8_000, 1_500)));

describe('a gateway killed in the middle of a tool call', () => {
  it('is carried on by the other: the handle resumed, the tool run again with its key, its outcome heard once, the caller hears the answer', async () => {
    const a = await gateway('gateway-a');
    const b = await gateway('gateway-b');
    const sessionId = 'call-42';
    const caller = await call(a.url, sessionId);
    void caller.speak(question()).catch(() => undefined); // its socket dies with A

    // A's tool asks the weather service, and waits: its call is in Redis already.
    const first = await weather.request(1);
    const conn1 = await connection(1);
    const callId = conn1.lastToolCallIds[0]!;
    expect(first.idempotencyKey).toBe(`${sessionId}:1`);
    expect(await storedCall(sessionId, callId)).toMatchObject({ name: 'get_weather', state: 'running', idempotencyKey: first.idempotencyKey });
    const storedHandle = (JSON.parse((await client.hGet(key(sessionId), 'handle')) ?? '{}') as { handle?: string }).handle;
    expect(storedHandle).toBe(conn1.lastHandle); // the newest resumable one (a pending call makes none)
    expect(await client.hGet(key(sessionId), 'owner')).toBe('gateway-a');

    await a.process.kill('SIGKILL');
    expect(a.process.child.signalCode).toBe('SIGKILL');
    expect((await conn1.closed).code).toBe(1006);
    await vi.waitFor(() => expect(first.aborted).toBe(true));

    // The caller comes back, on B. The weather service answers from now on.
    weather.answerAll();
    const back = await call(b.url, sessionId);
    const conn2 = await connection(2);
    expect(conn2.resumedFrom).toBe(storedHandle);
    await back.waitFor('the answer, heard', (c) => c.stats().playedMs >= 800, 15_000);

    // The tool ran again in B with the same key; its outcome reached the conversation once, as
    // context on the resumed connection, never as a toolResponse for the old id.
    expect(weather.requests.map((request) => request.idempotencyKey)).toEqual([first.idempotencyKey, first.idempotencyKey]);
    const told = emulator.connections.flatMap(contextTexts).filter((text) => text.includes('get_weather'));
    expect(told).toEqual([expect.stringContaining(`get_weather({"city":"Paris"}) [call ${callId}] returned {"city":"Paris","tempC":18,"sky":"sunny","served":2}`)]);
    expect(contextTexts(conn2)).toEqual(told);
    expect(emulator.connections.flatMap(answeredIds)).toEqual([]);
    expect(emulator.stats.violations1008).toBe(0);
    await b.process.waitForEvent('the restore', (event) => event['event'] === 'restored');
    expect(b.process.events.find((event) => event['event'] === 'restored')).toMatchObject({ sessionId, resumed: true, rerun: ['get_weather'], undelivered: [] });
    await vi.waitFor(async () => expect(await storedCall(sessionId, callId)).toMatchObject({ state: 'deliveredAsContext', outcome: { status: 'ok', output: { served: 2 } } }));
    expect(await client.hGet(key(sessionId), 'owner')).toBe('gateway-b');
    expect(back.problems).toEqual([]);

    // The caller hangs up: the conversation is over, its record goes.
    await back.hangUp();
    await vi.waitFor(async () => expect(await client.exists(key(sessionId))).toBe(0));
  }, 90_000);
});

describe('a gateway that lost its session to another', () => {
  it("has its late tool result refused: it reaches neither Redis nor the model, and the old session stops", async () => {
    const a = await gateway('gateway-a');
    const b = await gateway('gateway-b');
    const sessionId = 'call-43';
    const caller = await call(a.url, sessionId);
    void caller.speak(question()).catch(() => undefined);
    const first = await weather.request(1);
    const conn1 = await connection(1);
    const callId = conn1.lastToolCallIds[0]!;

    // The caller shows up on B while A is alive and its tool still runs: B takes the session.
    const second = weather.request(2);
    const back = await call(b.url, sessionId);
    (await second).answer();
    const conn2 = await connection(2);
    await back.waitFor('the answer, heard', (c) => c.stats().playedMs >= 800, 15_000);
    expect(await client.hGet(key(sessionId), 'owner')).toBe('gateway-b');

    // Now A's tool gets its answer: too late, A no longer owns the call.
    first.answer();
    const closed = await a.process.waitForEvent('A stopping', (event) => event['event'] === 'closed' && event['sessionId'] === sessionId);
    expect(closed).toMatchObject({ by: 'takenOver', reason: expect.stringContaining("'gateway-b' holds it") });
    expect(a.process.events).toContainEqual(expect.objectContaining({ event: 'error', sessionId, code: 'STORE_FENCED' }));
    expect((await conn1.closed).by).toBe('client'); // A closed its Gemini socket itself
    expect(answeredIds(conn1)).toEqual([]);
    expect(emulator.connections.flatMap(contextTexts).filter((text) => text.includes('get_weather'))).toEqual([expect.stringContaining('"served":2')]);
    expect(contextTexts(conn2)).toHaveLength(1);
    await vi.waitFor(async () => expect(await storedCall(sessionId, callId)).toMatchObject({ state: 'deliveredAsContext', outcome: { output: { served: 2 } } }));
    expect(JSON.stringify(await client.hGetAll(key(sessionId)))).not.toContain('"served":1');
    expect(emulator.stats.violations1008).toBe(0);
    await back.hangUp();
  }, 90_000);
});
