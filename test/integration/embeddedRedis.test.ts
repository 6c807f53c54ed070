// The private Redis of `npm start` (and of the test run): reachable only through a unix socket in a
// 0700 directory, and only with the password its URL carries.

import { statSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../src/config/env.ts';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/embedded/redis.ts';

let embedded: EmbeddedRedis;

beforeAll(async () => {
  embedded = await startEmbeddedRedis();
});

afterAll(async () => {
  await embedded?.stop();
});

async function answerOf(client: Redis): Promise<string> {
  client.on('error', () => {});
  try {
    return String(await client.ping());
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.disconnect();
  }
}

describe('startEmbeddedRedis', () => {
  it('answers a client that has its URL', async () => {
    expect(await answerOf(new Redis(embedded.url, { maxRetriesPerRequest: 0 }))).toBe('PONG');
  });

  it('refuses a client that found the socket but has no password', async () => {
    const answer = await answerOf(new Redis(embedded.socket, { maxRetriesPerRequest: 0, retryStrategy: () => null }));

    expect(answer).toMatch(/NOAUTH/);
  });

  it('refuses a wrong password', async () => {
    const answer = await answerOf(
      new Redis(`${embedded.socket}?password=guess`, { maxRetriesPerRequest: 0, retryStrategy: () => null }),
    );

    expect(answer).toMatch(/WRONGPASS|invalid password/i);
  });

  it('keeps its socket in a directory only its owner may enter, and listens on no TCP port', async () => {
    // Arrange
    const client = new Redis(embedded.url, { maxRetriesPerRequest: 0 });
    try {
      // Act
      const [, port] = (await client.config('GET', 'port')) as [string, string];
      // Assert
      expect(statSync(path.dirname(embedded.socket)).mode & 0o777).toBe(0o700);
      expect(port).toBe('0');
      expect(embedded.url).not.toMatch(/^redis:\/\//);
    } finally {
      client.disconnect();
    }
  });

  it('hands its URL to child processes through REDIS_URL', () => {
    expect(readEnv({ REDIS_URL: embedded.url }).REDIS_URL).toBe(embedded.url);
  });
});
