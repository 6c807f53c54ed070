import { offerRunbookFollowUp } from '../src/approvals/followUp.ts';
import type { ApprovalRecord } from '../src/approvals/store.ts';
import { userMessageOf } from '../src/errors.ts';
import { getFix } from '../src/fixes/index.ts';
import type { Fix, FixOutcome, StepOutcome } from '../src/fixes/types.ts';
import type { HostConnection } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import type { FixJob } from '../src/queue/payloads.ts';
import {
  renderApprovalRequest,
  renderFixResult,
  renderOutcomeUnknown,
  renderRefused,
} from '../src/slack/render/approval.ts';
import type { WorkerDeps } from './deps.ts';

/** Tries a bookkeeping write a few times: a Redis blip after a fix ran must not lose its result. */
async function persistently<T>(what: string, write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= BOOKKEEPING_TRIES) throw error;
      log.warn({ err: error, attempt }, `${what} failed; trying again`);
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

const BOOKKEEPING_TRIES = 4;

/**
 * Runs an approved fix at most once. The job runs one approval attempt (`fix-<id>-<attempt>`); the
 * approved → running transition, which records this job as the runner, is the single-use gate. A job
 * that finds its approval already `running` under its own id was handed over from a worker that died
 * mid-fix, so the outcome is unknown and the fix is not run again. Nothing is run from a record the
 * bot did not sign (signature.ts), or from an approval older than the approval TTL.
 */
export async function processFixJob(job: FixJob, jobId: string, deps: WorkerDeps): Promise<FixOutcome | undefined> {
  const record = await deps.approvals.get(job.approvalId);
  if (!record) {
    log.warn({ approvalId: job.approvalId }, 'fix job without an approval record');
    return undefined;
  }
  if (!deps.approvals.signer.verifyOffer(record)) {
    // Its channel and thread are as untrusted as the rest of it: logged and audited, not posted.
    log.error({ approvalId: record.id, host: record.host, jobId }, 'approval record does not verify; not run');
    await refuse(deps, record, 'its offer does not carry a valid dockmedic signature');
    return undefined;
  }
  if (record.attempt !== job.attempt) {
    log.info(
      { approvalId: record.id, jobId, attempt: record.attempt },
      'fix job of an earlier approval; nothing to do',
    );
    return undefined;
  }
  if (record.state === 'running') {
    if (record.runner === jobId) await reportUnknown(deps, record, jobId);
    return undefined;
  }
  if (record.state !== 'approved') return undefined;
  const problem = approvalProblem(deps, record);
  if (problem) {
    log.error({ approvalId: record.id, host: record.host, jobId, problem }, 'approval refused by the worker');
    await refuse(deps, record, problem, true);
    return undefined;
  }
  const gate = await deps.approvals.transition(
    record.id,
    ['approved'],
    'running',
    { runner: jobId, startedAt: Date.now() },
    { attempt: job.attempt },
  );
  if (!gate.moved) return undefined;
  await deps.audit.append({
    actor: record.decidedBy ?? '?',
    action: 'fix-start',
    host: record.host,
    detail: stepName(record),
    ref: record.id,
  });
  const outcome = await runFix(deps, record);
  const result = outcome.summary.slice(0, 2000);
  await persistently('recording the fix result', () =>
    deps.approvals.transition(record.id, ['running'], outcome.ok ? 'done' : 'failed', { result }, { runner: jobId }),
  );
  await persistently('auditing the fix result', () =>
    deps.audit.append({
      actor: record.decidedBy ?? '?',
      action: 'fix-result',
      host: record.host,
      detail: `${stepName(record)}: ${outcome.summary}`.slice(0, 2000),
      ref: record.id,
    }),
  );
  await postInThread(deps, record, renderFixResult(outcome, getFix(record.fix)?.title ?? record.fix, record.host));
  await offerAfterStep(deps, record, outcome.ok ? 'done' : 'failed');
  return outcome;
}

/** Why a signed offer's approval may still not run: its approval does not verify, or it is stale. */
function approvalProblem(deps: WorkerDeps, record: ApprovalRecord): string | undefined {
  if (!deps.approvals.signer.verifyApproval(record)) {
    return 'its approval does not carry a valid dockmedic signature (changed in Redis, or signed with another DOCKMEDIC_APPROVAL_SECRET)';
  }
  const ttl = deps.config.current().access.approvalTtl;
  if (record.decidedAt === undefined || Date.now() - record.decidedAt > ttl) {
    return 'it was approved longer ago than the approval TTL and never started; approve it again from a fresh check';
  }
  return undefined;
}

