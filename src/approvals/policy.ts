import type { AccessConfig } from '../config/schema.ts';
import type { Risk } from '../fixes/types.ts';

/** Who may do what, weakest first: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The strongest role a Slack user holds; undefined when the user has none at all. */
export function roleOf(access: AccessConfig, userId: string): Role | undefined {
  const listed = (list: string[]) => list.includes(userId) || list.includes('*');
  if (listed(access.admins)) return 'admin';
  if (listed(access.operators)) return 'operator';
  if (listed(access.viewers)) return 'viewer';
  return undefined;
}

export function hasRole(role: Role | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The requester of what the monitor offers (alert buttons). No person asked for it, so under the
 * two-person rule the first person to approve a risky or dangerous one becomes its requester (its
 * sponsor, asking to run it) and a second, different person confirms: one person alone never runs
 * a risky fix, whoever offered it.
 */
export const MONITOR_REQUESTER = 'dockmedic';

/** The person who asks for this fix: the requester, or for a monitor offer its sponsor (if any yet). */
export function requesterOf(record: { requesterId: string; sponsorId?: string }): string | undefined {
  if (record.requesterId !== MONITOR_REQUESTER) return record.requesterId;
  return record.sponsorId;
}

/** A monitor offer that the two-person rule covers and no one has asked to run yet: the first approval sponsors it. */
export function needsSponsor(
  access: AccessConfig,
  record: { risk: Risk; requesterId: string; sponsorId?: string },
): boolean {
  return (
    access.twoPersonRule && record.risk !== 'safe' && record.requesterId === MONITOR_REQUESTER && !record.sponsorId
  );
}

/** Who may approve a fix of each risk (docs/checks.md). */
export const APPROVER_ROLE: Record<Risk, Role> = { safe: 'operator', risky: 'operator', dangerous: 'admin' };

export type Verdict = { ok: true } | { ok: false; reason: string };

export function mayApprove(input: {
  access: AccessConfig;
  risk: Risk;
  /** Undefined for a monitor offer nobody has sponsored yet. */
  requesterId: string | undefined;
  approverId: string;
}): Verdict {
  const role = roleOf(input.access, input.approverId);
  const needed = APPROVER_ROLE[input.risk];
  if (!hasRole(role, needed)) {
    return {
      ok: false,
      reason: `a ${input.risk} fix needs an ${needed} to approve it, and <@${input.approverId}> is ${role ? `a ${role}` : 'not listed in access'}`,
    };
  }
  const twoPerson = input.access.twoPersonRule && input.risk !== 'safe';
  if (twoPerson && input.approverId === input.requesterId) {
    return {
      ok: false,
      reason: `the two-person rule is on: someone other than the requester <@${input.requesterId}> must approve a ${input.risk} fix`,
    };
  }
  return { ok: true };
}

/** Deny needs the same role as approve, or being the requester (withdrawing one's own request). */
export function mayDeny(input: {
  access: AccessConfig;
  risk: Risk;
  requesterId: string | undefined;
  userId: string;
}): Verdict {
  if (input.userId === input.requesterId) return { ok: true };
  const role = roleOf(input.access, input.userId);
  if (hasRole(role, APPROVER_ROLE[input.risk])) return { ok: true };
  return { ok: false, reason: `only an ${APPROVER_ROLE[input.risk]} or the requester may deny this fix` };
}
