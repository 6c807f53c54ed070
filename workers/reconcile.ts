// The approvals reconciler's run (a job scheduler in the fix queue, so one worker does each run):
// approvals left `approved` or `running` with no live fix job are settled by src/approvals/reconcile.ts
// and said in their thread here: "not run" (the button works again) or "outcome unknown".

import type { Queue } from 'bullmq';
import { type Reconciled, reconcileApprovals } from '../src/approvals/reconcile.ts';
import type { ApprovalRecord } from '../src/approvals/store.ts';
import { log } from '../src/log.ts';
import { fixJobId } from '../src/queue/names.ts';
import { renderNotRun, renderOutcomeUnknown } from '../src/slack/render/approval.ts';
import type { WorkerDeps } from './deps.ts';

/** Job states in which a worker has yet to run the job, or runs it (a stalled one is handed over). */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/** Whether the job that should carry this record (its attempt's job; the runner when running) is still live. */
export async function fixJobLive(queue: Queue, record: ApprovalRecord): Promise<boolean> {
  const jobId = record.state === 'running' ? record.runner : fixJobId(record.id, record.attempt);
  if (!jobId) return false;
  const job = await queue.getJob(jobId);
  if (!job) return false;
  return LIVE_STATES.has(await job.getState());
}

export async function processReconcileJob(
  deps: WorkerDeps,
  queue: Queue,
  graceMs: number,
): Promise<{ notRun: number; unknown: number }> {
  const settled = await reconcileApprovals({
    store: deps.approvals,
    audit: deps.audit,
    jobLive: (record) => fixJobLive(queue, record),
    graceMs,
  });
  for (const item of settled) await tellThread(deps, item);
  if (settled.length > 0) log.warn({ settled: settled.length }, 'approvals reconciled');
  return {
    notRun: settled.filter((item) => item.kind === 'not-run').length,
    unknown: settled.filter((item) => item.kind === 'unknown').length,
  };
}

async function tellThread(deps: WorkerDeps, item: Reconciled): Promise<void> {
  const { record } = item;
  const message =
    item.kind === 'unknown'
      ? renderOutcomeUnknown(record.label, record.host)
      : renderNotRun({ by: record.decidedBy, label: record.label, host: record.host, buttonBack: item.buttonBack });
  await deps.slack
    .postMessage(record.channelId, message, { threadTs: record.messageTs })
    .catch((err: unknown) =>
      log.error({ err, approvalId: record.id }, 'could not tell the thread; the audit trail has it'),
    );
}
