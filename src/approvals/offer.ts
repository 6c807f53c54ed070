// Turns the fixes that findings propose into approval records, one per distinct (fix, params), so a
// report or an alert can show them as buttons. Shared by the command path and the alert path: both
// go through the same approval rules (roles, two-person rule, expiry, single use).

import { getFix } from '../fixes/index.ts';
import type { FixProposal, Risk } from '../fixes/types.ts';
import type { ApprovalStore } from './store.ts';

export interface OfferedFix {
  approvalId: string;
  label: string;
  risk: Risk;
}

export interface OfferContext {
  host: string;
  /** Who asked: a Slack user, or `dockmedic` for what the monitor offers (anyone allowed may approve). */
  requesterId: string;
  channelId: string;
  requestId: string;
  ttlMs: number;
  /** For runbooks: the step these approvals run. */
  step?: number;
}

export async function offerFixes(
  approvals: ApprovalStore,
  proposals: Iterable<FixProposal>,
  context: OfferContext,
): Promise<OfferedFix[]> {
  const seen = new Set<string>();
  const offered: OfferedFix[] = [];
  for (const proposal of proposals) {
    const key = `${proposal.fix}:${JSON.stringify(proposal.params)}`;
    const fix = getFix(proposal.fix);
    if (seen.has(key) || !fix) continue;
    seen.add(key);
    const record = await approvals.create({
      fix: fix.id,
      label: proposal.label,
      risk: fix.risk,
      host: context.host,
      params: proposal.params,
      requesterId: context.requesterId,
      channelId: context.channelId,
      requestId: context.requestId,
      ttlMs: context.ttlMs,
      step: context.step,
    });
    offered.push({ approvalId: record.id, label: proposal.label, risk: fix.risk });
  }
  return offered;
}
