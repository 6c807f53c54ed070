import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SEVERITIES } from '../checks/types.ts';

export const FleetRow = z.object({
  host: z.string().max(64),
  state: z.enum(['pending', 'done', 'unreachable']),
  worst: z.enum(SEVERITIES).optional(),
  headline: z.string().max(500).optional(),
});
export type FleetRow = z.infer<typeof FleetRow>;

export const FleetMeta = z.object({
  id: z.string(),
  command: z.string().max(32),
  target: z.string().max(64),
  channelId: z.string().max(32),
  ts: z.string().max(32),
  requestId: z.string().max(64),
  startedAt: z.coerce.number(),
});
export type FleetMeta = z.infer<typeof FleetMeta>;

const META = (id: string) => `dm:fleet:${id}:meta`;
const ROWS = (id: string) => `dm:fleet:${id}:rows`;
const LOCK = (id: string) => `dm:fleet:${id}:lock`;
const TTL_SECONDS = 24 * 3600;

export function newFleetId(): string {
  return `fl-${randomBytes(6).toString('hex')}`;
}

/** A fleet run's summary: one row per host, filled in by whichever worker finishes that host. */
export class FleetStore {
  constructor(private readonly redis: Redis) {}

  async create(meta: FleetMeta, hosts: string[]): Promise<void> {
    const rows = Object.fromEntries(hosts.map((host) => [host, JSON.stringify({ host, state: 'pending' })]));
    await this.redis
      .multi()
      .hset(META(meta.id), meta)
      .hset(ROWS(meta.id), rows)
      .expire(META(meta.id), TTL_SECONDS)
      .expire(ROWS(meta.id), TTL_SECONDS)
      .exec();
  }

  async setRow(id: string, row: FleetRow): Promise<void> {
    await this.redis.hset(ROWS(id), row.host, JSON.stringify(FleetRow.parse(row)));
  }

  async read(id: string): Promise<{ meta: FleetMeta; rows: FleetRow[] } | undefined> {
    const [meta, rows] = await Promise.all([this.redis.hgetall(META(id)), this.redis.hgetall(ROWS(id))]);
    if (Object.keys(meta).length === 0) return undefined;
    const parsedRows: FleetRow[] = [];
    for (const [host, text] of Object.entries(rows)) {
      const parsed = FleetRow.safeParse(safeJson(text));
      parsedRows.push(parsed.success ? parsed.data : { host, state: 'pending' });
    }
    parsedRows.sort((a, b) => a.host.localeCompare(b.host));
    return { meta: FleetMeta.parse(meta), rows: parsedRows };
  }

  /**
   * Runs `update` while holding the fleet's lock, so two workers finishing at once cannot post an
   * older summary over a newer one: each update re-reads every row under the lock.
   */
  async withLock(id: string, update: () => Promise<void>): Promise<void> {
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + 15_000;
    while (!(await this.redis.set(LOCK(id), token, 'PX', 10_000, 'NX'))) {
      if (Date.now() > deadline) break; // a stuck lock must not lose the update: go ahead
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    try {
      await update();
    } finally {
      await this.redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        LOCK(id),
        token,
      );
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
