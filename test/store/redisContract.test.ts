/**
 * The store contract against a real redis-server (started for this file on a free port, with no
 * persistence, and stopped after): each "process" of a test is a store on its own client.
 */
import { afterAll, beforeAll } from 'vitest';
import { createRedisStore } from '../../src/store/index.js';
import { storeContract } from './contract.js';
import { startRedisServer, type RedisServer } from './redisServer.js';

let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

storeContract('redis', () => ({
  async stores(count, options) {
    const clients = await Promise.all(Array.from({ length: count }, () => server.client()));
    return clients.map((client) => createRedisStore(client, options));
  },
}));
