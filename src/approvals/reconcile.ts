// Nothing approved is lost: an approval left `approved` or `running` with no live fix job past a grace
// period is settled here, once (compare-and-set), audited, and returned for the Slack side to say so
// in its thread. The workers run this on a schedule (workers/reconcile.ts).
//
// - `approved`, no job: the bot stopped (or Redis failed) between the approval and the enqueue. The
//   approver never saw "Approved, running", so nothing is re-run behind their back: the record goes
//   back to `pending` (the same button works again until the offer expires) or, past its expiry, to
//   `expired`; the thread says it was not run.
// - `running`, no job: the worker that ran it stopped, or Redis failed under it, and its job did not
//   come back to another worker. What ran is unknown: the record becomes `unknown`, never re-run.

import type { AuditLog } from '../audit/log.ts';
import { log } from '../log.ts';
import { type ApprovalRecord, type ApprovalStore, OPEN_STATES } from './store.ts';

export type Reconciled =
  | { kind: 'not-run'; record: ApprovalRecord; buttonBack: boolean }
  | { kind: 'unknown'; record: ApprovalRecord };

export interface ReconcileDeps {
  store: ApprovalStore;
  audit: AuditLog;
  /** Whether the record's fix job is still waiting or running (its worker may yet report). */
  jobLive(record: ApprovalRecord): Promise<boolean>;
  /** How long a record may stay open before it is looked at: well past an enqueue and a job handover. */
  graceMs: number;
  now?: () => number;
}

/** One pass over the open approvals older than the grace period; at most `limit` of them. */
export async function reconcileApprovals(deps: ReconcileDeps, limit = 1000): Promise<Reconciled[]> {
  const now = deps.now?.() ?? Date.now();
  const settled: Reconciled[] = [];
  for (const id of await deps.store.openSince(now - deps.graceMs, limit)) {
    const record = await deps.store.get(id).catch((error: unknown) => {
      log.warn({ err: error, approvalId: id }, 'open approval does not parse; dropped from the reconciler');
      return undefined;
    });
    if (!record || !OPEN_STATES.includes(record.state)) {
      await deps.store.dropOpen(id);
      continue;
    }
    if (await deps.jobLive(record)) continue;
    const done = record.state === 'approved' ? await notRun(deps, record, now) : await unknown(deps, record);
    if (done) settled.push(done);
  }
  return settled;
}

async function notRun(deps: ReconcileDeps, record: ApprovalRecord, now: number): Promise<Reconciled | undefined> {
  const buttonBack = now < record.expiresAt;
  const { moved } = await deps.store.transition(
    record.id,
    ['approved'],
    buttonBack ? 'pending' : 'expired',
    { result: 'not run: approved, but its fix job was never queued' },
    { attempt: record.attempt },
  );
  if (!moved) return undefined;
  await deps.audit.append({
    actor: 'dockmedic',
    action: 'not-run',
    host: record.host,
    detail: `${record.fix}: approved by ${record.decidedBy ?? '?'} but never queued; ${buttonBack ? 'offered again' : 'expired'}`,
    ref: record.id,
  });
  return { kind: 'not-run', record, buttonBack };
}

async function unknown(deps: ReconcileDeps, record: ApprovalRecord): Promise<Reconciled | undefined> {
  const { moved } = await deps.store.transition(
    record.id,
    ['running'],
    'unknown',
    { result: 'the worker running it stopped before reporting' },
    { runner: record.runner, attempt: record.attempt },
  );
  if (!moved) return undefined;
  await deps.audit.append({
    actor: 'dockmedic',
    action: 'fix-unknown',
    host: record.host,
    detail: `${record.fix}: its job ended without a result`,
    ref: record.id,
  });
  return { kind: 'unknown', record };
}
