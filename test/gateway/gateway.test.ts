/**
 * `npm run example:gateway` (issue 18): the gateway started as the script starts it, with its own
 * redis-server and emulator, and one call through it from each kind of client: a plain WebSocket
 * client (what the browser page is) and a phone line (the Twilio stand-in). Each call is kept in
 * Redis while it lasts and deleted when the caller hangs up.
 */
import { createClient } from 'redis';
import { describe, expect, it, vi } from 'vitest';
import { encodeMulaw } from '../../src/telephony/index.js';
import { startTwilioCaller } from '../../src/testing/index.js';
import { sine, toInt16 } from '../telephony/tones.js';
import { spawnGateway } from './processes.js';
import { callGateway } from './wsClient.js';

const KEY = (id: string) => `gemini-live-fsm:session:${id}`;

describe('npm run example:gateway', () => {
  it('starts with Redis and the emulator, says how to connect, and carries a call from a WebSocket client and one from a phone', async () => {
    const gateway = spawnGateway(['--port', '0']);
    const banner = await gateway.waitForLine('the banner', (line) => line.startsWith('gemini-live-fsm gateway at'));
    const [, url, redisUrl] = /at (http:\/\/127\.0\.0\.1:\d+\/) \(Redis (redis:\/\/127\.0\.0\.1:\d+); emulator http/.exec(banner) ?? [];
    expect(url).toBeDefined();
    await gateway.waitForLine('the phone line', (line) => line.includes('/twilio'));
    const redis = createClient({ url: redisUrl!, socket: { reconnectStrategy: false } });
    redis.on('error', () => undefined);
    await redis.connect();
    try {
      // The page is served.
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('gemini-live-fsm gateway');

      // A WebSocket client: speaks, the model calls the tool and answers; kept in Redis meanwhile.
      const client = await callGateway(url!, 'web-1');
      await client.waitFor('ready', (c) => c.events.some((e) => e['type'] === 'ready'));
      expect(client.events.find((e) => e['type'] === 'ready')).toMatchObject({ sessionId: 'web-1', resumed: false });
      client.speak(800);
      await client.waitFor('the answer', (c) => c.events.some((e) => e['type'] === 'turnComplete'));
      expect(client.events).toContainEqual({ type: 'tool', name: 'get_weather', status: 'called' });
      expect(client.events).toContainEqual({ type: 'tool', name: 'get_weather', status: 'ok', via: 'toolResponse' });
      expect(client.events).toContainEqual({ type: 'transcript', role: 'model', text: "It's 18 degrees and sunny in Paris." });
      expect(client.audioBytes).toBeGreaterThanOrEqual(((300 + 800) * 48) * 0.99); // 24 kHz PCM16: 48 bytes a ms
      await vi.waitFor(async () => expect(JSON.parse((await redis.hGet(KEY('web-1'), 'ledger')) ?? '[]')).toMatchObject([{ name: 'get_weather', state: 'answered' }]));
      expect(await redis.hGet(KEY('web-1'), 'owner')).toMatch(/^gateway-\d+$/);
      client.send({ type: 'hangup' });
      await client.close();
      await vi.waitFor(async () => expect(await redis.exists(KEY('web-1'))).toBe(0));

      // A phone call: the caller's μ-law in, paced as Twilio sends it (what comes before the session
      // streams is in-flight audio), the model's answer heard in 20 ms μ-law frames.
      const caller = await startTwilioCaller({ url: `${url!.replace(/^http/, 'ws')}twilio`, customParameters: { sessionId: 'phone-1' } });
      await caller.speak(encodeMulaw(toInt16(sine(440, 8_000, 1_500))));
      await caller.waitFor('the answer, heard', (c) => c.stats().playedMs >= 1_000, 10_000);
      expect(caller.problems).toEqual([]);
      expect(await redis.hGet(KEY('phone-1'), 'transcript')).toContain('Let me check.');
      await caller.hangUp();
      await vi.waitFor(async () => expect(await redis.exists(KEY('phone-1'))).toBe(0));
    } finally {
      await redis.quit().catch(() => undefined);
      await gateway.kill('SIGTERM');
    }
    // SIGTERM closes everything it started, its redis-server too.
    expect(gateway.child.exitCode).toBe(0);
  }, 60_000);
});
