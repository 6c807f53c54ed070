import type { AuditLog } from '../audit/log.ts';
import type { AccessConfig } from '../config/schema.ts';
import { getFix } from '../fixes/index.ts';
import type { Operation } from '../fixes/types.ts';
import { mayApprove, mayDeny } from './policy.ts';
import type { ApprovalRecord, ApprovalStore } from './store.ts';

export type Decision =
  | { kind: 'approved'; record: ApprovalRecord; operations: Operation[] }
  | { kind: 'denied'; record: ApprovalRecord }
  | { kind: 'refused'; record?: ApprovalRecord; reason: string }
  | { kind: 'expired'; record: ApprovalRecord };

export interface ApprovalDeps {
  store: ApprovalStore;
  audit: AuditLog;
  access: () => AccessConfig;
  /** Enqueues the fix job; its job id is derived from the approval id, so a second enqueue is a no-op. */
  enqueueFix: (approvalId: string) => Promise<void>;
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

  const access = deps.access();
  if (input.decision === 'deny') {
    const verdict = mayDeny({ access, risk: record.risk, requesterId: record.requesterId, userId: input.userId });
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

  const verdict = mayApprove({ access, risk: record.risk, requesterId: record.requesterId, approverId: input.userId });
  if (!verdict.ok) return refuse(deps, record, input.userId, verdict.reason);
  const fix = getFix(record.fix);
  if (!fix) return refuse(deps, record, input.userId, `dockmedic no longer knows the fix "${record.fix}"`);
  const params = fix.params.safeParse(record.params);
  if (!params.success) return refuse(deps, record, input.userId, 'the stored fix parameters are no longer valid');

  const { moved, state } = await deps.store.transition(record.id, ['pending'], 'approved', {
    decidedBy: input.userId,
    decidedAt: now,
  });
  if (!moved) return refuse(deps, record, input.userId, `this fix ${STATE_WORDS[state ?? ''] ?? 'changed meanwhile'}`);
  try {
    await deps.enqueueFix(record.id);
  } catch (error) {
    // Nothing was queued, so nothing will run: give the button back rather than leave it "approved".
    await deps.store.transition(record.id, ['approved'], 'pending').catch(() => {});
    throw error;
  }
  await deps.audit.append({
    actor: input.userId,
    action: 'approve',
    host: record.host,
    detail: record.fix,
    ref: record.id,
  });
  const plan = fix.plan(params.data);
  const step = record.step ?? 0;
  // A runbook approval covers one step only: show exactly that one.
  const operations = fix.runStep ? plan.slice(step, step + 1) : plan;
  return { kind: 'approved', record: { ...record, state: 'approved', decidedBy: input.userId }, operations };
}

async function refuse(deps: ApprovalDeps, record: ApprovalRecord, userId: string, reason: string): Promise<Decision> {
  await deps.audit.append({
    actor: userId,
    action: 'refuse',
    host: record.host,
    detail: `${record.fix}: ${reason}`,
    ref: record.id,
  });
  return { kind: 'refused', record, reason };
}
