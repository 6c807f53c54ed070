import type { AuditLog } from '../audit/log.ts';
import type { AccessConfig } from '../config/schema.ts';
import { getFix } from '../fixes/index.ts';
import type { Operation } from '../fixes/types.ts';
import { log } from '../log.ts';
import { mayApprove, mayDeny, needsSponsor, requesterOf } from './policy.ts';
import type { ApprovalRecord, ApprovalState, ApprovalStore } from './store.ts';

export type Decision =
  | { kind: 'approved'; record: ApprovalRecord; operations: Operation[] }
  /** A monitor offer under the two-person rule: the first approval; a second person must confirm. */
  | { kind: 'sponsored'; record: ApprovalRecord }
  | { kind: 'denied'; record: ApprovalRecord }
  | { kind: 'refused'; record?: ApprovalRecord; reason: string }
  | { kind: 'expired'; record: ApprovalRecord };

export interface ApprovalDeps {
  store: ApprovalStore;
  audit: AuditLog;
  access: () => AccessConfig;
  /**
   * Enqueues the fix job of this approval. Its job id is `fix-<approvalId>-<attempt>`: enqueueing the
   * same attempt twice is a no-op, and an approval given again after a lost enqueue is a new job.
   */
  enqueueFix: (approvalId: string, attempt: number) => Promise<void>;
  now?: () => number;
}

const STATE_WORDS: Record<string, string> = {
  approved: 'was already approved',
  running: 'is already running',
  done: 'has already run',
  failed: 'already ran and failed',
  unknown: 'already ran (outcome unknown)',
  denied: 'was denied',
  expired: 'has expired',
};

/** States that mean a fix job took the approval: it runs (or ran), whatever the enqueue call said. */
const TAKEN: readonly ApprovalState[] = ['running', 'done', 'failed', 'unknown'];

/** A button press: who may, two-person rule, expiry, single use. Never runs anything itself. */
export async function decide(
  deps: ApprovalDeps,
  input: { approvalId: string; userId: string; decision: 'approve' | 'deny' },
): Promise<Decision> {
  const now = deps.now?.() ?? Date.now();
  const record = await deps.store.get(input.approvalId);
  if (!record) {
    return { kind: 'refused', reason: 'this button no longer matches a fix dockmedic offered; run the check again' };
  }
  if (!deps.store.signer.verifyOffer(record)) {
    log.error({ approvalId: record.id, host: record.host }, 'approval record does not verify; refused');
    return refuse(
      deps,
      record,
      input.userId,
      'this fix does not carry a valid dockmedic signature (it was changed in Redis, or offered by a dockmedic with another DOCKMEDIC_APPROVAL_SECRET); run the check again',
    );
  }
  if (record.state !== 'pending') {
    return refuse(deps, record, input.userId, `this fix ${STATE_WORDS[record.state] ?? record.state}; nothing was run`);
  }
  if (record.expiresAt <= now) {
    const { moved } = await deps.store.transition(record.id, ['pending'], 'expired', { decidedAt: now });
    if (moved) {
      await deps.audit.append({
        actor: input.userId,
        action: 'expire',
        host: record.host,
        detail: record.fix,
        ref: record.id,
      });
    }
    return { kind: 'expired', record };
  }
  if (record.sponsorId && !deps.store.signer.verifySponsor(record)) {
    return refuse(deps, record, input.userId, 'who asked to run this fix does not verify; run the check again');
  }

  const access = deps.access();
  const requesterId = requesterOf(record);
  if (input.decision === 'deny') {
    const verdict = mayDeny({ access, risk: record.risk, requesterId, userId: input.userId });
    if (!verdict.ok) return refuse(deps, record, input.userId, verdict.reason);
    const { moved, state } = await deps.store.transition(record.id, ['pending'], 'denied', {
      decidedBy: input.userId,
      decidedAt: now,
    });
    if (!moved)
      return refuse(deps, record, input.userId, `this fix ${STATE_WORDS[state ?? ''] ?? 'changed meanwhile'}`);
    await deps.audit.append({
      actor: input.userId,
      action: 'deny',
      host: record.host,
      detail: record.fix,
      ref: record.id,
    });
    return { kind: 'denied', record };
  }

  const verdict = mayApprove({ access, risk: record.risk, requesterId, approverId: input.userId });
  if (!verdict.ok) return refuse(deps, record, input.userId, verdict.reason);
  const fix = getFix(record.fix);
  if (!fix) return refuse(deps, record, input.userId, `dockmedic no longer knows the fix "${record.fix}"`);
  const params = fix.params.safeParse(record.params);
  if (!params.success) return refuse(deps, record, input.userId, 'the stored fix parameters are no longer valid');
  if (needsSponsor(access, record)) return await sponsor(deps, record, input.userId);

  const approved: ApprovalRecord = {
    ...record,
    state: 'approved',
    attempt: record.attempt + 1,
    decidedBy: input.userId,
    decidedAt: now,
  };
  approved.approvalMac = deps.store.signer.approvalMac(approved);
  const { moved, state } = await deps.store.transition(
    record.id,
    ['pending'],
    'approved',
    {
      attempt: approved.attempt,
      decidedBy: approved.decidedBy,
      decidedAt: approved.decidedAt,
      approvalMac: approved.approvalMac,
    },
    { attempt: record.attempt, sponsorId: record.sponsorId },
  );
  if (!moved) return refuse(deps, record, input.userId, `this fix ${STATE_WORDS[state ?? ''] ?? 'changed meanwhile'}`);
  try {
    await deps.enqueueFix(record.id, approved.attempt);
  } catch (error) {
    if ((await giveBack(deps, approved)) !== 'taken') throw error;
    // The enqueue failed late (past its deadline) yet a worker already took the job: it runs.
    log.warn({ err: error, approvalId: record.id }, 'enqueue reported a failure but the fix job was taken');
  }
  // The fix is queued: an audit write failing now must not tell the approver the click failed.
  await deps.audit
    .append({ actor: input.userId, action: 'approve', host: record.host, detail: record.fix, ref: record.id })
    .catch((error: unknown) => log.error({ err: error, approvalId: record.id }, 'approval not audited'));
  const plan = fix.plan(params.data);
  const step = record.step ?? 0;
  // A runbook approval covers one step only: show exactly that one.
  const operations = fix.runStep ? plan.slice(step, step + 1) : plan;
  return { kind: 'approved', record: approved, operations };
}

