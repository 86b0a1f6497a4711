/**
 * The gateway's browser page (issue 18), in headless Chromium with a fake microphone: a call
 * through gateway A, then A goes away (a deploy: it closes, keeping the call in Redis) and
 * gateway B comes up on the same address; the page reconnects with its session id and B carries
 * the conversation on from the handle A stored.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gatewayEmulatorOptions } from '../../examples/gateway/agent.js';
import { runGateway, type RunningGateway } from '../../examples/gateway/serve.js';
import { startLiveEmulator, type LiveEmulator } from '../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../store/redisServer.js';
import { launchChromium } from './chromium.js';

let browser: Browser;
let redis: RedisServer;
let emulator: LiveEmulator;
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  const speech = `--use-file-for-fake-audio-capture=${join(import.meta.dirname, '..', '..', 'examples', 'demo', 'question.wav')}`;
  [browser, redis, emulator] = await Promise.all([
    launchChromium(inject('chromiumPath'), [speech]),
    startRedisServer(),
    // The page's microphone never stops; frames in flight when a toolCall goes out cross it.
    startLiveEmulator({ ...gatewayEmulatorOptions, graceMs: 250 }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  for (const gateway of gateways) await gateway.stop();
  await emulator?.close();
  await redis?.stop();
});

/** A gateway process's worth, in this process, on the shared Redis and emulator. */
async function gateway(owner: string, port = 0): Promise<RunningGateway> {
  const running = await runGateway(['--port', String(port), '--owner', owner, '--redis-url', redis.url, '--emulator-url', emulator.baseUrl], () => undefined);
  gateways.push(running);
  return running;
}

describe('the gateway page, in headless Chromium', () => {
  it('talks through one gateway, and goes on through the next after the first goes away', async () => {
    const a = await gateway('gateway-a');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${a.gateway.url}?id=page-1`);
    await page.click('#start');
    const logged = (text: string, count = 1) =>
      page.waitForFunction(([wanted, n]) => Array.from(document.querySelectorAll('#log li')).filter((li) => li.textContent?.includes(wanted as string)).length >= (n as number), [text, count] as const, {
        timeout: 20_000,
      });

    await logged('ready');
    await logged('"status":"ok","via":"toolResponse"');
    await logged('turnComplete');
    const conn1 = emulator.connections[0]!;
    const handle = conn1.lastHandle;

    // A deploy: A closes (its call stays in Redis, the lease given back); B takes its address.
    const port = a.gateway.port;
    await a.stop();
    gateways.splice(gateways.indexOf(a), 1);
    await logged('reconnecting');
    await gateway('gateway-b', port);
    await logged('"resumed":true');
    await logged('turnComplete', 2);
    const conn2 = emulator.connections.at(-1)!;
    expect(conn2.resumedFrom).toBe(handle);
    expect(emulator.stats.violations1008).toBe(0);

    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset['status'] === 'hung up');
    expect(problems).toEqual([]);
    await page.close();
  });
});