/** Not run: the record fails, the audit trail says why, and (when its thread can be trusted) the thread. */
async function refuse(deps: WorkerDeps, record: ApprovalRecord, reason: string, tellThread = false): Promise<void> {
  const { moved } = await deps.approvals.transition(record.id, ['approved'], 'failed', {
    result: `not run: ${reason}`.slice(0, 2000),
  });
  await deps.audit.append({
    actor: 'dockmedic',
    action: 'refuse',
    host: record.host,
    detail: `${record.fix}: not run: ${reason}`.slice(0, 2000),
    ref: record.id,
  });
  if (moved && tellThread) await postInThread(deps, record, renderRefused(reason));
}

/** `move-data-root step 3` for a runbook step, the fix id otherwise: what the audit trail names. */
function stepName(record: ApprovalRecord): string {
  return getFix(record.fix)?.runStep ? `${record.fix} step ${(record.step ?? 0) + 1}` : record.fix;
}

const ROLLBACK_NOTE = 'The rollback it offers waits for its own approval below.';

/**
 * Dangerous fixes are runbooks: each approval runs one step; after a step succeeds the next one is
 * offered in the thread for its own approval (offerAfterStep); the first failure stops the runbook.
 */
async function runRunbookStep(
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
    const rollback = fix.followUp?.(params, step, 'failed') ? ` ${ROLLBACK_NOTE}` : '';
    return {
      ok: false,
      summary: `${position} failed; the runbook stopped here (${left}).${rollback}`,
      operations: ran,
    };
  }
  const next = plan[step + 1];
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
    if (fix.runStep) return await runRunbookStep(record, fix as Fix<unknown>, params.data, conn);
    const recheck = await fix.recheck({ conn }, params.data);
    if (!recheck.ok) return { ok: false, summary: `Not run: ${recheck.reason}`, operations: [] };
    return await fix.run({ conn }, params.data);
  } catch (error) {
    log.warn({ err: error, host: record.host, fix: record.fix }, 'fix failed');
    return { ok: false, summary: `Failed: ${userMessageOf(error)}`, operations: [] };
  }
}

async function reportUnknown(deps: WorkerDeps, record: ApprovalRecord, jobId: string): Promise<void> {
  const { moved } = await deps.approvals.transition(
    record.id,
    ['running'],
    'unknown',
    { result: 'the worker running it stopped mid-way' },
    { runner: jobId },
  );
  if (!moved) return;
  await deps.audit.append({
    actor: 'dockmedic',
    action: 'fix-unknown',
    host: record.host,
    detail: record.fix,
    ref: record.id,
  });
  await postInThread(deps, record, renderOutcomeUnknown(record.label, record.host));
  await offerAfterStep(deps, record, 'unknown');
}

/** After a runbook step: its next step, or what the runbook offers then (approvals/followUp.ts), in the thread. */
async function offerAfterStep(deps: WorkerDeps, record: ApprovalRecord, outcome: StepOutcome): Promise<void> {
  const ttlMs = deps.config.current().access.approvalTtl;
  const followUp = await offerRunbookFollowUp(deps.approvals, record, outcome, ttlMs);
  if (!followUp) return;
  if ('notOffered' in followUp) {
    const reason = `${followUp.notOffered.label} could not be offered (${followUp.notOffered.reason}); run the check again to continue.`;
    await postInThread(deps, record, renderRefused(reason));
    return;
  }
  const request = { ...followUp.offered, host: record.host, requestedBy: followUp.requestedBy };
  await postInThread(deps, record, renderApprovalRequest(request));
}

/** The parent of the thread the approval's buttons are in (older records only know their message). */
function threadOf(record: ApprovalRecord): string | undefined {
  return record.threadTs ?? record.messageTs;
}

async function postInThread(deps: WorkerDeps, record: ApprovalRecord, message: { text: string; blocks?: unknown[] }) {
  const threadTs = threadOf(record);
  return await deps.slack.postMessage(record.channelId, message, threadTs ? { threadTs } : {});
}
