/**
 * A real `redis-server` (Debian's package) for the store's tests: started on 127.0.0.1 on a free
 * port with no persistence, and stopped after. A missing binary fails the suite with the command
 * that installs it; it never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';

/** A running server and a way to make clients of it. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** A connected node-redis client, closed by `stop()`. */
  client(): Promise<RedisClient>;
  /** Closes every client and stops the server. */
  stop(): Promise<void>;
}

/** A node-redis client of a test server: no reconnection (a stopped server fails its commands). */
function makeClient(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined); // a client of a stopped server reports it on its promises
  return client;
}

export type RedisClient = ReturnType<typeof makeClient>;

const INSTALL_HINT = 'redis-server is not installed: run `apt-get install -y redis-server` (CI runs it in .ci/run)';

/** The server binary: `REDIS_SERVER`, else `redis-server` on the PATH. Throws with the install command if there is none. */
export function redisServerBinary(): string {
  const binary = process.env['REDIS_SERVER'] ?? 'redis-server';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(`${INSTALL_HINT} (tried '${binary}': ${probe.error?.message ?? probe.stderr})`);
  return binary;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts one server; resolves once it accepts connections. Retries on another port if the chosen one was taken meanwhile. */
export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerBinary();
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(binary, port);
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
}

function launch(binary: string, port: number): Promise<RedisServer> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const clients: RedisClient[] = [];

  const server: RedisServer = {
    port,
    url,
    process: child,
    async client() {
      const client = makeClient(url);
      await client.connect();
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients.splice(0)) if (client.isOpen) await client.quit().catch(() => undefined);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };

  // Ready once it logs so (at notice level); a port taken meanwhile makes it exit instead.
  return new Promise((resolve, reject) => {
    let output = '';
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) settle();
    };
    const onExit = (code: number | null) => settle(new Error(`redis-server exited with ${code} before it was ready: ${output}`));
    const deadline = setTimeout(() => settle(new Error(`redis-server did not start on port ${port} within 10 s: ${output}`)), 10_000);
    function settle(error?: Error) {
      clearTimeout(deadline);
      child.stdout?.off('data', onOutput);
      child.off('exit', onExit);
      child.stdout?.resume(); // keep draining its log
      child.stderr?.resume();
      if (error === undefined) resolve(server);
      else {
        if (child.exitCode === null) child.kill('SIGKILL');
        reject(error);
      }
    }
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
  });
}
