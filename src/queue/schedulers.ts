// The monitor and maintenance schedules, as BullMQ job schedulers that follow the config file: one
// `monitor-<host>` per host at its interval (the host's `monitor.interval`, else its group's, else the global one) and
// one `prune-<host>-<n>` per host a `maintenance:` entry names (cron + time zone). syncSchedules runs
// at start and on every config reload, and removes the schedulers of hosts and entries that are gone,
// so none is left behind. Job ids never contain ':' (BullMQ 6).

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { getCheck } from '../checks/index.ts';
import { monitorIntervalOf } from '../config/monitorSettings.ts';
import type { DockmedicConfig } from '../config/schema.ts';
import { HostName } from '../config/schema.ts';
import { resolveTargets } from '../config/targets.ts';
import { log } from '../log.ts';
import { MAINTENANCE_QUEUE, MONITOR_QUEUE, QUEUE_PREFIX } from './names.ts';

export const MonitorJob = z.object({ host: HostName });
export type MonitorJob = z.infer<typeof MonitorJob>;
export const FlushJob = z.object({ channel: z.string().regex(/^[A-Z0-9]{2,24}$/) });
export type FlushJob = z.infer<typeof FlushJob>;
export const PruneJob = z.object({
  host: HostName,
  until: z.string().regex(/^[1-9][0-9]{0,5}[smh]$/),
  schedule: z.string().max(120),
});
export type PruneJob = z.infer<typeof PruneJob>;

export const MONITOR_JOB = 'check';
export const FLUSH_JOB = 'flush';
export const PRUNE_JOB = 'prune';

export interface ScheduleRow {
  id: string;
  kind: 'monitor' | 'maintenance';
  host: string;
  every?: number;
  cron?: string;
  timezone?: string;
  next?: number;
}

/** prune-safe takes `until` as `24h` / `30m` / `45s`: the largest whole unit. */
export function untilParam(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** Check ids in `monitor.checks` that no check file registers: reported, skipped, never fatal. */
export function unknownChecks(config: DockmedicConfig): string[] {
  return (config.monitor.checks ?? []).filter((id) => !getCheck(id));
}

export class Schedules {
  readonly monitor: Queue;
  readonly maintenance: Queue;

  constructor(connection: Redis) {
    // The next tick is the retry of a monitor run; a prune is not retried behind anyone's back.
    const defaultJobOptions = { attempts: 1, removeOnComplete: { count: 200 }, removeOnFail: { count: 200 } };
    this.monitor = new Queue(MONITOR_QUEUE, { connection, prefix: QUEUE_PREFIX, defaultJobOptions });
    this.maintenance = new Queue(MAINTENANCE_QUEUE, { connection, prefix: QUEUE_PREFIX, defaultJobOptions });
    for (const queue of [this.monitor, this.maintenance]) {
      queue.on('error', (err) => log.debug({ queue: queue.name, err: err.message }, 'queue connection error'));
    }
  }

  async sync(config: DockmedicConfig): Promise<{ monitor: number; maintenance: number; removed: number }> {
    const wantMonitor = new Map<string, number>();
    for (const host of config.hosts) wantMonitor.set(host.name, monitorIntervalOf(config, host));
    for (const [host, every] of wantMonitor) {
      await this.monitor.upsertJobScheduler(`monitor-${host}`, { every }, { name: MONITOR_JOB, data: { host } });
    }
    const wantPrune = new Map<string, { host: string; cron: string; tz: string; until: string }>();
    config.maintenance.forEach((entry, index) => {
      for (const target of entry.hosts) {
        try {
          for (const host of resolveTargets(config, target)) {
            wantPrune.set(`prune-${host.name}-${index}`, {
              host: host.name,
              cron: entry.prune.cron,
              tz: entry.prune.timezone,
              until: untilParam(entry.prune.until),
            });
          }
        } catch (error) {
          log.warn({ target, entry: index, err: (error as Error).message }, 'maintenance target matches no host');
        }
      }
    });
    for (const [id, want] of wantPrune) {
      const data: PruneJob = { host: want.host, until: want.until, schedule: `${want.cron} (${want.tz})` };
      await this.maintenance.upsertJobScheduler(id, { pattern: want.cron, tz: want.tz }, { name: PRUNE_JOB, data });
    }
    let removed = 0;
    removed += await removeOthers(this.monitor, new Set([...wantMonitor.keys()].map((host) => `monitor-${host}`)));
    removed += await removeOthers(this.maintenance, new Set(wantPrune.keys()));
    const unknown = unknownChecks(config);
    if (unknown.length > 0) log.warn({ unknown }, 'monitor.checks names checks that are not registered; skipped');
    log.info({ monitor: wantMonitor.size, maintenance: wantPrune.size, removed }, 'schedules synced');
    return { monitor: wantMonitor.size, maintenance: wantPrune.size, removed };
  }

  async list(): Promise<ScheduleRow[]> {
    const rows: ScheduleRow[] = [];
    for (const [kind, queue] of [
      ['monitor', this.monitor],
      ['maintenance', this.maintenance],
    ] as const) {
      for (const scheduler of await queue.getJobSchedulers(0, -1, true)) {
        const host = String((scheduler.template?.data as { host?: string } | undefined)?.host ?? '?');
        rows.push({
          id: scheduler.key,
          kind,
          host,
          every: scheduler.every ? Number(scheduler.every) : undefined,
          cron: scheduler.pattern ?? undefined,
          timezone: scheduler.tz ?? undefined,
          next: scheduler.next ? Number(scheduler.next) : undefined,
        });
      }
    }
    return rows;
  }

  async close(): Promise<void> {
    await Promise.all([this.monitor.close(), this.maintenance.close()]);
  }
}

async function removeOthers(queue: Queue, keep: Set<string>): Promise<number> {
  let removed = 0;
  for (const scheduler of await queue.getJobSchedulers(0, -1, true)) {
    if (keep.has(scheduler.key)) continue;
    await queue.removeJobScheduler(scheduler.key);
    removed += 1;
  }
  return removed;
}
