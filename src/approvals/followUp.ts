// What a runbook offers once one of its steps has ended: its next step when the step went well,
// else whatever the runbook itself offers then (fix.followUp): a rollback after a failure, an
// unknown outcome, or a next step that was denied or expired while dockerd was down; a clean-up
// after the last step. Each is a new approval for the same thread, under the same rules as the
// first. The worker (after a step) and the Slack action (after a denial or an expiry) both use it.

import { getFix } from '../fixes/index.ts';
import type { FixProposal, Operation, Risk, StepOutcome } from '../fixes/types.ts';
import { type NotOffered, offerFixes } from './offer.ts';
import { requesterOf } from './policy.ts';
import type { ApprovalRecord, ApprovalStore } from './store.ts';

export interface OfferedFollowUp {
  approvalId: string;
  /** The title of the approval request: the fix, and for a runbook which step of how many. */
  fixTitle: string;
  risk: Risk;
  /** What that approval runs: one step of a runbook, or the whole fix. */
  operations: Operation[];
}

interface Offer {
  proposal: FixProposal;
  fixTitle: string;
  operations: Operation[];
  step?: number;
}

/** Pure-ish: what to offer after `record`'s step ended with `outcome` (nothing for a fix that is not a runbook). */
function offerFor(record: ApprovalRecord, outcome: StepOutcome): Offer | undefined {
  const fix = getFix(record.fix);
  const params = fix?.params.safeParse(record.params);
  if (!fix?.runStep || !params?.success) return undefined;
  const step = record.step ?? 0;
  const plan = fix.plan(params.data);
  const next = plan[step + 1];
  if (outcome === 'done' && next) {
    return {
      proposal: {
        fix: fix.id,
        label: `Step ${step + 2} of ${plan.length}: ${next.description}`,
        params: record.params,
      },
      fixTitle: `${fix.title} — step ${step + 2} of ${plan.length}`,
      operations: [next],
      step: step + 1,
    };
  }
  // A denied or expired step never ran: the runbook was halted after the one before it.
  const ended = outcome === 'halted' ? step - 1 : step;
  const proposal = ended >= 0 ? fix.followUp?.(params.data, ended, outcome) : undefined;
  const followFix = proposal ? getFix(proposal.fix) : undefined;
  const followParams = followFix?.params.safeParse(proposal?.params);
  if (!proposal || !followFix || !followParams?.success) return undefined;
  const operations = followFix.plan(followParams.data);
  if (!followFix.runStep) return { proposal, fixTitle: followFix.title, operations };
  const first = operations.length > 1 ? ` — step 1 of ${operations.length}` : '';
  return { proposal, fixTitle: `${followFix.title}${first}`, operations: operations.slice(0, 1), step: 0 };
}

/** The follow-up offered, why it could not be offered (its fix refused the params), or nothing to offer. */
export type FollowUp = { offered: OfferedFollowUp; requestedBy: string } | { notOffered: NotOffered } | undefined;

export async function offerRunbookFollowUp(
  store: ApprovalStore,
  record: ApprovalRecord,
  outcome: StepOutcome,
  ttlMs: number,
): Promise<FollowUp> {
  const offer = offerFor(record, outcome);
  if (!offer) return undefined;
  // A monitor offer's later steps are asked for by whoever asked for the first one.
  const requesterId = requesterOf(record) ?? record.requesterId;
  const {
    offered: [offered],
    notOffered: [lost],
  } = await offerFixes(store, [offer.proposal], {
    host: record.host,
    requesterId,
    channelId: record.channelId,
    requestId: record.requestId,
    ttlMs,
    ...(offer.step === undefined ? {} : { step: offer.step }),
  });
  if (!offered) return lost ? { notOffered: lost } : undefined;
  if (record.messageTs)
    await store.setMessage([offered.approvalId], record.messageTs, record.threadTs ?? record.messageTs);
  const { fixTitle, operations } = offer;
  return {
    offered: { approvalId: offered.approvalId, fixTitle, risk: offered.risk, operations },
    requestedBy: requesterId,
  };
}
