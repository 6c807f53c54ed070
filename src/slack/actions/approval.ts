import { offerRunbookFollowUp } from '../../approvals/followUp.ts';
import { type ApprovalDeps, decide } from '../../approvals/service.ts';
import type { ApprovalRecord } from '../../approvals/store.ts';
import { userMessageOf } from '../../errors.ts';
import { log } from '../../log.ts';
import { ACTION_APPROVE, ACTION_DENY } from '../actionIds.ts';
import type { SlackOut } from '../client.ts';
import {
  renderApprovalRequest,
  renderApproved,
  renderDenied,
  renderExpired,
  renderRefused,
  renderSponsored,
} from '../render/approval.ts';
import { renderError } from '../render/error.ts';
import type { ActionRequest, Reply } from '../types.ts';

/**
 * A runbook step that was denied or expired halts its runbook after the step before: when that one
 * left dockerd stopped, the runbook's rollback is offered in the thread, so no host stays without Docker.
 */
async function offerAfterHalt(
  deps: ApprovalDeps,
  record: ApprovalRecord,
  post: (message: { text: string; blocks?: unknown[] }) => Promise<unknown>,
): Promise<void> {
  const followUp = await offerRunbookFollowUp(deps.store, record, 'halted', deps.access().approvalTtl);
  if (!followUp) return;
  if ('notOffered' in followUp) {
    await post(renderRefused(`${followUp.notOffered.label} could not be offered (${followUp.notOffered.reason})`));
    return;
  }
  await post(renderApprovalRequest({ ...followUp.offered, host: record.host, requestedBy: followUp.requestedBy }));
}

/**
 * A button press. The clicker is told privately when nothing happens (no permission, already used,
 * expired); approvals and denials go in the report's thread for everyone to see.
 */
export async function handleApprovalAction(
  request: ActionRequest,
  deps: ApprovalDeps & { slack: SlackOut },
): Promise<Reply | undefined> {
  const decision =
    request.actionId === ACTION_APPROVE ? 'approve' : request.actionId === ACTION_DENY ? 'deny' : undefined;
  if (!decision) return renderError('dockmedic does not know that button; it may be from an older version.');
  try {
    const result = await decide(deps, { approvalId: request.value, userId: request.userId, decision });
    if (result.kind === 'refused') return renderRefused(result.reason);
    // Always the thread's parent: a reply's ts would start a thread nobody sees (Slack: "use its parent").
    const threadTs = result.record.threadTs ?? result.record.messageTs ?? request.threadTs ?? request.messageTs;
    const post = (message: { text: string; blocks?: unknown[] }) =>
      deps.slack.postMessage(result.record.channelId, message, { threadTs });
    if (result.kind === 'expired') {
      await post(renderExpired(result.record.label));
      await offerAfterHalt(deps, result.record, post);
      return renderRefused('this approval expired; run the check again for fresh evidence and buttons');
    }
    if (result.kind === 'denied') {
      await post(renderDenied(request.userId, result.record.label));
      await offerAfterHalt(deps, result.record, post);
      return undefined;
    }
    if (result.kind === 'sponsored') {
      await post(renderSponsored(request.userId, result.record.label, result.record.host, result.record.risk));
      return undefined;
    }
    await post(renderApproved(request.userId, result.record.label, result.record.host, result.operations));
    return undefined;
  } catch (error) {
    log.warn({ err: error, user: request.userId }, 'action failed');
    return renderError(userMessageOf(error));
  }
}
