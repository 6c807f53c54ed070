import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** A connection to the run's private Redis, on its own logical database so suites do not meet. */
export async function freshRedis(db: number): Promise<Redis> {
  const redis = new Redis(inject('redisUrl'), { db, maxRetriesPerRequest: null });
  await redis.flushdb();
  return redis;
}