/**
 * The enqueue failed: give the button back (approved → pending), so nothing runs and a later click
 * is a new attempt with a new job id; a job of this attempt that still lands late finds the record
 * pending (or on a later attempt) and does nothing. `taken` when a worker already moved it on; `lost`
 * when Redis would not answer either: the reconciler reports the record later.
 */
async function giveBack(deps: ApprovalDeps, approved: ApprovalRecord): Promise<'given-back' | 'taken' | 'lost'> {
  try {
    const back = await deps.store.transition(approved.id, ['approved'], 'pending', {}, { attempt: approved.attempt });
    if (back.moved) return 'given-back';
    return back.state && TAKEN.includes(back.state) ? 'taken' : 'lost';
  } catch (error) {
    log.warn({ err: error, approvalId: approved.id }, 'could not give the approval back; the reconciler will');
    return 'lost';
  }
}

/** The first approval of a monitor offer under the two-person rule: recorded, and a second person must confirm. */
async function sponsor(deps: ApprovalDeps, record: ApprovalRecord, userId: string): Promise<Decision> {
  const sponsored: ApprovalRecord = { ...record, sponsorId: userId };
  sponsored.sponsorMac = deps.store.signer.sponsorMac(sponsored);
  const { moved } = await deps.store.transition(
    record.id,
    ['pending'],
    'pending',
    { sponsorId: userId, sponsorMac: sponsored.sponsorMac },
    { sponsorId: undefined, attempt: record.attempt },
  );
  if (!moved) {
    return refuse(
      deps,
      record,
      userId,
      'someone else approved this fix at the same moment; press Approve again to confirm it',
    );
  }
  await deps.audit.append({
    actor: userId,
    action: 'request',
    host: record.host,
    detail: `${record.fix}: first approval of a monitor offer; a second person must confirm (two-person rule)`,
    ref: record.id,
  });
  return { kind: 'sponsored', record: sponsored };
}

async function refuse(deps: ApprovalDeps, record: ApprovalRecord, userId: string, reason: string): Promise<Decision> {
  await deps.audit.append({
    actor: userId,
    action: 'refuse',
    host: record.host,
    detail: `${record.fix}: ${reason}`.slice(0, 2000),
    ref: record.id,
  });
  return { kind: 'refused', record, reason };
}
