import type { Redis } from 'ioredis';
import { admit } from '../commands/admit.ts';
import { COMMANDS, dispatch, newRequestId } from '../commands/index.ts';
import type { CommandServices } from '../commands/services.ts';
import { DEFAULT_WORKER_OPTIONS, startWorkers, type WorkerOptions } from '../workers/index.ts';
import { approvalSignerFor } from './approvals/signature.ts';
import { ApprovalStore } from './approvals/store.ts';
import { AuditLog, type AuditLogOptions } from './audit/log.ts';
import type { DockmedicEnv } from './config/env.ts';
import type { ConfigSource } from './config/source.ts';
import { createHostPool } from './hosts/pool.ts';
import { log } from './log.ts';
import { instrumentSlack, metricsRoute } from './metrics.ts';
import { startMonitoring } from './monitoring.ts';
import { FleetStore } from './queue/fleetStore.ts';
import { InFlight } from './queue/inflight.ts';
import { PostLedger } from './queue/postLedger.ts';
import { Queues } from './queue/queues.ts';
import { RateLimiter } from './queue/rateLimit.ts';
import { createRedis } from './queue/redis.ts';
import { type ActionDeps, routeAction } from './slack/actions.ts';
import { createSlackApp } from './slack/app.ts';
import { createSlackOut } from './slack/client.ts';

export interface RuntimeOptions {
  config: ConfigSource;
  env: DockmedicEnv;
  redisUrl: string;
  bot: boolean;
  worker: boolean;
  workerOptions?: Partial<WorkerOptions>;
  /** Storm window for alert fires (tests shorten it). */
  stormWindowMs?: number;
  /** Where security events are echoed besides Redis (default: JSON lines on stdout). */
  auditOptions?: AuditLogOptions;
}

/** Gives Redis a moment at start so the first command is not refused; a Redis that stays down is reported per command. */
async function waitReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    client.once('ready', done);
    function done() {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    }
  });
}

export interface Runtime {
  port?: number;
  /** Re-syncs the monitor and maintenance schedules with the config (after a reload). */
  syncSchedules(): Promise<void>;
  stop(): Promise<void>;
}

/** Wires the parts for `start` (both), `bot` or `worker`. Everything started here is stopped by stop(). */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env, config } = options;
  // First: a bot or worker that cannot sign or check approvals refuses to start, before it touches anything.
  const signer = approvalSignerFor(env.DOCKMEDIC_APPROVAL_SECRET, { bot: options.bot, worker: options.worker });
  if (!env.DOCKMEDIC_APPROVAL_SECRET) {
    log.info(
      'DOCKMEDIC_APPROVAL_SECRET is not set: approvals are signed with a key of this process only; buttons offered before a restart will be refused',
    );
  }
  const token = env.SLACK_BOT_TOKEN ?? '';
  const slack = instrumentSlack(createSlackOut({ token, apiUrl: env.SLACK_API_URL }));
  const client = createRedis(options.redisUrl, 'client');
  client.on('error', (err) => log.debug({ err: err.message }, 'redis client error'));
  await waitReady(client, 3000);
  const audit = new AuditLog(client, options.auditOptions);
  const inflight = new InFlight(client);
  const admission = { inflight, rate: new RateLimiter(client) };
  const approvals = new ApprovalStore(client, signer);
  const queues = new Queues(client);
  const stops: Array<() => Promise<unknown>> = [];
  // One pool per process: the command, fix, monitor and maintenance workers share each host's SSH
  // connection. It is closed last, after every worker using it has stopped.
  const pool = options.worker
    ? createHostPool({ timeouts: config.current().timeouts, hostConcurrency: config.current().hostConcurrency })
    : undefined;
  const monitoring = await startMonitoring({
    config,
    redisUrl: options.redisUrl,
    client,
    slack,
    approvals,
    audit,
    // The alert's "Run diagnosis" button: a person asking for a diskcheck, admitted like the command.
    enqueueCommand: async (job) => {
      const admitted = await admit({ config, admission }, { ...job, target: job.host, hostCount: 1 });
      return await queues.enqueueCommand(job).catch(async (error: unknown) => {
        await admitted.undo();
        throw error;
      });
    },
    stormWindowMs: options.stormWindowMs,
  });
  stops.push(() => monitoring.stop());
  let port: number | undefined;

  if (pool) {
    const workerRedis = createRedis(options.redisUrl, 'worker');
    const workers = startWorkers(
      workerRedis,
      {
        config,
        pool,
        slack,
        approvals,
        audit,
        fleets: new FleetStore(client),
        inflight,
        ledger: new PostLedger(client),
        alerts: monitoring.alerts,
        enqueueCommand: (job) => queues.enqueueCommand(job),
        enqueueFleetRender: (fleetId, delayMs) => queues.enqueueFleetRender(fleetId, delayMs),
      },
      {
        ...DEFAULT_WORKER_OPTIONS,
        concurrency: config.current().workerConcurrency,
        ...(env.DOCKMEDIC_JOB_LOCK ? { lockDurationMs: env.DOCKMEDIC_JOB_LOCK } : {}),
        ...options.workerOptions,
      },
    );
    stops.push(async () => {
      await workers.close();
      workerRedis.disconnect();
    });
    stops.push(() => pool.closeAll());
  }

  if (options.bot) {
    const services: CommandServices = {
      config,
      queues,
      audit,
      admission,
      commands: COMMANDS,
      newRequestId,
      monitoring: monitoring.services,
    };
    const actionDeps: ActionDeps = {
      approvals: {
        store: approvals,
        audit,
        slack,
        access: () => config.current().access,
        enqueueFix: (id, attempt) => queues.enqueueFix(id, attempt),
      },
      alerts: monitoring.actionDeps,
    };
    const app = await createSlackApp({
      env,
      port: env.PORT,
      host: env.DOCKMEDIC_HTTP_HOST,
      onCommand: (request) => dispatch(request, services),
      onAction: (request) => routeAction(request, actionDeps),
      routes: [metricsRoute()],
    });
    await app.start();
    port = app.port;
    stops.unshift(() => app.stop());
  }

  return {
    port,
    syncSchedules: () => monitoring.sync(),
    async stop() {
      for (const stop of stops) await stop().catch((err: unknown) => log.warn({ err }, 'stop failed'));
      await queues.close().catch(() => {});
      client.disconnect();
    },
  };
}
