// At most one identical job in flight per (user, command, target, arguments): a second
// `/docker doctor all` while the first still runs is answered with the first one's id instead of
// queuing the same work again. The bot claims a key at enqueue; workers clear it when the job ends
// (a fleet: when its last host ends). The key expires by itself, so a crashed job blocks no longer
// than its TTL.

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CommandArgs } from './payloads.ts';

export interface JobIdentity {
  userId: string;
  command: string;
  /** A host name, `@group` or `all`. */
  target: string;
  args?: CommandArgs;
}

/** Argument order does not make two requests different: keys are sorted before hashing. */
function canonical(args: CommandArgs | undefined): string {
  const entries = Object.entries(args ?? {})
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

export function inflightKey(identity: JobIdentity): string {
  const digest = createHash('sha256')
    .update(`${identity.command}\n${identity.target}\n${canonical(identity.args)}`)
    .digest('hex')
    .slice(0, 32);
  return `dm:inflight:${identity.userId}:${digest}`;
}

const FLEET = (fleetId: string) => `dm:inflight-fleet:${fleetId}`;

/** Deletes the key only if it still names this request: a newer claim is never cleared by an old job. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

// A fleet's hosts count down; the fleet job counts up by its host count once it has fanned out. Hosts
// may finish before that, so the count may dip below zero first; it reaches zero exactly once, when
// the fan-out is counted and every host has ended, and whoever brings it there releases the claim.
const FLEET_STEP = `
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'key', ARGV[2], 'owner', ARGV[3]) end
local left = redis.call('HINCRBY', KEYS[1], 'left', tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
if left ~= 0 then return 0 end
local key = redis.call('HGET', KEYS[1], 'key')
local owner = redis.call('HGET', KEYS[1], 'owner')
redis.call('DEL', KEYS[1])
if key and owner and redis.call('GET', key) == owner then redis.call('DEL', key) return 1 end
return 0
`;

export type Claim = { ok: true } | { ok: false; runningRequestId: string; ttlMs: number };

export class InFlight {
  constructor(private readonly redis: Redis) {}

  /** Claims the identity for `requestId`, or says which request holds it and for how long at most. */
  async claim(identity: JobIdentity, requestId: string, ttlMs: number): Promise<Claim> {
    const key = inflightKey(identity);
    const set = await this.redis.set(key, requestId, 'PX', ttlMs, 'NX');
    if (set === 'OK') return { ok: true };
    const [holder, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    // Released between the two calls: the caller may simply try again; saying "running" is still true enough.
    return { ok: false, runningRequestId: holder ?? 'a request that just ended', ttlMs: Math.max(ttl, 0) };
  }

  async release(identity: JobIdentity, requestId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, inflightKey(identity), requestId);
  }

  /** The fleet job has fanned out `hosts` host jobs: its claim ends when they have all ended. */
  async fleetFannedOut(
    fleetId: string,
    identity: JobIdentity,
    requestId: string,
    hosts: number,
    ttlMs: number,
  ): Promise<void> {
    await this.redis.eval(FLEET_STEP, 1, FLEET(fleetId), hosts, inflightKey(identity), requestId, ttlMs);
  }

  /** One host job of a fleet ended (done, or failed for good). */
  async fleetHostEnded(fleetId: string, ttlMs: number): Promise<void> {
    await this.redis.eval(FLEET_STEP, 1, FLEET(fleetId), -1, '', '', ttlMs);
  }
}

/**
 * How long a claim lives at most: a job may be tried twice (see queues.ts) within its deadline each,
 * plus a minute of queueing. Past this, a job that crashed without clearing its claim blocks no one.
 */
export function inflightTtlMs(jobDeadlineMs: number): number {
  return 2 * jobDeadlineMs + 60_000;
}
