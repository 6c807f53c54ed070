// Turns the fixes that findings propose into approval records, one per distinct (fix, params), so a
// report or an alert can show them as buttons. Shared by the command path and the alert path: both
// go through the same approval rules (roles, two-person rule, expiry, single use). A proposal that
// cannot be offered (params its fix refuses, Redis refusing the write) is named, never fatal: the
// report or alert around it is worth more than one button.

import { isDockmedicError, userMessageOf } from '../errors.ts';
import { getFix } from '../fixes/index.ts';
import type { FixProposal, Risk } from '../fixes/types.ts';
import { log } from '../log.ts';
import { fitLabel, paramsProblem } from './limits.ts';
import type { ApprovalStore } from './store.ts';

export interface OfferedFix {
  approvalId: string;
  label: string;
  risk: Risk;
}

/** A proposal that got no button, and why, in words for the channel. */
export interface NotOffered {
  fix: string;
  label: string;
  reason: string;
}

export interface Offer {
  offered: OfferedFix[];
  notOffered: NotOffered[];
}

export interface OfferContext {
  host: string;
  /** Who asked: a Slack user, or MONITOR_REQUESTER for what the monitor offers (see policy.ts). */
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
): Promise<Offer> {
  const seen = new Set<string>();
  const offer: Offer = { offered: [], notOffered: [] };
  for (const proposal of proposals) {
    const key = `${proposal.fix}:${JSON.stringify(proposal.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const label = fitLabel(proposal.label);
    const fix = getFix(proposal.fix);
    const problem = fix
      ? paramsProblem(fix.params, proposal.params)
      : `dockmedic does not know the fix "${proposal.fix}"`;
    if (!fix || problem) {
      log.warn({ fix: proposal.fix, host: context.host, problem }, 'proposal not offered');
      const reason = fix ? `its parameters are not valid (${problem})` : `${problem}`;
      offer.notOffered.push({ fix: proposal.fix, label, reason });
      continue;
    }
    try {
      const record = await approvals.create({
        fix: fix.id,
        label,
        risk: fix.risk,
        host: context.host,
        params: proposal.params,
        requesterId: context.requesterId,
        channelId: context.channelId,
        requestId: context.requestId,
        ttlMs: context.ttlMs,
        step: context.step,
      });
      offer.offered.push({ approvalId: record.id, label: record.label, risk: fix.risk });
    } catch (error) {
      log.warn({ err: error, fix: proposal.fix, host: context.host }, 'proposal not offered');
      const reason = isDockmedicError(error) ? userMessageOf(error) : 'its approval record could not be stored';
      offer.notOffered.push({ fix: proposal.fix, label, reason });
    }
  }
  return offer;
}
