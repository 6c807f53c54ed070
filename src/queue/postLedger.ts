// What each job has already posted to Slack, by name: a retried job (a network error, a worker that
// died) edits or skips what Slack already took instead of posting it twice.

import type { Redis } from 'ioredis';

const KEY = (jobKey: string) => `dm:posted:${jobKey}`;
/** Longer than any retry of a job. */
const TTL_SECONDS = 2 * 24 * 3600;

export class PostLedger {
  constructor(private readonly redis: Redis) {}

  /** The `ts` (or 'done' for an upload) recorded for this post of this job. */
  async get(jobKey: string, name: string): Promise<string | undefined> {
    return (await this.redis.hget(KEY(jobKey), name)) ?? undefined;
  }

  async set(jobKey: string, name: string, value: string): Promise<void> {
    await this.redis.multi().hset(KEY(jobKey), name, value).expire(KEY(jobKey), TTL_SECONDS).exec();
  }
}
