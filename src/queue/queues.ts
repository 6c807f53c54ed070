import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { log } from '../log.ts';
import { COMMAND_QUEUE, FIX_QUEUE, FLEET_JOB, FLEET_RENDER_QUEUE, fixJobId, QUEUE_PREFIX } from './names.ts';
import { CommandJob, FixJob, FleetJob, FleetRenderJob } from './payloads.ts';
import { queueUnavailable, withDeadline } from './redis.ts';

/** How long the bot waits on Redis before telling the user it is down: well inside Slack's 3 s. */
const ENQUEUE_DEADLINE_MS = 1500;

export class Queues {
  readonly commands: Queue;
  readonly fixes: Queue;
  readonly fleetRenders: Queue;

  constructor(private readonly connection: Redis) {
    this.commands = new Queue(COMMAND_QUEUE, {
      connection,
      prefix: QUEUE_PREFIX,
      defaultJobOptions: {
        // A crashed worker's check is picked up again (stalled recovery); a thrown error is retried once.
        attempts: 2,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      },
    });
    this.fixes = new Queue(FIX_QUEUE, {
      connection,
      prefix: QUEUE_PREFIX,
      // Fixes never run twice: no automatic retry.
      defaultJobOptions: { attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    });
    this.fleetRenders = new Queue(FLEET_RENDER_QUEUE, {
      connection,
      prefix: QUEUE_PREFIX,
      // A render that fails (Slack down for a while) is tried again: the last one shows the final state.
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { count: 100 },
        removeOnFail: { count: 1000 },
      },
    });
    for (const queue of [this.commands, this.fixes, this.fleetRenders]) {
      queue.on('error', (err) => log.debug({ queue: queue.name, err: err.message }, 'queue connection error'));
    }
  }

  /** A known-dead connection fails at once instead of waiting out the deadline. */
  private assertConnected(): void {
    if (this.connection.status === 'ready') return;
    throw queueUnavailable(new Error(`redis connection is ${this.connection.status}`));
  }

  async enqueueCommand(job: CommandJob): Promise<string> {
    const data = CommandJob.parse(job);
    return await this.add(this.commands, data.command, data, data.requestId);
  }

  async enqueueFleet(job: FleetJob): Promise<string> {
    const data = FleetJob.parse(job);
    return await this.add(this.commands, FLEET_JOB, data, data.requestId);
  }

  async enqueueFix(approvalId: string, attempt: number): Promise<void> {
    const data = FixJob.parse({ approvalId, attempt });
    // One job id per approval attempt: BullMQ ignores a second add of the same attempt.
    await this.add(this.fixes, 'fix', data, fixJobId(approvalId, attempt));
  }

  /** A render of the fleet's summary after `delayMs`; FleetStore.requestRender says when one is needed. */
  async enqueueFleetRender(fleetId: string, delayMs: number): Promise<void> {
    const data = FleetRenderJob.parse({ fleetId });
    await this.fleetRenders.add('render', data, { delay: delayMs });
  }

  /** Payloads are validated before they are written; a dead or slow Redis becomes dm_queue_unavailable. */
  private async add(queue: Queue, name: string, data: object, jobId: string): Promise<string> {
    this.assertConnected();
    const added = await withDeadline(queue.add(name, data, { jobId }), ENQUEUE_DEADLINE_MS, () =>
      queueUnavailable(new Error('enqueue timed out')),
    ).catch((cause) => {
      throw queueUnavailable(cause);
    });
    return added.id ?? jobId;
  }

  async close(): Promise<void> {
    await Promise.all([this.commands.close(), this.fixes.close(), this.fleetRenders.close()]);
  }
}
