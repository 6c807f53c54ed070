import type { TestProject } from 'vitest/node';
import { startEmbeddedRedis } from '../../src/embedded/redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** One private Redis for the whole run; suites isolate themselves with their own key prefixes / FLUSHDB. */
export default async function setup(project: TestProject) {
  const redis = await startEmbeddedRedis();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
  };
}
