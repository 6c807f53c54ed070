import type { Job } from 'bullmq';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { DockmedicError, isDockmedicError } from '../src/errors.ts';
import { formatDuration } from '../src/format.ts';
import { log } from '../src/log.ts';
import { inflightTtlMs } from '../src/queue/inflight.ts';
import {
  COMMAND_QUEUE,
  FIX_QUEUE,
  FLEET_JOB,
  FLEET_RENDER_QUEUE,
  MAINTENANCE_QUEUE,
  MONITOR_QUEUE,
  QUEUE_PREFIX,
  RECONCILE_JOB,
} from '../src/queue/names.ts';
import { CommandJob, FixJob, FleetJob, FleetRenderJob, type ParsedCommandJob } from '../src/queue/payloads.ts';
import { withDeadline } from '../src/queue/redis.ts';
import { FLUSH_JOB, FlushJob, MonitorJob, PruneJob } from '../src/queue/schedulers.ts';
import { processCommandJob } from './command.ts';
import type { WorkerDeps } from './deps.ts';
import { tellRequester } from './failures.ts';
import { processFixJob } from './fix.ts';
import { processFleetJob, processFleetRender } from './fleet.ts';
import { processPruneJob } from './maintenance.ts';
import { processFlushJob, processMonitorJob } from './monitor.ts';
import { processReconcileJob } from './reconcile.ts';

export interface WorkerOptions {
  /** Jobs one process runs at once; hosts are limited separately by the pool. */
  concurrency: number;
  /** How long a job's lock lives without renewal: a dead worker's job is taken over after about this. */
  lockDurationMs: number;
  /** How often the approvals reconciler runs (one worker per run). */
  reconcileEveryMs: number;
  /** How long an approval may sit `approved`/`running` without a live job before it is reported. */
  reconcileGraceMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 16,
  lockDurationMs: 30_000,
  reconcileEveryMs: 30_000,
  reconcileGraceMs: 120_000,
};

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

/**
 * Every job has a total deadline (timeouts.job, timeouts.fix): whatever hangs below it, the job ends,
 * its worker slot is free again and the requester is told. The work itself cannot be cancelled from
 * here; the host layer's own timeouts and answer limits end it soon after.
 */
function withJobDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withDeadline(
    work,
    ms,
    () =>
      new DockmedicError('dm_job_timeout', `${what} did not finish within ${ms} ms`, {
        userMessage: `it did not finish within ${formatDuration(ms)} (timeouts.job), so dockmedic gave up on it`,
      }),
  );
}

type CommandPayload = ParsedCommandJob | (FleetJob & { args: ParsedCommandJob['args'] });

/**
 * The job ended (done, or failed for good): clear the bot's in-flight claim (src/queue/inflight.ts),
 * so the same request may be asked again. A fleet's claim ends with its last host. Never throws: a
 * claim left behind expires by itself.
 */
async function jobEnded(deps: WorkerDeps, data: CommandPayload, fanOut?: { fleetId: string; hosts: number }) {
  const ttlMs = inflightTtlMs(deps.config.current().timeouts.job);
  const identity = {
    userId: data.userId,
    command: data.command,
    target: 'target' in data ? data.target : data.host,
    args: data.args,
  };
  try {
    if (fanOut) await deps.inflight.fleetFannedOut(fanOut.fleetId, identity, data.requestId, fanOut.hosts, ttlMs);
    else if ('fleetId' in data && data.fleetId) await deps.inflight.fleetHostEnded(data.fleetId, ttlMs);
    else await deps.inflight.release(identity, data.requestId);
  } catch (error) {
    log.warn({ err: error, requestId: data.requestId }, 'could not clear an in-flight claim; it expires by itself');
  }
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
      const deadlineMs = deps.config.current().timeouts.job;
      try {
        if ('target' in data) {
          const fleet = await withJobDeadline(processFleetJob(data, deps), deadlineMs, `fleet job ${job.id}`);
          await jobEnded(deps, data, fleet);
          return fleet;
        }
        const outcome = await withJobDeadline(processCommandJob(data, deps), deadlineMs, `command job ${job.id}`);
        await jobEnded(deps, data);
        return { worst: outcome.worst, headline: outcome.headline };
      } catch (error) {
        const lastTry =
          !isDockmedicError(error) || !error.retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (lastTry) {
          await tellRequester(deps, data, error);
          await jobEnded(deps, data);
        }
        return classify(error);
      }
    },
    { ...common, concurrency: options.concurrency, maxStalledCount: 2 },
  );
  // The reconciler's runs are jobs of the fix queue's own scheduler: each run is done by one worker.
  const fixQueue = new Queue(FIX_QUEUE, { connection, prefix: QUEUE_PREFIX });
  fixQueue.on('error', (err) => log.debug({ queue: FIX_QUEUE, err: err.message }, 'queue connection error'));
  void fixQueue
    .upsertJobScheduler(
      RECONCILE_JOB,
      { every: options.reconcileEveryMs },
      { name: RECONCILE_JOB, data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
    )
    .catch((err: unknown) => log.error({ err }, 'could not schedule the approvals reconciler'));
  const fixes = new Worker(
    FIX_QUEUE,
    async (job) => {
      if (job.name === RECONCILE_JOB) return await processReconcileJob(deps, fixQueue, options.reconcileGraceMs);
      const data = parsePayload(FixJob, job);
      const deadlineMs = deps.config.current().timeouts.fix;
      const outcome = await withJobDeadline(
        processFixJob(data, job.id ?? '', deps),
        deadlineMs,
        `fix job ${job.id}`,
      ).catch((error: unknown) => {
        // No retry for a fix, ever: the approval record keeps its state, the log says why the job ended.
        log.error({ err: error, approvalId: data.approvalId }, 'fix job failed or ran past its deadline');
        throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
      });
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
      await withJobDeadline<unknown>(
        job.name === FLUSH_JOB
          ? processFlushJob(parsePayload(FlushJob, job), deps)
          : processMonitorJob(parsePayload(MonitorJob, job), deps),
        deps.config.current().timeouts.job,
        `monitor job ${job.id}`,
      ),
    { ...common, concurrency: MONITOR_CONCURRENCY },
  );
  const maintenance = new Worker(
    MAINTENANCE_QUEUE,
    async (job) =>
      await withJobDeadline(
        processPruneJob(parsePayload(PruneJob, job), deps),
        deps.config.current().timeouts.fix,
        `prune job ${job.id}`,
      ),
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
      await fixQueue.close();
    },
  };
}
