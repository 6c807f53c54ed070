import { unreachableReport } from '../src/checks/report.ts';
import type { HostConfig } from '../src/config/schema.ts';
import { DockmedicError } from '../src/errors.ts';
import type { HostConnection } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import type { ParsedCommandJob } from '../src/queue/payloads.ts';
import { jobPosts } from '../src/slack/posts.ts';
import { escapeMrkdwn } from '../src/slack/render/blocks.ts';
import { renderDoctor } from '../src/slack/render/doctor.ts';
import { renderHostReport } from '../src/slack/render/hostReport.ts';
import { isSlackCallError } from '../src/slack/slackErrors.ts';
import { JOB_HANDLERS } from './command/index.ts';
import { headlineOf } from './command/report.ts';
import type { JobOutcome } from './command/types.ts';
import type { WorkerDeps } from './deps.ts';
import { recordFleetRow } from './fleet.ts';
import { offerFixes } from './offer.ts';

/** Runs one subcommand on one host, offers its fixes as approval buttons, posts the result. */
export async function processCommandJob(job: ParsedCommandJob, deps: WorkerDeps): Promise<JobOutcome> {
  const host = deps.config.current().hosts.find((candidate) => candidate.name === job.host);
  if (!host) {
    throw new DockmedicError('dm_unknown_host', `host ${job.host} left the config before its job ran`, {
      userMessage: `${job.host} is no longer in dockmedic.yaml, so nothing was checked.`,
    });
  }
  const outcome = await execute(job, deps, host);
  if (job.fleetId) {
    await recordFleetRow(deps, job, outcome);
    return outcome;
  }
  // Each post is made once per job: a retry (network trouble, a worker that died) edits what Slack
  // already took. Slack refusing the channel (not_in_channel…) ends the job: workers/failures.ts.
  const posts = jobPosts(deps.slack, deps.ledger, job.requestId);
  const offer = await offerFixes(deps, outcome.proposals, job);
  const posted = await posts.message('result', job.channelId, outcome.render(offer));
  await deps.approvals.setMessage(
    offer.offered.map((b) => b.approvalId),
    posted.ts,
  );
  for (const [index, message] of (outcome.thread ?? []).entries()) {
    await posts.message(`thread-${index}`, job.channelId, message, { threadTs: posted.ts });
  }
  for (const [index, file] of (outcome.files ?? []).entries()) {
    await posts.file(`file-${index}`, job.channelId, { ...file, threadTs: posted.ts }).catch(async (err: unknown) => {
      if (isSlackCallError(err) && err.code === 'dm_slack_no_access') throw err;
      log.warn({ err, host: host.name }, 'could not upload a file');
      await posts.message(
        `file-${index}-failed`,
        job.channelId,
        { text: `⚠️ ${escapeMrkdwn(file.title)} could not be attached as a file.` },
        { threadTs: posted.ts },
      );
    });
  }
  if (job.responseUrl && !posted.again) {
    await deps.slack
      .respond(job.responseUrl, {
        text: `:white_check_mark: ${job.command} on ${host.name} finished (${outcome.worst}); the result is in the channel.`,
        replaceOriginal: true,
      })
      .catch((err: unknown) => log.warn({ err, host: host.name }, 'could not update the ack'));
  }
  return outcome;
}

/** A host that cannot be reached still gets a result: what could not be collected and why. */
async function execute(job: ParsedCommandJob, deps: WorkerDeps, host: HostConfig): Promise<JobOutcome> {
  const handler = JOB_HANDLERS[job.command];
  if (!handler) {
    throw new DockmedicError('dm_unknown_command', `no worker handler for ${job.command}`, {
      userMessage: `This worker does not know \`${job.command}\` yet; it may be an older version than the bot.`,
    });
  }
  let conn: HostConnection;
  try {
    conn = await deps.pool.acquire(host);
  } catch (error) {
    log.warn({ host: host.name, err: error }, 'host unreachable');
    const report = unreachableReport(host.name, job.command, error, Date.now());
    return {
      worst: 'crit',
      headline: headlineOf(report),
      proposals: [],
      unreachable: true,
      render: () => (job.command === 'doctor' ? renderDoctor(report, []) : renderHostReport(report, [])),
    };
  }
  return await handler({ conn, job, deps });
}
