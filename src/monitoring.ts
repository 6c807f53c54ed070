// The monitor path's wiring, kept out of runtime.ts: schedules (synced at start and on reload), the
// alert store and storm window (the monitor and maintenance workers start in workers/index.ts), the `dm_alert_*` button
// handler's dependencies, what the alerts/silence/schedule commands use, and /metrics sources.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { MonitoringServices } from '../commands/services.ts';
import { AlertStore } from './alerts/store.ts';
import { DEFAULT_STORM_WINDOW_MS, StormWindow } from './alerts/storm.ts';
import type { ApprovalStore } from './approvals/store.ts';
import type { AuditLog } from './audit/log.ts';
import type { ConfigSource } from './config/source.ts';
import { log } from './log.ts';
import { setScrapeSources } from './metrics.ts';
import { COMMAND_QUEUE, FIX_QUEUE, QUEUE_PREFIX } from './queue/names.ts';
import type { CommandJob } from './queue/payloads.ts';
import { withDeadline } from './queue/redis.ts';
import { FLUSH_JOB, Schedules, unknownChecks } from './queue/schedulers.ts';
import type { AlertActionDeps } from './slack/actions/alert.ts';
import type { AlertDeps } from './slack/alertThreads.ts';
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
  stormWindowMs?: number;
}

export interface Monitoring {
  alerts: AlertDeps;
  actionDeps: AlertActionDeps;
  services: MonitoringServices;
  /** Re-reads the config's hosts and maintenance entries into job schedulers. */
  sync(): Promise<void>;
  stop(): Promise<void>;
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
