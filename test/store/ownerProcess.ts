/**
 * A session owner in its own process, for the killed-owner test: it takes a session on Redis,
 * saves a handle and a running tool call, renews its lease as a live owner does, and says READY.
 * The test then kills it with SIGKILL. Arguments: redis url, session id, lease ms.
 */
import { createClient } from 'redis';
import { createRedisStore } from '../../src/store/index.js';

const [url, sessionId, leaseMs] = process.argv.slice(2);
const client = createClient({ url: url!, socket: { reconnectStrategy: false } });
client.on('error', () => undefined);
await client.connect();
const store = createRedisStore(client);
const lease = await store.acquire(sessionId!, `owner-pid-${process.pid}`, Number(leaseMs));
await store.save(lease, {
  handle: { handle: 'handle-from-the-killed-owner', issuedAt: Date.now() },
  ledger: [{ key: '0:fc-1', name: 'book_table', args: { party: 4 }, state: 'running', idempotencyKey: 'ik-fc-1' }],
});
setInterval(() => {
  void store.renew(lease).catch((error: unknown) => console.error('renew failed', error));
}, Number(leaseMs) / 4);
process.stdout.write(`READY ${lease.fence} ${lease.expiresAt}\n`);
