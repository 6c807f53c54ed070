// Buttons on alert messages (action ids `dm_alert_*`): Acknowledge, Silence 1h/4h/24h, Run diagnosis,
// and their grouped-message versions. The button's value names the alert (`host/check[/duration]`)
// and is untrusted: it is parsed against the same patterns as the config and looked up in Redis.
// The clicker is answered privately; what changed is said in the alert's thread.

import { acknowledge, type OperationResult, silence } from '../../alerts/operations.ts';
import type { Role } from '../../approvals/policy.ts';
import { hasRole, roleOf } from '../../approvals/policy.ts';
import type { AuditLog } from '../../audit/log.ts';
import { parseDuration } from '../../config/duration.ts';
import { type AccessConfig, HOST_NAME_PATTERN } from '../../config/schema.ts';
import { userMessageOf } from '../../errors.ts';
import { log } from '../../log.ts';
import { ALERT_ACTIONS } from '../actionIds.ts';
import { type AlertDeps, tellThread } from '../alertThreads.ts';
import { SILENCE_CHOICES } from '../render/alert.ts';
import { renderError } from '../render/error.ts';
import type { ActionRequest, Reply } from '../types.ts';

export interface AlertActionDeps {
  alerts: AlertDeps;
  audit: AuditLog;
  access: () => AccessConfig;
  /** Queues a diagnosis (the diskcheck command) whose report is posted in `channelId`. */
  enqueueDiagnosis(host: string, userId: string, channelId: string): Promise<string>;
}

const CHECK_PATTERN = /^[a-z0-9-]{1,64}$/;

function parseRef(value: string): { host: string; check: string; extra?: string } | undefined {
  const [host = '', check = '', extra, ...rest] = value.split('/');
  if (rest.length > 0 || !HOST_NAME_PATTERN.test(host) || !CHECK_PATTERN.test(check)) return undefined;
  return { host, check, extra };
}

function refuse(reason: string): Reply {
  return renderError(reason);
}

function answer(result: OperationResult): Reply {
  return result.ok ? { text: `✅ ${result.message}` } : refuse(`Nothing changed: ${result.reason}.`);
}

function allowed(deps: AlertActionDeps, userId: string, needed: Role): Reply | undefined {
  const role = roleOf(deps.access(), userId);
  if (hasRole(role, needed)) return undefined;
  return refuse(
    `This button needs the ${needed} role, and you are ${role ? `a ${role}` : 'not listed in dockmedic access'}.`,
  );
}

export async function handleAlertAction(request: ActionRequest, deps: AlertActionDeps): Promise<Reply | undefined> {
  try {
    switch (request.actionId) {
      case ALERT_ACTIONS.ack:
      case ALERT_ACTIONS.silence:
        return await single(request, deps);
      case ALERT_ACTIONS.diagnose:
        return await diagnose(request, deps);
      case ALERT_ACTIONS.ackGroup:
      case ALERT_ACTIONS.silenceGroup:
        return await group(request, deps);
      default:
        return refuse('dockmedic does not know that button; it may be from an older version.');
    }
  } catch (error) {
    log.warn({ err: error, user: request.userId, action: request.actionId }, 'alert action failed');
    return refuse(userMessageOf(error));
  }
}

async function single(request: ActionRequest, deps: AlertActionDeps): Promise<Reply> {
  const denied = allowed(deps, request.userId, 'operator');
  if (denied) return denied;
  const ref = parseRef(request.value);
  if (!ref) return refuse('This button does not name an alert dockmedic knows.');
  if (request.actionId === ALERT_ACTIONS.ack) {
    const result = await acknowledge(deps.alerts, ref.host, ref.check, request.userId);
    await tellThread(deps.alerts, result);
    if (result.ok) await audit(deps, request.userId, ref, 'acknowledged');
    return answer(result);
  }
  const choice = SILENCE_CHOICES.find((known) => known === ref.extra);
  const ms = choice ? parseDuration(choice) : undefined;
  if (!ms) return refuse('That silence duration is not one dockmedic offers.');
  const result = await silence(deps.alerts, ref.host, ref.check, ms, request.userId);
  await tellThread(deps.alerts, result);
  if (result.ok) await audit(deps, request.userId, ref, `silenced for ${choice}`);
  return answer(result);
}

async function diagnose(request: ActionRequest, deps: AlertActionDeps): Promise<Reply> {
  const denied = allowed(deps, request.userId, 'viewer');
  if (denied) return denied;
  const ref = parseRef(request.value);
  if (!ref) return refuse('This button does not name an alert dockmedic knows.');
  const state = await deps.alerts.store.get(ref.host, ref.check);
  const channel = state?.channel ?? request.channelId;
  const requestId = await deps.enqueueDiagnosis(ref.host, request.userId, channel);
  return { text: `⏳ Queued a diagnosis of ${ref.host} (${requestId}); the report will be posted in the channel.` };
}

async function group(request: ActionRequest, deps: AlertActionDeps): Promise<Reply> {
  const denied = allowed(deps, request.userId, 'operator');
  if (denied) return denied;
  const [groupId = '', duration] = request.value.split('/');
  const found = /^grp-[a-z0-9]{6,32}$/.test(groupId) ? await deps.alerts.store.getGroup(groupId) : undefined;
  if (!found) return refuse('That group of alerts is gone (groups are kept 14 days).');
  const ms = duration === '1h' ? parseDuration('1h') : undefined;
  let done = 0;
  for (const member of found.members) {
    const result = ms
      ? await silence(deps.alerts, member.host, member.check, ms, request.userId)
      : await acknowledge(deps.alerts, member.host, member.check, request.userId);
    await tellThread(deps.alerts, result);
    if (result.ok) done += 1;
  }
  await audit(
    deps,
    request.userId,
    { host: found.members[0]?.host ?? '?', check: groupId },
    ms ? 'silenced group 1h' : 'acknowledged group',
  );
  return { text: `✅ ${ms ? 'Silenced' : 'Acknowledged'} ${done} of ${found.members.length} alerts.` };
}

async function audit(deps: AlertActionDeps, actor: string, ref: { host: string; check: string }, what: string) {
  await deps.audit
    .append({ actor, action: 'request', host: ref.host, detail: `alert ${ref.check}: ${what}` })
    .catch((error: unknown) => log.warn({ err: error }, 'could not audit an alert action'));
}
