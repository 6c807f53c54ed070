import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { SEVERITIES } from '../checks/types.ts';
import { RISKS } from '../fixes/types.ts';

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

/** What one host with something to say contributes to the fleet's thread (posted in batches). */
export const FleetDetail = z.object({
  host: z.string().max(64),
  command: z.string().max(32),
  worst: z.enum(SEVERITIES),
  headline: z.string().max(500),
  highlights: z.array(z.string().max(500)).max(10),
  buttons: z.array(z.object({ approvalId: z.string().max(64), label: z.string().max(200), risk: z.enum(RISKS) })),
});
export type FleetDetail = z.infer<typeof FleetDetail>;

const META = (id: string) => `dm:fleet:${id}:meta`;
const ROWS = (id: string) => `dm:fleet:${id}:rows`;
const DETAILS = (id: string) => `dm:fleet:${id}:details`;
const DETAIL_HOSTS = (id: string) => `dm:fleet:${id}:detail-hosts`;
const POSTED = (id: string) => `dm:fleet:${id}:details-posted`;
const LOCK = (id: string) => `dm:fleet:${id}:lock`;
/** Set while a render is scheduled and has not started reading: later changes ride along with it. */
const SCHEDULED = (id: string) => `dm:fleet:${id}:scheduled`;
const LAST_RENDER = (id: string) => `dm:fleet:${id}:last-render`;
/** Hosts that have not answered yet. */
const WAITING = (id: string) => `dm:fleet:${id}:waiting`;
/** How many changes there were, and how many of them the last render showed. */
const VERSION = (id: string) => `dm:fleet:${id}:version`;
const RENDERED = (id: string) => `dm:fleet:${id}:rendered`;
const TTL_SECONDS = 24 * 3600;
/** A render holds the lock at most this long (Slack's 429 waits included); a dead holder blocks no longer. */
const LOCK_MS = 120_000;
/** A schedule whose job never ran (enqueue failed) stops holding later changes back after this. */
const SCHEDULE_MS = 60_000;
/** The summary message is edited at most once per this: chat.update allows about 50 a minute. */
export const FLEET_RENDER_INTERVAL_MS = 1500;

/** A fleet's id follows from its request, so a retried fleet job finds the fleet it already started. */
export function fleetIdOf(requestId: string): string {
  return `fl-${requestId.replace(/^rq-/, '')}`;
}

export function newFleetId(): string {
  return `fl-${randomBytes(6).toString('hex')}`;
}

/**
 * A fleet run's state: one row per host, filled in by whichever worker finishes that host; the details
 * hosts leave for the thread; and the pacing of renders. Changes only mark the fleet for rendering:
 * one render job at a time (the lock) reads everything and brings Slack up to date, at most once per
 * FLEET_RENDER_INTERVAL_MS, and a change always finds a render scheduled after it, so the last state
 * is always shown.
 */
export class FleetStore {
  constructor(private readonly redis: Redis) {}

  /** False when the fleet exists already (a retried fleet job): its rows are left as they are. */
  async create(meta: FleetMeta, hosts: string[]): Promise<boolean> {
    const fresh = await this.redis.hsetnx(META(meta.id), 'id', meta.id);
    if (!fresh) return false;
    const rows = Object.fromEntries(hosts.map((host) => [host, JSON.stringify({ host, state: 'pending' })]));
    await this.redis
      .multi()
      .hset(META(meta.id), meta)
      .hset(ROWS(meta.id), rows)
      .sadd(WAITING(meta.id), ...hosts)
      .expire(META(meta.id), TTL_SECONDS)
      .expire(ROWS(meta.id), TTL_SECONDS)
      .expire(WAITING(meta.id), TTL_SECONDS)
      .exec();
    return true;
  }

  /** Writes a host's row; `remaining` is how many hosts have still not answered. */
  async setRow(id: string, row: FleetRow): Promise<{ remaining: number }> {
    const multi = this.redis.multi().hset(ROWS(id), row.host, JSON.stringify(FleetRow.parse(row)));
    if (row.state !== 'pending') multi.srem(WAITING(id), row.host);
    const replies = await multi.scard(WAITING(id)).incr(VERSION(id)).expire(VERSION(id), TTL_SECONDS).exec();
    const remaining = replies?.at(-3)?.[1];
    return { remaining: typeof remaining === 'number' ? remaining : 1 };
  }

