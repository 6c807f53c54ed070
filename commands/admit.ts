// Before a command that reaches hosts is queued: is the same request from the same person still
// running (then say so, queue nothing), and has this person tokens left (a bucket per user, see
// src/queue/rateLimit.ts)? A duplicate costs no tokens; a refusal says how long to wait.

import { DockmedicError } from '../src/errors.ts';
import { formatDuration } from '../src/format.ts';
import { inflightTtlMs, type JobIdentity } from '../src/queue/inflight.ts';
import { commandCost } from '../src/queue/rateLimit.ts';
import { queueUnavailable, withDeadline } from '../src/queue/redis.ts';
import type { CommandServices } from './services.ts';

/** Well inside Slack's 3 s, like the enqueue itself. */
const ADMIT_DEADLINE_MS = 1000;

export interface Admitted {
  /** Undoes the claim and gives the tokens back: the job was not queued after all. */
  undo(): Promise<void>;
}

export async function admit(
  services: Pick<CommandServices, 'config' | 'admission'>,
  request: JobIdentity & { requestId: string; hostCount: number },
): Promise<Admitted> {
  const config = services.config.current();
  const limit = config.access.rateLimit;
  const cost = commandCost(request.hostCount, limit.capacity);
  const { inflight, rate } = services.admission;
  const redis = <T>(work: Promise<T>) =>
    withDeadline(work, ADMIT_DEADLINE_MS, () => new Error('redis did not answer')).catch((cause: unknown) => {
      throw queueUnavailable(cause);
    });
  const shown = `/docker ${request.command} ${request.target}`;

  const claim = await redis(inflight.claim(request, request.requestId, inflightTtlMs(config.timeouts.job)));
  if (!claim.ok) {
    throw new DockmedicError('dm_already_running', `${request.userId} repeated ${shown} while it runs`, {
      userMessage: `Your \`${shown}\` is still running (${claim.runningRequestId}); its answer will be posted where you asked. dockmedic runs one identical request per person at a time — if it never answers, you may ask again in ${formatDuration(claim.ttlMs)}.`,
    });
  }
  const taken = await redis(rate.take(request.userId, cost, limit)).catch(async (error: unknown) => {
    await inflight.release(request, request.requestId).catch(() => {});
    throw error;
  });
  if (!taken.ok) {
    await redis(inflight.release(request, request.requestId)).catch(() => {});
    const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    throw new DockmedicError('dm_rate_limited', `${request.userId} is over the command rate limit`, {
      userMessage: `Slow down: you ran ${taken.recentCount} command${taken.recentCount === 1 ? '' : 's'} in the last ${formatDuration(Math.max(taken.recentMs, 1000))}; try again in ${seconds} s. (\`${shown}\` costs ${cost} of your ${limit.capacity} tokens; one comes back every ${formatDuration(limit.refillEvery)}.)`,
    });
  }
  return {
    async undo() {
      await Promise.allSettled([
        inflight.release(request, request.requestId),
        rate.refund(request.userId, cost, limit),
      ]);
    },
  };
}
