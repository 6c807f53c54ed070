// A token bucket per Slack user, in Redis so every bot process shares it: `capacity` tokens, one
// back every `refillEvery`. Commands that reach hosts take tokens (a host 1, fleets more by size, see
// commandCost), so one person cannot keep every host busy with `/docker doctor all`. The clock is
// Redis's own (TIME), so bots on machines whose clocks disagree still share one bucket fairly.

import type { Redis } from 'ioredis';
import type { RateLimitConfig } from '../config/schema.ts';

const BUCKET = (userId: string) => `dm:rate:${userId}`;

/**
 * Tiers by host count, cheapest first: a fleet costs more than a host, a big fleet most. With the
 * default bucket (10 tokens, 1 back per 30 s) someone may run 10 single-host commands at once,
 * 5 runs on up to 10 hosts, 2 on up to 100, and one on more.
 */
export const FLEET_COST_TIERS: ReadonlyArray<{ upTo: number; cost: number }> = [
  { upTo: 1, cost: 1 },
  { upTo: 10, cost: 2 },
  { upTo: 100, cost: 5 },
  { upTo: Number.POSITIVE_INFINITY, cost: 10 },
];

/** What a command on `hostCount` hosts costs; never more than the bucket holds, so it can always run once. */
export function commandCost(hostCount: number, capacity: number): number {
  const tier = FLEET_COST_TIERS.find((candidate) => hostCount <= candidate.upTo);
  return Math.min(tier?.cost ?? 1, capacity);
}

// Refill since the last call (never backwards), then take `cost` if there is that much. `count` and
// `since` say how many commands were taken since the bucket was last full, for the refusal message.
const TAKE = `
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local cap = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'count', 'since')
local tokens = tonumber(h[1]) or cap
local at = tonumber(h[2]) or now
local count = tonumber(h[3]) or 0
local since = tonumber(h[4]) or now
if now > at then
  tokens = math.min(cap, tokens + (now - at) / refill)
  at = now
end
if tokens > cap then tokens = cap end
if tokens >= cap then
  count = 0
  since = now
end
local ok = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  count = count + 1
  ok = 1
else
  wait = math.ceil((cost - tokens) * refill)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', at, 'count', count, 'since', since)
redis.call('PEXPIRE', KEYS[1], math.ceil(cap * refill) + 60000)
return {ok, count, now - since, wait}
`;

export type TakeResult =
  | { ok: true }
  | {
      ok: false;
      /** Commands taken since the bucket was last full, and over how long. */
      recentCount: number;
      recentMs: number;
      /** How long until `cost` tokens are back. */
      retryAfterMs: number;
    };

export class RateLimiter {
  constructor(private readonly redis: Redis) {}

  async take(userId: string, cost: number, limit: RateLimitConfig): Promise<TakeResult> {
    const reply = (await this.redis.eval(
      TAKE,
      1,
      BUCKET(userId),
      limit.capacity,
      limit.refillEvery,
      Math.min(cost, limit.capacity),
    )) as [number, number, number, number];
    const [ok, count, recentMs, wait] = reply.map(Number) as [number, number, number, number];
    if (ok === 1) return { ok: true };
    return { ok: false, recentCount: count, recentMs, retryAfterMs: wait };
  }

  /** Gives tokens back when what they paid for was not queued after all (Redis refused the job). */
  async refund(userId: string, cost: number, limit: RateLimitConfig): Promise<void> {
    await this.redis.eval(
      "local t = tonumber(redis.call('HGET', KEYS[1], 'tokens')) if t then redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), t + tonumber(ARGV[2])))) end return 0",
      1,
      BUCKET(userId),
      limit.capacity,
      cost,
    );
  }
}
