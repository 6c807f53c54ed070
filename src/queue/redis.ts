import { Redis } from 'ioredis';
import { DockmedicError } from '../errors.ts';

/**
 * Workers block on Redis and must wait through outages (maxRetriesPerRequest: null, as BullMQ
 * requires). The bot side must fail fast instead, so the user gets a clear error within Slack's 3 s.
 */
export function createRedis(url: string, role: 'worker' | 'client'): Redis {
  if (role === 'worker') return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

export function queueUnavailable(cause: unknown): DockmedicError {
  return new DockmedicError('dm_queue_unavailable', 'while talking to Redis', {
    cause,
    retryable: true,
    userMessage:
      'dockmedic cannot reach its queue (Redis) right now, so nothing was started. Try again in a minute; if it persists, tell whoever runs dockmedic that Redis is down.',
  });
}

/** Rejects after `ms` so a hung Redis cannot hold a Slack ack past its deadline. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
