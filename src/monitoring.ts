// The monitor path's wiring, kept out of runtime.ts: schedules (synced at start and on reload), the
// monitor and maintenance workers, the alert store and storm window, the `dm_alert_*` button
// handler's dependencies, what the alerts/silence/schedule commands use, and /metrics sources.

import { randomBytes } from 'node:crypto';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { ConfigSource } from '../commands/types.ts';
import { processPruneJob } from '../workers/maintenance.ts';
import { processFlushJob, processMonitorJob } from '../workers/monitor.ts';
import type { AlertActionDeps } from './alerts/actions.ts';
import type { AlertDeps } from './alerts/notify.ts';
import { AlertStore } from './alerts/store.ts';
import { DEFAULT_STORM_WINDOW_MS, StormWindow } from './alerts/storm.ts';
import type { ApprovalStore } from './approvals/store.ts';
import type { AuditLog } from './audit/log.ts';
import type { HostPool } from './hosts/types.ts';
import { log } from './log.ts';
import { setScrapeSources } from './metrics.ts';
import { COMMAND_QUEUE, FIX_QUEUE, MAINTENANCE_QUEUE, MONITOR_QUEUE, QUEUE_PREFIX } from './queue/names.ts';
import type { CommandJob } from './queue/payloads.ts';
import { createRedis, withDeadline } from './queue/redis.ts';
import { FLUSH_JOB, FlushJob, MonitorJob, PruneJob, Schedules, unknownChecks } from './queue/schedulers.ts';
import type { SlackOut } from './slack/client.ts';

export interface MonitoringOptions {
  config: ConfigSource;
  redisUrl: string;
  /** The runtime's fail-fast client: state reads, window pushes, queue adds. */
  client: Redis;
  slack: SlackOut;
  approvals: ApprovalStore;
  audit: AuditLog;
  enqueueCommand(job: CommandJob): Promise<string>;
  /** Run the monitor and maintenance workers in this process. */
  worker: boolean;
  /**
   * The process's host pool, shared with the command and fix workers so a host gets one SSH
   * connection per process, not one per path. Required with `worker`; its owner closes it.
   */
  pool?: HostPool;
  concurrency?: number;
  lockDurationMs?: number;
  stormWindowMs?: number;
}

/** What `/docker alerts|silence|unsilence|schedule` use. */
export interface MonitoringServices {
  alerts: AlertDeps;
  schedules: Pick<Schedules, 'list'>;
  unknownChecks(): string[];
}

export interface Monitoring {
  alerts: AlertDeps;
  actionDeps: AlertActionDeps;
  services: MonitoringServices;
  /** Re-reads the config's hosts and maintenance entries into job schedulers. */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

function parse<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  log.error({ jobId: job.id, queue: job.queueName }, 'invalid monitor job payload');
  throw new UnrecoverableError(`invalid payload in job ${job.id}`);
}

export async function startMonitoring(options: MonitoringOptions): Promise<Monitoring> {
  const { config, client } = options;
  const schedules = new Schedules(client);
  const store = new AlertStore(client);
  const scheduleFlush = async (channel: string, delayMs: number) => {
    const jobId = `flush-${channel}-${Date.now()}-${randomBytes(3).toString('hex')}`;
    await schedules.monitor.add(FLUSH_JOB, { channel }, { delay: delayMs, jobId, attempts: 3, backoff: 1000 });
  };
  const storm = new StormWindow(client, scheduleFlush, options.stormWindowMs ?? DEFAULT_STORM_WINDOW_MS);
  const alerts: AlertDeps = { store, slack: options.slack, config, approvals: options.approvals, storm };
  const stops: Array<() => Promise<unknown>> = [];

  if (options.worker) {
    const pool = options.pool;
    if (!pool) throw new Error('startMonitoring: a worker needs the process host pool');
    const connection = createRedis(options.redisUrl, 'worker');
    const lockDuration = options.lockDurationMs ?? 30_000;
    const common = {
      connection,
      prefix: QUEUE_PREFIX,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      concurrency: options.concurrency ?? 16,
    };
    const deps = { alerts, pool, audit: options.audit };
    const monitor = new Worker(
      MONITOR_QUEUE,
      async (job) =>
        job.name === FLUSH_JOB
          ? await processFlushJob(parse(FlushJob, job), deps)
          : await processMonitorJob(parse(MonitorJob, job), deps),
      common,
    );
    const maintenance = new Worker(
      MAINTENANCE_QUEUE,
      async (job) =>
        await processPruneJob(parse(PruneJob, job), { config, pool, slack: options.slack, audit: options.audit }),
      { ...common, concurrency: 4 },
    );
    for (const worker of [monitor, maintenance]) {
      worker.on('failed', (job, err) =>
        log.warn({ jobId: job?.id, queue: worker.name, err: err.message }, 'job failed'),
      );
      worker.on('error', (err) => log.error({ queue: worker.name, err: err.message }, 'worker error'));
    }
    stops.push(async () => {
      await Promise.all([monitor.close(), maintenance.close()]);
      connection.disconnect();
    });
  }

  const sync = async () => {
    await schedules.sync(config.current());
  };
  // A Redis that is down at start must not hold the bot up: commands then say Redis is down, and
  // the schedules are synced again on the next start or reload.
  await withDeadline(sync(), 3000, () => new Error('timed out syncing schedules with Redis')).catch((error: unknown) =>
    log.error({ err: error }, 'could not sync schedules'),
  );
  setScrapeSources({
    async jobCounts() {
      const out: Record<string, Record<string, number>> = {};
      for (const queue of [schedules.monitor, schedules.maintenance]) out[queue.name] = await queue.getJobCounts();
      return { ...out, ...(await otherQueues(client)) };
    },
    async firingBySeverity() {
      const counts: Record<string, number> = { warn: 0, crit: 0 };
      for (const state of await store.all()) {
        if (state.status === 'firing' && state.severity) counts[state.severity] = (counts[state.severity] ?? 0) + 1;
      }
      return counts;
    },
  });

  const actionDeps: AlertActionDeps = {
    alerts,
    audit: options.audit,
    access: () => config.current().access,
    enqueueDiagnosis: (host, userId, channelId) =>
      options.enqueueCommand({
        command: 'diskcheck',
        args: {},
        host,
        requestId: `rq-${randomBytes(6).toString('hex')}`,
        userId,
        channelId,
        requestedAt: new Date().toISOString(),
      } as CommandJob),
  };

  return {
    alerts,
    actionDeps,
    services: { alerts, schedules, unknownChecks: () => unknownChecks(config.current()) },
    sync,
    async stop() {
      setScrapeSources(undefined);
      for (const stop of stops) await stop().catch((err: unknown) => log.warn({ err }, 'monitoring stop failed'));
      await withDeadline(schedules.close(), 3000, () => new Error('timed out closing schedule queues')).catch(() => {});
    },
  };
}

/** The command and fix queues' counts, read through a throwaway Queue handle on the same client. */
async function otherQueues(client: Redis): Promise<Record<string, Record<string, number>>> {
  const { Queue } = await import('bullmq');
  const out: Record<string, Record<string, number>> = {};
  for (const name of [COMMAND_QUEUE, FIX_QUEUE]) {
    const queue = new Queue(name, { connection: client, prefix: QUEUE_PREFIX });
    out[name] = await queue.getJobCounts();
    await queue.close();
  }
  return out;
}
