import type { Job } from 'bullmq';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { isDockmedicError } from '../src/errors.ts';
import { log } from '../src/log.ts';
import {
  COMMAND_QUEUE,
  FIX_QUEUE,
  FLEET_JOB,
  FLEET_RENDER_QUEUE,
  MAINTENANCE_QUEUE,
  MONITOR_QUEUE,
  QUEUE_PREFIX,
} from '../src/queue/names.ts';
import { CommandJob, FixJob, FleetJob, FleetRenderJob } from '../src/queue/payloads.ts';
import { FLUSH_JOB, FlushJob, MonitorJob, PruneJob } from '../src/queue/schedulers.ts';
import { processCommandJob } from './command.ts';
import type { WorkerDeps } from './deps.ts';
import { tellRequester } from './failures.ts';
import { processFixJob } from './fix.ts';
import { processFleetJob, processFleetRender } from './fleet.ts';
import { processPruneJob } from './maintenance.ts';
import { processFlushJob, processMonitorJob } from './monitor.ts';

export interface WorkerOptions {
  /** Jobs one process runs at once; hosts are limited separately by the pool. */
  concurrency: number;
  /** How long a job's lock lives without renewal: a dead worker's job is taken over after about this. */
  lockDurationMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = { concurrency: 16, lockDurationMs: 30_000 };

/** Payloads read back from Redis are untrusted too: a bad one fails for good, with a log line. */
function parsePayload<T>(schema: z.ZodType<T>, job: Job): T {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  log.error({ jobId: job.id, queue: job.queueName, issues: parsed.error.issues.length }, 'invalid job payload');
  throw new UnrecoverableError(`invalid payload in job ${job.id}`);
}

/**
 * Retry is decided by the error: connection trouble (hosts, Slack's network errors, 5xx, 429s) is
 * retried; a refusal (not_in_channel, invalid_blocks, a bad argument…) is not, so host work is not
 * run again for an answer that cannot be posted.
 */
function classify(error: unknown): never {
  if (isDockmedicError(error) && !error.retryable) throw new UnrecoverableError(error.message);
  throw error;
}

/** Monitor runs are many and short; one process runs this many at once. */
const MONITOR_CONCURRENCY = 16;
/** Fleet renders wait on Slack (and on each other per fleet); a few at once keep up with many fleets. */
const FLEET_RENDER_CONCURRENCY = 4;
/** A scheduled prune holds a host for a while; a few at once are plenty. */
const MAINTENANCE_CONCURRENCY = 4;

/** Every BullMQ worker of a worker process: command (and fleet), fix, monitor (and flush), maintenance. */
export function startWorkers(connection: Redis, deps: WorkerDeps, options: WorkerOptions = DEFAULT_WORKER_OPTIONS) {
  const common = {
    connection,
    prefix: QUEUE_PREFIX,
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
  };
  const commands = new Worker(
    COMMAND_QUEUE,
    async (job) => {
      const data = job.name === FLEET_JOB ? parsePayload(FleetJob, job) : parsePayload(CommandJob, job);
      try {
        if ('target' in data) return await processFleetJob(data, deps);
        const outcome = await processCommandJob(data, deps);
        return { worst: outcome.worst, headline: outcome.headline };
      } catch (error) {
        const lastTry =
          !isDockmedicError(error) || !error.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (lastTry) await tellRequester(deps, data, error);
        return classify(error);
      }
    },
    { ...common, concurrency: options.concurrency, maxStalledCount: 2 },
  );
  const fixes = new Worker(
    FIX_QUEUE,
    async (job) => {
      const data = parsePayload(FixJob, job);
      const outcome = await processFixJob(data, deps);
      return outcome ? { ok: outcome.ok, bytesFreed: outcome.bytesFreed ?? 0 } : { skipped: true };
    },
    // A stalled fix is handed over once so the next worker can report "outcome unknown".
    { ...common, concurrency: options.concurrency, maxStalledCount: 1 },
  );
  const fleetRenders = new Worker(
    FLEET_RENDER_QUEUE,
    async (job) => {
      try {
        return await processFleetRender(parsePayload(FleetRenderJob, job), deps);
      } catch (error) {
        return classify(error);
      }
    },
    { ...common, concurrency: FLEET_RENDER_CONCURRENCY },
  );
  const monitor = new Worker(
    MONITOR_QUEUE,
    async (job) =>
      job.name === FLUSH_JOB
        ? await processFlushJob(parsePayload(FlushJob, job), deps)
        : await processMonitorJob(parsePayload(MonitorJob, job), deps),
    { ...common, concurrency: MONITOR_CONCURRENCY },
  );
  const maintenance = new Worker(
    MAINTENANCE_QUEUE,
    async (job) => await processPruneJob(parsePayload(PruneJob, job), deps),
    { ...common, concurrency: MAINTENANCE_CONCURRENCY },
  );
  const workers = [commands, fixes, fleetRenders, monitor, maintenance];
  for (const worker of workers) {
    worker.on('failed', (job, err) => log.warn({ jobId: job?.id, queue: worker.name, err: err.message }, 'job failed'));
    worker.on('error', (err) => log.error({ queue: worker.name, err: err.message }, 'worker error'));
  }
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}
