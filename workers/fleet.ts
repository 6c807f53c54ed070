import { log } from '../src/log.ts';
import { type FleetMeta, type FleetRow, fleetIdOf } from '../src/queue/fleetStore.ts';
import type { FleetJob, FleetRenderJob, ParsedCommandJob } from '../src/queue/payloads.ts';
import { jobPosts } from '../src/slack/posts.ts';
import { fleetTable, renderFleetSummary } from '../src/slack/render/fleet.ts';
import { packFleetDetails } from '../src/slack/render/fleetDetails.ts';
import type { JobOutcome } from './command/types.ts';
import type { WorkerDeps } from './deps.ts';
import { offerFixes } from './offer.ts';

/** Slack allows about one message a second per channel: thread replies of one render keep to that. */
const REPLY_GAP_MS = 1100;
/** Replies one render posts at most; more wait for the next render, so the summary is not held up. */
const REPLIES_PER_RENDER = 2;

/**
 * A fleet run: post the summary with every host waiting, then fan out one job per host. Hosts run
 * in parallel (bounded by worker concurrency), so the run takes about as long as its slowest host.
 * A retry of this job finds its summary, fleet and host jobs already there (ids follow the request).
 */
export async function processFleetJob(job: FleetJob & { args: ParsedCommandJob['args'] }, deps: WorkerDeps) {
  const fleetId = fleetIdOf(job.requestId);
  const meta: FleetMeta = {
    id: fleetId,
    command: job.command,
    target: job.target,
    channelId: job.channelId,
    ts: '',
    requestId: job.requestId,
    startedAt: Date.now(),
  };
  const pendingRows = job.hosts.map((host) => ({ host, state: 'pending' as const }));
  const posts = jobPosts(deps.slack, deps.ledger, job.requestId);
  const summary = await posts.message('summary', job.channelId, renderFleetSummary(meta, pendingRows), {
    onRetry: 'keep',
  });
  await deps.fleets.create({ ...meta, ts: summary.ts }, job.hosts);
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
  if (job.responseUrl && !summary.again) {
    await deps.slack
      .respond(job.responseUrl, {
        text: `:white_check_mark: ${job.command} ${job.target}: ${job.hosts.length} host(s) queued; the summary in the channel fills in as they answer.`,
        replaceOriginal: true,
      })
      .catch((err: unknown) => log.warn({ err }, 'could not update the ack'));
  }
  return { fleetId, hosts: job.hosts.length };
}

/**
 * One host of a fleet run finished: its row, and (when it has something to say) its detail for the
 * thread, are written to Redis; a render is scheduled. Renders, not hosts, talk to Slack: one summary
 * edit per 1.5 s at most, details batched into a few replies.
 */
export async function recordFleetRow(deps: WorkerDeps, job: ParsedCommandJob, outcome: JobOutcome): Promise<void> {
  const fleetId = job.fleetId as string;
  const fleet = await deps.fleets.read(fleetId);
  if (!fleet) {
    log.warn({ fleetId, host: job.host }, 'fleet summary is gone; posting the host result alone');
    await jobPosts(deps.slack, deps.ledger, job.requestId).message(
      'result',
      job.channelId,
      outcome.render({ offered: [], notOffered: [] }),
    );
    return;
  }
  const worthDetail = outcome.worst === 'warn' || outcome.worst === 'crit' || outcome.detailInFleet;
  if (!outcome.unreachable && worthDetail) {
    const offer = await offerFixes(deps, outcome.proposals, job);
    await deps.fleets.addDetail(fleetId, {
      host: job.host,
      command: job.command,
      worst: outcome.worst,
      headline: outcome.headline.slice(0, 500),
      highlights: (outcome.highlights ?? []).map((line) => line.slice(0, 500)).slice(0, 10),
      buttons: offer.offered,
    });
  }
  const row: FleetRow = {
    host: job.host,
    state: outcome.unreachable ? 'unreachable' : 'done',
    worst: outcome.worst,
    headline: outcome.headline.slice(0, 300),
  };
  const { remaining } = await deps.fleets.setRow(fleetId, row);
  const delay = await deps.fleets.requestRender(fleetId, { final: remaining === 0 });
  if (delay === undefined) return;
  try {
    await deps.enqueueFleetRender(fleetId, delay);
  } catch (error) {
    // Else the schedule would hold later changes back with no render coming; this job's retry asks again.
    await deps.fleets.cancelRender(fleetId).catch(() => undefined);
    throw error;
  }
}

/**
 * Brings a fleet's summary and thread up to date: the summary first (what everyone watches), then new
 * details as a few replies; details beyond those wait for another render.
 */
export async function processFleetRender(job: FleetRenderJob, deps: WorkerDeps): Promise<void> {
  let moreDetails = false;
  await deps.fleets.render(job.fleetId, async () => {
    const fleet = await deps.fleets.read(job.fleetId);
    if (!fleet) return;
    const { meta, rows } = fleet;
    const posts = jobPosts(deps.slack, deps.ledger, meta.requestId);
    const summary = renderFleetSummary(meta, rows);
    const finished = rows.every((row) => row.state !== 'pending');
    // The table first: when the summary says "attached in the thread", it is there.
    if (finished && summary.hidden > 0) {
      await posts.file('fleet-table', meta.channelId, { ...fleetTable(meta, rows), threadTs: meta.ts });
    }
    await deps.slack.update(meta.channelId, meta.ts, summary);
    moreDetails = await postDetails(deps, meta);
  });
  if (!moreDetails) return;
  const delay = await deps.fleets.requestRender(job.fleetId);
  if (delay !== undefined) await deps.enqueueFleetRender(job.fleetId, delay);
}

/** Posts up to REPLIES_PER_RENDER replies of new details; true when more are waiting. */
async function postDetails(deps: WorkerDeps, meta: FleetMeta): Promise<boolean> {
  const { from, details } = await deps.fleets.unpostedDetails(meta.id);
  const posts = jobPosts(deps.slack, deps.ledger, meta.requestId);
  const replies = packFleetDetails(details);
  let position = from;
  for (const [index, reply] of replies.slice(0, REPLIES_PER_RENDER).entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, REPLY_GAP_MS));
    const posted = await posts.message(`details-${position}`, meta.channelId, reply.rendered, {
      threadTs: meta.ts,
    });
    const approvals = reply.details.flatMap((detail) => detail.buttons.map((button) => button.approvalId));
    await deps.approvals.setMessage(approvals, posted.ts, meta.ts);
    position += reply.details.length;
    await deps.fleets.markDetailsPosted(meta.id, position);
  }
  return replies.length > REPLIES_PER_RENDER;
}
