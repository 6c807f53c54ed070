import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** A connection to the run's private Redis, on its own logical database so suites do not meet. */
export async function freshRedis(db: number): Promise<Redis> {
  const redis = new Redis(inject('redisUrl'), { db, maxRetriesPerRequest: null });
  await redis.flushdb();
  return redis;
}

/** Empties the run's Redis (db 0, where the stack's queues live) so a suite starts from nothing. */
export async function emptyStackRedis(): Promise<void> {
  const redis = new Redis(inject('redisUrl'));
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
