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
/** How many row changes there were, and how many of them the summary in Slack shows. */
const CHANGED = (id: string) => `dm:fleet:${id}:changed`;
const RENDERED = (id: string) => `dm:fleet:${id}:rendered`;
const TTL_SECONDS = 24 * 3600;
/** The lock outlives any normal render; a worker that died holding it blocks no one for longer. */
const LOCK_MS = 10_000;
/** Past this a worker renders without the lock rather than lose its row. */
const STUCK_LOCK_MS = 15_000;
const RENDER_POLL_MS = 10;

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
      .set(CHANGED(meta.id), 0, 'EX', TTL_SECONDS)
      .set(RENDERED(meta.id), 0, 'EX', TTL_SECONDS)
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
   * Brings the summary up to date after a row changed, coalescing renders: one worker renders at a
   * time (the lock) and each render reads every row under it, so an older summary never overwrites a
   * newer one. Each row change takes a number; a render shows every change numbered up to what it
   * saw before reading. A worker that finds the lock taken does not render itself: it waits until a
   * render covered its number, or takes the lock when it is free (the holder finished or died), so
   * the last row written is always shown, and 30 hosts finishing at once cost a few renders, not 30.
   */
  async refresh(id: string, render: () => Promise<void>): Promise<void> {
    const replies = await this.redis.multi().incr(CHANGED(id)).expire(CHANGED(id), TTL_SECONDS).exec();
    const mine = replies?.[0]?.[1];
    if (typeof mine !== 'number') throw new Error(`could not number a row change of fleet ${id}`);
    const deadline = Date.now() + STUCK_LOCK_MS;
    for (;;) {
      if ((await this.#rendered(id)) >= mine) return;
      const token = randomBytes(8).toString('hex');
      if (await this.redis.set(LOCK(id), token, 'PX', LOCK_MS, 'NX')) {
        await this.#renderWhileChanged(id, token, render);
        continue;
      }
      if (Date.now() > deadline) {
        // A lock stuck past its expiry must not lose the update: go ahead.
        await render();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RENDER_POLL_MS));
    }
  }

  async #rendered(id: string): Promise<number> {
    return Number((await this.redis.get(RENDERED(id))) ?? 0);
  }

  async #renderWhileChanged(id: string, token: string, render: () => Promise<void>): Promise<void> {
    try {
      for (;;) {
        const [changed, rendered] = await this.redis.mget(CHANGED(id), RENDERED(id));
        const wanted = Number(changed ?? 0);
        if (wanted <= Number(rendered ?? 0)) return;
        // Every change numbered up to `wanted` wrote its row before taking its number.
        await render();
        await this.redis.set(RENDERED(id), wanted, 'EX', TTL_SECONDS);
      }
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
