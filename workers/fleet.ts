import { log } from '../src/log.ts';
import { newFleetId } from '../src/queue/fleetStore.ts';
import type { FleetJob, ParsedCommandJob } from '../src/queue/payloads.ts';
import { renderFleetSummary } from '../src/slack/render/fleet.ts';
import type { JobOutcome } from './command/types.ts';
import type { WorkerDeps } from './deps.ts';
import { offerFixes } from './offer.ts';

/**
 * A fleet run: post the summary with every host waiting, then fan out one job per host. Hosts run
 * in parallel (bounded by worker concurrency), so the run takes about as long as its slowest host.
 */
export async function processFleetJob(job: FleetJob & { args: ParsedCommandJob['args'] }, deps: WorkerDeps) {
  const fleetId = newFleetId();
  const startedAt = Date.now();
  const pendingRows = job.hosts.map((host) => ({ host, state: 'pending' as const }));
  const meta = {
    id: fleetId,
    command: job.command,
    target: job.target,
    channelId: job.channelId,
    ts: '',
    requestId: job.requestId,
    startedAt,
  };
  const posted = await deps.slack.postMessage(job.channelId, renderFleetSummary(meta, pendingRows));
  await deps.fleets.create({ ...meta, ts: posted.ts }, job.hosts);
  await Promise.all(
    job.hosts.map((host, index) =>
      deps.enqueueCommand({
        command: job.command,
        args: job.args,
        host,
        fleetId,
        requestId: `${job.requestId}x${index.toString(36)}`,
        userId: job.userId,
        channelId: job.channelId,
        requestedAt: job.requestedAt,
      }),
    ),
  );
  if (job.responseUrl) {
    await deps.slack
      .respond(job.responseUrl, {
        text: `:white_check_mark: ${job.command} ${job.target}: ${job.hosts.length} host(s) queued; the summary in the channel fills in as they answer.`,
        replaceOriginal: true,
      })
      .catch((err: unknown) => log.warn({ err }, 'could not update the ack'));
  }
  return { fleetId, hosts: job.hosts.length };
}

/** One host of a fleet run finished: fill its row; hosts with something to say post details in the thread. */
export async function recordFleetRow(deps: WorkerDeps, job: ParsedCommandJob, outcome: JobOutcome): Promise<void> {
  const fleetId = job.fleetId as string;
  const fleet = await deps.fleets.read(fleetId);
  if (!fleet) {
    log.warn({ fleetId, host: job.host }, 'fleet summary is gone; posting the host result alone');
    await deps.slack.postMessage(job.channelId, outcome.render({ offered: [], notOffered: [] }));
    return;
  }
  const worthDetail = outcome.worst === 'warn' || outcome.worst === 'crit' || outcome.detailInFleet;
  if (!outcome.unreachable && worthDetail) {
    const offer = await offerFixes(deps, outcome.proposals, job);
    const detail = await deps.slack.postMessage(job.channelId, outcome.render(offer), { threadTs: fleet.meta.ts });
    if (offer.offered.length > 0)
      await deps.approvals.setMessage(
        offer.offered.map((b) => b.approvalId),
        detail.ts,
      );
  }
  await deps.fleets.setRow(fleetId, {
    host: job.host,
    state: outcome.unreachable ? 'unreachable' : 'done',
    worst: outcome.worst,
    headline: outcome.headline.slice(0, 300),
  });
  // Coalesced: when many hosts finish at once, one worker renders for all of them (fleetStore.ts).
  await deps.fleets.refresh(fleetId, async () => {
    const current = await deps.fleets.read(fleetId);
    if (!current) return;
    await deps.slack.update(current.meta.channelId, current.meta.ts, renderFleetSummary(current.meta, current.rows));
  });
}
