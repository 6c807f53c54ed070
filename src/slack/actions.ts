// Every button of ours, routed by its action-id prefix to the handler that owns it. The handlers ask
// approvals/ and alerts/ for a decision, then render and post it; the clicker gets the reply privately.

import type { ApprovalDeps } from '../approvals/service.ts';
import { ACTION_APPROVE, ACTION_DENY, ALERT_ACTION_PREFIX } from './actionIds.ts';
import { type AlertActionDeps, handleAlertAction } from './actions/alert.ts';
import { handleApprovalAction } from './actions/approval.ts';
import type { SlackOut } from './client.ts';
import { renderError } from './render/error.ts';
import type { ActionRequest, Reply } from './types.ts';

export interface ActionDeps {
  approvals: ApprovalDeps & { slack: SlackOut };
  alerts: AlertActionDeps;
}

type ActionHandler = (request: ActionRequest, deps: ActionDeps) => Promise<Reply | undefined>;

/** Longest prefix first is not needed: no prefix here starts another. */
const ROUTES: ReadonlyArray<readonly [prefix: string, handler: ActionHandler]> = [
  [ACTION_APPROVE, (request, deps) => handleApprovalAction(request, deps.approvals)],
  [ACTION_DENY, (request, deps) => handleApprovalAction(request, deps.approvals)],
  [ALERT_ACTION_PREFIX, (request, deps) => handleAlertAction(request, deps.alerts)],
];

/** The handler for a button press (its action id already stripped of the `:N` suffix). */
export async function routeAction(request: ActionRequest, deps: ActionDeps): Promise<Reply | undefined> {
  const route = ROUTES.find(([prefix]) => request.actionId.startsWith(prefix));
  if (!route) return renderError('dockmedic does not know that button; it may be from an older version.');
  return await route[1](request, deps);
}
