// Alert state in Redis, one JSON value per (host, check), so a restarted or second worker continues
// it. Every change is a compare-and-set on the whole value (like approvals/store.ts's transitions):
// two workers evaluating the same host cannot both fire, and a message waiting in the outbox is kept
// until a worker has delivered it (a worker that dies in between leaves it for the next one).

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const ALERT_EVENT_KINDS = ['fire', 'severity', 'repeat', 'resolve', 'silence-expired', 'note'] as const;

export const AlertEvent = z.object({
  id: z.string(),
  kind: z.enum(ALERT_EVENT_KINDS),
  severity: z.enum(['ok', 'warn', 'crit']).optional(),
  text: z.string(),
  at: z.number(),
  /** Fire events: when it was put in the channel's storm window (a stale one is queued again). */
  queuedAt: z.number().optional(),
  /** Lines posted in the thread after the root (the watchdog's root-cause bundle). */
  bundle: z.array(z.string()).optional(),
  /** Fixes the check proposed, offered as approval buttons on the root. */
  fixes: z.array(z.object({ fix: z.string(), label: z.string(), params: z.record(z.string(), z.any()) })).optional(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

export const AlertState = z.object({
  host: z.string(),
  check: z.string(),
  version: z.number(),
  status: z.enum(['ok', 'pending', 'firing']),
  severity: z.enum(['warn', 'crit']).optional(),
  pendingSince: z.number().optional(),
  firedAt: z.number().optional(),
  lastNotifiedAt: z.number().optional(),
  acked: z.boolean().optional(),
  ackedBy: z.string().optional(),
  silencedUntil: z.number().optional(),
  silencedBy: z.string().optional(),
  value: z.number().optional(),
  summary: z.string(),
  channel: z.string().optional(),
  threadTs: z.string().optional(),
  groupId: z.string().optional(),
  /** The fixes offered on the root (approval ids), kept so every edit of the root shows them again. */
  fixButtons: z
    .array(z.object({ approvalId: z.string(), label: z.string(), risk: z.enum(['safe', 'risky', 'dangerous']) }))
    .optional(),
  resolvedAt: z.number().optional(),
  incident: z.number(),
  outbox: z.array(AlertEvent),
  updatedAt: z.number(),
});
export type AlertState = z.infer<typeof AlertState>;

export const AlertGroup = z.object({
  id: z.string(),
  channel: z.string(),
  ts: z.string(),
  members: z.array(z.object({ host: z.string(), check: z.string() })),
  createdAt: z.number(),
});
export type AlertGroup = z.infer<typeof AlertGroup>;

const INDEX = 'dm:alerts';
const stateKey = (host: string, check: string) => `dm:alert:${host}:${check}`;
const groupKey = (id: string) => `dm:alert-group:${id}`;
/** Resolved alerts are kept a while for `/docker alerts` history and late button clicks. */
const RETENTION_SECONDS = 14 * 24 * 3600;

const CAS = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
if ARGV[3] ~= '' then redis.call('SADD', KEYS[2], ARGV[3]) end
return 1
`;

export function newEventId(): string {
  return `ev-${randomBytes(6).toString('hex')}`;
}

export function blankState(host: string, check: string, now: number): AlertState {
  return { host, check, version: 0, status: 'ok', summary: '', incident: 0, outbox: [], updatedAt: now };
}

export class AlertStore {
  constructor(readonly redis: Redis) {}

  async get(host: string, check: string): Promise<AlertState | undefined> {
    const raw = await this.redis.get(stateKey(host, check));
    return raw ? parseState(raw) : undefined;
  }

  /**
   * Read-modify-write with compare-and-set, retried on conflict. `change` returns the new state, or
   * undefined to leave it as it is; it may run more than once, so it must be pure.
   */
  async update(
    host: string,
    check: string,
    change: (current: AlertState | undefined) => AlertState | undefined,
  ): Promise<{ before: AlertState | undefined; after: AlertState | undefined; changed: boolean }> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const raw = (await this.redis.get(stateKey(host, check))) ?? '';
      const before = raw ? parseState(raw) : undefined;
      const proposed = change(before);
      if (!proposed) return { before, after: before, changed: false };
      const after = { ...proposed, version: (before?.version ?? 0) + 1 };
      const member = `${host}/${check}`;
      const args = [raw, JSON.stringify(after), member, String(RETENTION_SECONDS)];
      const done = (await this.redis.eval(CAS, 2, stateKey(host, check), INDEX, ...args)) as number;
      if (done === 1) return { before, after, changed: true };
    }
    throw new Error(`alert state ${host}/${check} kept changing under us`);
  }

  /** Every alert state known, for `/docker alerts` and the firing gauge. */
  async all(): Promise<AlertState[]> {
    const members = await this.redis.smembers(INDEX);
    if (members.length === 0) return [];
    const keys = members.map((member) => {
      const slash = member.indexOf('/');
      return stateKey(member.slice(0, slash), member.slice(slash + 1));
    });
    const values = await this.redis.mget(...keys);
    const states: AlertState[] = [];
    for (const [index, raw] of values.entries()) {
      if (raw) states.push(parseState(raw));
      else await this.redis.srem(INDEX, members[index] as string);
    }
    return states;
  }

  /** First one wins: a delivery is done by one worker; a dead claimer's claim lapses after `ms`. */
  async claim(eventId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`dm:alert-claim:${eventId}`, '1', 'PX', ms, 'NX')) === 'OK';
  }

  async putGroup(group: AlertGroup): Promise<void> {
    await this.redis.set(groupKey(group.id), JSON.stringify(group), 'EX', RETENTION_SECONDS);
  }

  async getGroup(id: string): Promise<AlertGroup | undefined> {
    const raw = await this.redis.get(groupKey(id));
    return raw ? AlertGroup.parse(JSON.parse(raw)) : undefined;
  }
}

function parseState(raw: string): AlertState {
  return AlertState.parse(JSON.parse(raw));
}
