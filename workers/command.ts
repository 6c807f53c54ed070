import { DISKCHECK_CHECKS } from '../src/checks/index.ts';
import type { HostReport } from '../src/checks/report.ts';
import { buildHostReport, unreachableReport } from '../src/checks/report.ts';
import { runChecks } from '../src/checks/run.ts';
import { DockmedicError } from '../src/errors.ts';
import { getFix } from '../src/fixes/index.ts';
import type { HostConnection } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import type { CommandJob } from '../src/queue/payloads.ts';
import { renderHostReport } from '../src/slack/render/hostReport.ts';
import type { WorkerDeps } from './deps.ts';

/** Collects and judges on the host, offers the findings' fixes as approval buttons, posts the report. */
export async function processCommandJob(job: CommandJob, deps: WorkerDeps): Promise<HostReport> {
  const config = deps.config.current();
  const host = config.hosts.find((candidate) => candidate.name === job.host);
  if (!host) {
    throw new DockmedicError('dm_unknown_host', `host ${job.host} left the config before its job ran`, {
      userMessage: `${job.host} is no longer in dockmedic.yaml, so nothing was checked.`,
    });
  }
  const report = await diagnose(deps, host.name, job.command);
  const buttons = await offerFixes(deps, report, job);
  const message = renderHostReport(report, buttons);
  const posted = await deps.slack.postMessage(job.channelId, message);
  if (buttons.length > 0)
    await deps.approvals.setMessage(
      buttons.map((b) => b.approvalId),
      posted.ts,
    );
  if (job.responseUrl) {
    await deps.slack
      .respond(job.responseUrl, {
        text: `:white_check_mark: ${job.command} on ${host.name} finished (${report.worst}); the report is in the channel.`,
        replaceOriginal: true,
      })
      .catch((err: unknown) => log.warn({ err, host: host.name }, 'could not update the ack'));
  }
  return report;
}

export async function diagnose(deps: Pick<WorkerDeps, 'pool' | 'config'>, hostName: string, command: string) {
  const started = Date.now();
  const host = deps.config.current().hosts.find((candidate) => candidate.name === hostName);
  if (!host) throw new DockmedicError('dm_unknown_host', `unknown host ${hostName}`);
  let conn: HostConnection;
  try {
    conn = await deps.pool.acquire(host);
  } catch (error) {
    log.warn({ host: host.name, err: error }, 'host unreachable');
    return unreachableReport(host.name, command, error, started);
  }
  const results = await runChecks(conn, [...DISKCHECK_CHECKS]);
  return buildHostReport(host.name, command, results, started);
}

async function offerFixes(deps: WorkerDeps, report: HostReport, job: CommandJob) {
  const ttlMs = deps.config.current().access.approvalTtl;
  const seen = new Set<string>();
  const buttons = [];
  for (const finding of report.findings) {
    for (const proposal of finding.fixes ?? []) {
      const key = `${proposal.fix}:${JSON.stringify(proposal.params)}`;
      const fix = getFix(proposal.fix);
      if (seen.has(key) || !fix) continue;
      seen.add(key);
      const record = await deps.approvals.create({
        fix: fix.id,
        label: proposal.label,
        risk: fix.risk,
        host: report.host,
        params: proposal.params,
        requesterId: job.userId,
        channelId: job.channelId,
        requestId: job.requestId,
        ttlMs,
      });
      buttons.push({ approvalId: record.id, label: proposal.label, risk: fix.risk });
    }
  }
  return buttons;
}
