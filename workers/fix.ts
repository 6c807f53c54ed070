import { offerFixes as offerProposals } from '../src/approvals/offer.ts';
import type { ApprovalRecord } from '../src/approvals/store.ts';
import { userMessageOf } from '../src/errors.ts';
import { getFix } from '../src/fixes/index.ts';
import type { Fix, FixOutcome } from '../src/fixes/types.ts';
import type { HostConnection } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import type { FixJob } from '../src/queue/payloads.ts';
import { renderApprovalRequest, renderFixResult, renderOutcomeUnknown } from '../src/slack/render/approval.ts';
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

/**
 * Dangerous fixes are runbooks: each approval runs one step; after a step succeeds the next one is
 * offered in the thread for its own approval; the first failure stops the runbook there.
 */
async function runRunbookStep(
  deps: WorkerDeps,
  record: ApprovalRecord,
  fix: Fix<unknown>,
  params: unknown,
  conn: HostConnection,
): Promise<FixOutcome> {
  const plan = fix.plan(params);
  const step = record.step ?? 0;
  const operation = plan[step];
  if (!operation || !fix.runStep)
    return { ok: false, summary: `Not run: step ${step + 1} is not in this runbook.`, operations: [] };
  if (step === 0) {
    const recheck = await fix.recheck({ conn }, params);
    if (!recheck.ok) return { ok: false, summary: `Not run: ${recheck.reason}`, operations: [] };
  }
  const result = await fix.runStep({ conn }, params, step);
  const ran = [{ ...operation, result: result.output }];
  const position = `Step ${step + 1} of ${plan.length}`;
  if (!result.ok) {
    const left = step === 0 ? 'nothing was changed before it' : `the host is as step ${step} left it`;
    return { ok: false, summary: `${position} failed; the runbook stopped here (${left}).`, operations: ran };
  }
  const next = plan[step + 1];
  if (next) {
    const [offered] = await offerProposals(
      deps.approvals,
      [{ fix: fix.id, label: `Step ${step + 2} of ${plan.length}: ${next.description}`, params: record.params }],
      {
        host: record.host,
        requesterId: record.requesterId,
        channelId: record.channelId,
        requestId: record.requestId,
        ttlMs: deps.config.current().access.approvalTtl,
        step: step + 1,
      },
    );
    if (offered) {
      const posted = await postInThread(
        deps,
        record,
        renderApprovalRequest({
          approvalId: offered.approvalId,
          fixTitle: `${fix.title} — step ${step + 2} of ${plan.length}`,
          host: record.host,
          risk: fix.risk,
          requestedBy: record.requesterId,
          operations: [next],
        }),
      );
      // The next step's buttons are a reply: what follows it goes in the same thread, on its parent.
      await deps.approvals.setMessage([offered.approvalId], posted.ts, threadOf(record) ?? posted.ts);
    }
  }
  const more = next ? ' The next step waits for its own approval below.' : ' That was the last step.';
  return { ok: true, summary: `${position} done: ${operation.description}.${more}`, operations: ran };
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
    if (fix.runStep) return await runRunbookStep(deps, record, fix as Fix<unknown>, params.data, conn);
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

/** The parent of the thread the approval's buttons are in (older records only know their message). */
function threadOf(record: ApprovalRecord): string | undefined {
  return record.threadTs ?? record.messageTs;
}

async function postInThread(deps: WorkerDeps, record: ApprovalRecord, message: { text: string; blocks?: unknown[] }) {
  const threadTs = threadOf(record);
  return await deps.slack.postMessage(record.channelId, message, threadTs ? { threadTs } : {});
}
