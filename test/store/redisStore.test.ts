/**
 * What only the Redis backend has: an owner in another process killed with SIGKILL, the key
 * layout and its TTL, scripts the server forgot, records it cannot read, and a Redis that is
 * gone or does not answer. The contract itself is in redisContract.test.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisStore, createStoreWriter, DEFAULT_KEY_PREFIX, HANDLE_TTL_MS, type RedisScriptClient } from '../../src/store/index.js';
import type { StoreError } from '../../src/protocol/errors.js';
import { freshId, refusal } from './contract.js';
import { startRedisServer, type RedisServer } from './redisServer.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

const ownerScript = fileURLToPath(new URL('./ownerProcess.ts', import.meta.url));

describe('redis store', () => {
  it('a killed owner: its lease holds while it renews, runs out after SIGKILL, and its state carries on', async () => {
    const store = createRedisStore(await server.client());
    const id = freshId('killed');
    const child = spawn(process.execPath, ['--import', 'tsx', ownerScript, server.url, id, '1200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const [, fence, firstExpiry] = line.trim().split(' ').map(Number);
      // Alive, it renews: the lease outlives its first grant, and nobody else gets in meanwhile.
      await vi.waitFor(async () => expect((await store.load(id))?.lease?.expiresAt).toBeGreaterThan(firstExpiry! + 200), { timeout: 8_000, interval: 50 });
      const held = await refusal(store.acquire(id, 'gw-survivor', 30_000));
      expect(held.code).toBe('STORE_LEASE_HELD');
      expect(held.holder?.ownerId).toBe(`owner-pid-${child.pid}`);
      child.kill('SIGKILL');
      await exited;
      const lease = await vi.waitFor(() => store.acquire(id, 'gw-survivor', 30_000), { timeout: 8_000, interval: 50 });
      expect(lease.fence).toBeGreaterThan(fence!);
      const record = await store.load(id);
      expect(record?.handle?.handle).toBe('handle-from-the-killed-owner');
      expect(record?.ledger).toEqual([{ key: '0:fc-1', name: 'book_table', args: { party: 4 }, state: 'running', idempotencyKey: 'ik-fc-1' }]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('the writer over Redis: hundreds of patches in a few writes, until a takeover fences it', async () => {
    const [mine, theirs] = [createRedisStore(await server.client()), createRedisStore(await server.client())];
    const id = freshId('writer');
    const lease = await mine.acquire(id, 'gw-a', 30_000);
    const errors: StoreError[] = [];
    const writer = createStoreWriter(mine, lease, { flushMs: 100, onError: (error) => errors.push(error) });
    for (let n = 0; n < 300; n += 1) writer.write({ tokens: n, transcript: [{ role: 'model', text: `chunk ${n}`, at: n }] });
    await writer.flush();
    expect(writer.stats()).toMatchObject({ patches: 300, failedWrites: 0 });
    expect(writer.stats().writes).toBeLessThanOrEqual(2);
    expect((await theirs.load(id))?.tokens).toBe(299);
    await theirs.acquire(id, 'gw-b', 30_000, { takeOver: true });
    writer.write({ tokens: 'late' });
    await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(['STORE_FENCED']), { timeout: 5_000 });
    expect((await theirs.load(id))?.tokens).toBe(299);
    await writer.close();
  });

  it('keeps one hash per session under the prefix, whose TTL is the record expiry', async () => {
    const client = await server.client();
    const store = createRedisStore(client, { keyPrefix: 'test:sessions:' });
    const id = freshId('layout');
    const lease = await store.acquire(id, 'gw-a', 30_000);
    const issuedAt = Date.now() - 1_000;
    await store.save(lease, { handle: { handle: 'h-1', issuedAt }, ledger: [], tokens: { uses: 0 }, callSeq: 3 });
    const key = `test:sessions:${id}`;
    expect(await client.type(key)).toBe('hash');
    const fields = await client.hGetAll(key);
    expect(Object.keys(fields).sort()).toEqual(['callSeq', 'expiresAt', 'fence', 'handle', 'handleAt', 'leaseUntil', 'ledger', 'owner', 'tokens', 'updatedAt', 'v']);
    expect(fields).toMatchObject({ v: '1', owner: 'gw-a', fence: String(lease.fence), handleAt: String(issuedAt), ledger: '[]', tokens: '{"uses":0}', callSeq: '3' });
    expect(await client.pExpireTime(key)).toBe(issuedAt + HANDLE_TTL_MS);
    expect(await client.exists(`${DEFAULT_KEY_PREFIX}${id}`)).toBe(0);
  });

  it('runs on after the server forgot its scripts (SCRIPT FLUSH, a restart, a failover)', async () => {
    const client = await server.client();
    const store = createRedisStore(client);
    const id = freshId('noscript');
    const lease = await store.acquire(id, 'gw-a', 30_000);
    await client.scriptFlush();
    await store.save(lease, { tokens: 'after the flush' });
    expect((await store.load(id))?.tokens).toBe('after the flush');
  });

  it('refuses a record of another format version, or one it cannot read, with STORE_RECORD_INVALID', async () => {
    const client = await server.client();
    const store = createRedisStore(client);
    const future = freshId('future');
    await client.hSet(`${DEFAULT_KEY_PREFIX}${future}`, { v: '2', owner: '', fence: '1' });
    for (const operation of [store.load(future), store.acquire(future, 'gw-a', 1_000)]) {
      const error = await refusal(operation);
      expect(error.code).toBe('STORE_RECORD_INVALID');
      expect(error.reason).toContain("format version '2'");
    }
    expect(await client.hGet(`${DEFAULT_KEY_PREFIX}${future}`, 'owner')).toBe('');
    const corrupt = freshId('corrupt');
    await client.hSet(`${DEFAULT_KEY_PREFIX}${corrupt}`, { v: '1', owner: '', fence: '1', ledger: '{not json' });
    expect((await refusal(store.load(corrupt))).reason).toContain("a field 'ledger' that is not JSON");
    await client.hSet(`${DEFAULT_KEY_PREFIX}${corrupt}`, { ledger: '[{"key":1}]' });
    expect((await refusal(store.load(corrupt))).reason).toContain('ledger[0].key: must be a string');
  });

  it('fails with STORE_FAILED (retryable) when Redis is gone, or does not answer in time', async () => {
    const gone = await startRedisServer();
    const client = await gone.client();
    const store = createRedisStore(client);
    await gone.stop();
    const error = await refusal(store.acquire(freshId('gone'), 'gw-a', 1_000));
    expect(error).toMatchObject({ code: 'STORE_FAILED', retryable: true });
    expect(error.cause).toBeInstanceOf(Error);

    vi.useFakeTimers();
    try {
      const silent: RedisScriptClient = { evalSha: () => new Promise(() => undefined), eval: () => new Promise(() => undefined) };
      const stalled = refusal(createRedisStore(silent, { commandTimeoutMs: 2_000 }).load('s'));
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await stalled).toMatchObject({ code: 'STORE_FAILED', reason: expect.stringContaining('no reply within 2000 ms') });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a client without evalSha and eval, and bad options, at creation', () => {
    expect(() => createRedisStore({} as RedisScriptClient)).toThrow(/needs a node-redis client/);
    const client: RedisScriptClient = { evalSha: () => Promise.resolve([]), eval: () => Promise.resolve([]) };
    expect(() => createRedisStore(client, { idleTtlMs: 0 })).toThrow(/idleTtlMs must be a positive whole number/);
  });
});
