// The command and fleet paths offer a report's fixes the same way: each proposal becomes a pending
// approval record whose id is its button's value.

import { type Offer, offerFixes as offerProposals } from '../src/approvals/offer.ts';
import type { FixProposal } from '../src/fixes/types.ts';
import type { ParsedCommandJob } from '../src/queue/payloads.ts';
import type { WorkerDeps } from './deps.ts';

/** Each proposed fix becomes a pending approval record (its id is the button's value), or is named as not offered. */
export function offerFixes(deps: WorkerDeps, proposals: FixProposal[], job: ParsedCommandJob): Promise<Offer> {
  return offerProposals(deps.approvals, proposals, {
    host: job.host,
    requesterId: job.userId,
    channelId: job.channelId,
    requestId: job.requestId,
    ttlMs: deps.config.current().access.approvalTtl,
  });
}
