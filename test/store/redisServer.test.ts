/**
 * The Redis suites need Debian's redis-server: without it they fail, saying how to install it,
 * rather than skip.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerBinary } from './redisServer.js';

const saved = process.env['REDIS_SERVER'];
afterEach(() => {
  if (saved === undefined) delete process.env['REDIS_SERVER'];
  else process.env['REDIS_SERVER'] = saved;
});

describe('redisServerBinary', () => {
  it('names the install command when the binary is missing', () => {
    process.env['REDIS_SERVER'] = '/nonexistent/redis-server';
    expect(() => redisServerBinary()).toThrow(/redis-server is not installed: run `apt-get install -y redis-server`/);
  });

  it('finds the installed one', () => {
    delete process.env['REDIS_SERVER'];
    expect(redisServerBinary()).toBe('redis-server');
  });
});
