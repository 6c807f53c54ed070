// A scheduled prune (docs/checks.md, trouble § 19): the safe prune only (dangling images and build cache older than
// `until`; never volumes, never containers), run without an approval because the schedule in the
// config is the approval. What it freed goes to the host's channel and the audit trail.

import type { AuditLog } from '../src/audit/log.ts';
import type { ConfigSource } from '../src/config/source.ts';
import { userMessageOf } from '../src/errors.ts';
import { pruneSafeFix } from '../src/fixes/prune-safe.ts';
import type { FixOutcome } from '../src/fixes/types.ts';
import type { HostPool } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import type { PruneJob } from '../src/queue/schedulers.ts';
import type { SlackOut } from '../src/slack/client.ts';
import { renderFixResult } from '../src/slack/render/approval.ts';
import { context } from '../src/slack/render/blocks.ts';

export interface MaintenanceDeps {
  config: ConfigSource;
  pool: HostPool;
  slack: SlackOut;
  audit: AuditLog;
}

const ACTOR = 'dockmedic-schedule';

async function prune(deps: MaintenanceDeps, job: PruneJob): Promise<FixOutcome> {
  const host = deps.config.current().hosts.find((candidate) => candidate.name === job.host);
  if (!host) return { ok: false, summary: `${job.host} is no longer in dockmedic.yaml`, operations: [] };
  try {
    const conn = await deps.pool.acquire(host);
    const params = { until: job.until };
    const recheck = await pruneSafeFix.recheck({ conn }, params);
    if (!recheck.ok) return { ok: true, summary: `Nothing to prune: ${recheck.reason}`, bytesFreed: 0, operations: [] };
    return await pruneSafeFix.run({ conn }, params);
  } catch (error) {
    return { ok: false, summary: `Failed: ${userMessageOf(error)}`, operations: [] };
  }
}

export async function processPruneJob(job: PruneJob, deps: MaintenanceDeps): Promise<FixOutcome> {
  await deps.audit.append({
    actor: ACTOR,
    action: 'fix-start',
    host: job.host,
    detail: `prune-safe until=${job.until}`,
  });
  const outcome = await prune(deps, job);
  await deps.audit.append({
    actor: ACTOR,
    action: 'fix-result',
    host: job.host,
    detail: `prune-safe: ${outcome.summary}`.slice(0, 2000),
  });
  const config = deps.config.current();
  const channel = config.hosts.find((h) => h.name === job.host)?.channel ?? config.monitor.channel;
  // Nothing freed is not news: a daily prune on a thousand hosts must not post a thousand messages.
  if (outcome.ok && (outcome.bytesFreed ?? 0) === 0) return outcome;
  if (!channel) {
    log.warn({ host: job.host, summary: outcome.summary }, 'scheduled prune: no channel to report to');
    return outcome;
  }
  const rendered = renderFixResult(outcome, `Scheduled prune (${pruneSafeFix.title.toLowerCase()})`, job.host);
  const blocks = [...rendered.blocks, context([`schedule: ${job.schedule} · safe prune only, never volumes`])];
  await deps.slack.postMessage(channel, { text: rendered.text, blocks });
  return outcome;
}
