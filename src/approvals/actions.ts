import type { ActionRequest, Reply } from '../../commands/types.ts';
import { userMessageOf } from '../errors.ts';
import { log } from '../log.ts';
import type { SlackOut } from '../slack/client.ts';
import { renderApproved, renderDenied, renderExpired, renderRefused } from '../slack/render/approval.ts';
import { renderError } from '../slack/render/error.ts';
import { type ApprovalDeps, decide } from './service.ts';

export const APPROVE_ACTION = 'dm_approve';
export const DENY_ACTION = 'dm_deny';

/**
 * A button press. The clicker is told privately when nothing happens (no permission, already used,
 * expired); approvals and denials go in the report's thread for everyone to see.
 */
export async function handleAction(
  request: ActionRequest,
  deps: ApprovalDeps & { slack: SlackOut },
): Promise<Reply | undefined> {
  const decision =
    request.actionId === APPROVE_ACTION ? 'approve' : request.actionId === DENY_ACTION ? 'deny' : undefined;
  if (!decision) return renderError('dockmedic does not know that button; it may be from an older version.');
  try {
    const result = await decide(deps, { approvalId: request.value, userId: request.userId, decision });
    if (result.kind === 'refused') return renderRefused(result.reason);
    const threadTs = result.record.messageTs ?? request.messageTs;
    const post = (message: { text: string; blocks?: unknown[] }) =>
      deps.slack.postMessage(result.record.channelId, message, { threadTs });
    if (result.kind === 'expired') {
      await post(renderExpired(result.record.label));
      return renderRefused('this approval expired; run the check again for fresh evidence and buttons');
    }
    if (result.kind === 'denied') {
      await post(renderDenied(request.userId, result.record.label));
      return undefined;
    }
    await post(renderApproved(request.userId, result.record.label, result.record.host, result.operations));
    return undefined;
  } catch (error) {
    log.warn({ err: error, user: request.userId }, 'action failed');
    return renderError(userMessageOf(error));
  }
}
