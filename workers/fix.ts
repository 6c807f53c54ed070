import type { ApprovalRecord } from '../src/approvals/store.ts';
import { userMessageOf } from '../src/errors.ts';
import { getFix } from '../src/fixes/index.ts';
import type { FixOutcome } from '../src/fixes/types.ts';
import { log } from '../src/log.ts';
import type { FixJob } from '../src/queue/payloads.ts';
import { renderFixResult, renderOutcomeUnknown } from '../src/slack/render/approval.ts';
import type { WorkerDeps } from './deps.ts';

/**
 * Runs an approved fix at most once. The approved → running transition is the single-use gate: a
 * job that finds its approval already `running` was handed over from a worker that died mid-fix,
 * so the outcome is unknown and the fix is not run again.
 */
export async function processFixJob(job: FixJob, deps: WorkerDeps): Promise<FixOutcome | undefined> {
  const record = await deps.approvals.get(job.approvalId);
  if (!record) {
    log.warn({ approvalId: job.approvalId }, 'fix job without an approval record');
    return undefined;
  }
  const gate = await deps.approvals.transition(record.id, ['approved'], 'running');
  if (!gate.moved) {
    if (gate.state === 'running') await reportUnknown(deps, record);
    return undefined;
  }
  await deps.audit.append({
    actor: record.decidedBy ?? '?',
    action: 'fix-start',
    host: record.host,
    detail: record.fix,
    ref: record.id,
  });
  const outcome = await runFix(deps, record);
  await deps.approvals.transition(record.id, ['running'], outcome.ok ? 'done' : 'failed', {
    result: outcome.summary.slice(0, 2000),
  });
  await deps.audit.append({
    actor: record.decidedBy ?? '?',
    action: 'fix-result',
    host: record.host,
    detail: `${record.fix}: ${outcome.summary}`.slice(0, 2000),
    ref: record.id,
  });
  await postInThread(deps, record, renderFixResult(outcome, getFix(record.fix)?.title ?? record.fix, record.host));
  return outcome;
}

async function runFix(deps: WorkerDeps, record: ApprovalRecord): Promise<FixOutcome> {
  const fix = getFix(record.fix);
  const params = fix?.params.safeParse(record.params);
  if (!fix || !params?.success) {
    return {
      ok: false,
      summary: `Not run: the fix "${record.fix}" or its parameters are no longer valid.`,
      operations: [],
    };
  }
  const host = deps.config.current().hosts.find((candidate) => candidate.name === record.host);
  if (!host) return { ok: false, summary: `Not run: ${record.host} is no longer in dockmedic.yaml.`, operations: [] };
  try {
    const conn = await deps.pool.acquire(host);
    const recheck = await fix.recheck({ conn }, params.data);
    if (!recheck.ok) return { ok: false, summary: `Not run: ${recheck.reason}`, operations: [] };
    return await fix.run({ conn }, params.data);
  } catch (error) {
    log.warn({ err: error, host: record.host, fix: record.fix }, 'fix failed');
    return { ok: false, summary: `Failed: ${userMessageOf(error)}`, operations: [] };
  }
}

async function reportUnknown(deps: WorkerDeps, record: ApprovalRecord): Promise<void> {
  const { moved } = await deps.approvals.transition(record.id, ['running'], 'unknown', {
    result: 'the worker running it stopped mid-way',
  });
  if (!moved) return;
  await deps.audit.append({
    actor: 'dockmedic',
    action: 'fix-unknown',
    host: record.host,
    detail: record.fix,
    ref: record.id,
  });
  await postInThread(deps, record, renderOutcomeUnknown(record.label, record.host));
}

async function postInThread(deps: WorkerDeps, record: ApprovalRecord, message: { text: string; blocks?: unknown[] }) {
  await deps.slack.postMessage(record.channelId, message, { threadTs: record.messageTs });
}