  async read(id: string): Promise<{ meta: FleetMeta; rows: FleetRow[] } | undefined> {
    const [meta, rows] = await Promise.all([this.redis.hgetall(META(id)), this.redis.hgetall(ROWS(id))]);
    const parsedMeta = FleetMeta.safeParse(meta);
    if (!parsedMeta.success) return undefined;
    const parsedRows: FleetRow[] = [];
    for (const [host, text] of Object.entries(rows)) {
      const parsed = FleetRow.safeParse(safeJson(text));
      parsedRows.push(parsed.success ? parsed.data : { host, state: 'pending' });
    }
    parsedRows.sort((a, b) => a.host.localeCompare(b.host));
    return { meta: parsedMeta.data, rows: parsedRows };
  }

  /** A host's detail for the thread, once per host however often its job is retried. */
  async addDetail(id: string, detail: FleetDetail): Promise<void> {
    const json = JSON.stringify(FleetDetail.parse(detail));
    if (!(await this.redis.hsetnx(DETAIL_HOSTS(id), detail.host, '1'))) return;
    await this.redis
      .multi()
      .rpush(DETAILS(id), json)
      .expire(DETAILS(id), TTL_SECONDS)
      .expire(DETAIL_HOSTS(id), TTL_SECONDS)
      .exec();
  }

  /** Details not posted yet, and the position of the first of them. */
  async unpostedDetails(id: string): Promise<{ from: number; details: FleetDetail[] }> {
    const from = Number((await this.redis.get(POSTED(id))) ?? 0);
    const raw = await this.redis.lrange(DETAILS(id), from, -1);
    const details = raw.flatMap((text) => {
      const parsed = FleetDetail.safeParse(safeJson(text));
      return parsed.success ? [parsed.data] : [];
    });
    return { from, details };
  }

  async markDetailsPosted(id: string, upTo: number): Promise<void> {
    await this.redis.set(POSTED(id), upTo, 'EX', TTL_SECONDS);
  }

  /**
   * After a change: the delay after which a render should run, or undefined when one is already
   * scheduled and has not started reading (it will show this change too). The last host's answer
   * (`final`) is rendered at once: it is the one everybody waits for, and one edit over the pace is
   * within Slack's bursts.
   */
  async requestRender(id: string, options: { final?: boolean; now?: number } = {}): Promise<number | undefined> {
    const now = options.now ?? Date.now();
    const [[, scheduled], [, last]] = (await this.redis
      .multi()
      .set(SCHEDULED(id), '1', 'PX', SCHEDULE_MS, 'NX')
      .get(LAST_RENDER(id))
      .exec()) as [[unknown, string | null], [unknown, string | null]];
    if (options.final) return 0;
    if (scheduled !== 'OK') return undefined;
    return Math.max(0, Number(last ?? 0) + FLEET_RENDER_INTERVAL_MS - now);
  }

  /** The render asked for could not be scheduled: the next change (or a retry) asks again. */
  async cancelRender(id: string): Promise<void> {
    await this.redis.del(SCHEDULED(id));
  }

  /**
   * Runs one render of the fleet: waits for the lock (one render at a time, so an older state never
   * overwrites a newer one), clears the schedule before `render` reads anything (changes from then on
   * schedule the next render) and notes when it started (the next one waits for the interval).
   */
  async render(id: string, render: () => Promise<void>, waitMs = LOCK_MS): Promise<void> {
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + waitMs;
    while (!(await this.redis.set(LOCK(id), token, 'PX', LOCK_MS, 'NX'))) {
      if (Date.now() > deadline) throw new Error(`fleet ${id}: the render lock stayed taken`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      const replies = await this.redis
        .multi()
        .del(SCHEDULED(id))
        .mget(VERSION(id), RENDERED(id), POSTED(id))
        .llen(DETAILS(id))
        .exec();
      const [version, rendered, posted] = (replies?.[1]?.[1] as Array<string | null> | undefined) ?? [];
      const details = Number(replies?.[2]?.[1] ?? 0);
      // A render that finds everything shown already (the final render overtook a scheduled one) edits nothing.
      if (version && version === rendered && details <= Number(posted ?? 0)) return;
      // Pacing counts from the start of a render: a change during it is shown 1.5 s after this.
      await this.redis.set(LAST_RENDER(id), Date.now(), 'EX', TTL_SECONDS);
      await render();
      if (version) await this.redis.set(RENDERED(id), version, 'EX', TTL_SECONDS);
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
