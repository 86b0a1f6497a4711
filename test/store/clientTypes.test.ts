/**
 * node-redis's clients are stores' clients as they are: a single client and a cluster type-check
 * as `RedisScriptClient` (this file fails `npm run typecheck` if they stop to), and a store is
 * made from each without a connection.
 */
import { createClient, createCluster } from 'redis';
import { describe, expect, it } from 'vitest';
import { createRedisStore, type RedisScriptClient } from '../../src/store/index.js';

describe('RedisScriptClient', () => {
  it('is what node-redis createClient() and createCluster() return', () => {
    const client: RedisScriptClient = createClient({ url: 'redis://127.0.0.1:1' });
    const cluster: RedisScriptClient = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] });
    expect(typeof createRedisStore(client).acquire).toBe('function');
    expect(typeof createRedisStore(cluster).load).toBe('function');
  });
});
