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

/** Who may approve a fix of each risk (docs/checks.md). */
export const APPROVER_ROLE: Record<Risk, Role> = { safe: 'operator', risky: 'operator', dangerous: 'admin' };

export type Verdict = { ok: true } | { ok: false; reason: string };

export function mayApprove(input: {
  access: AccessConfig;
  risk: Risk;
  requesterId: string;
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
export function mayDeny(input: { access: AccessConfig; risk: Risk; requesterId: string; userId: string }): Verdict {
  if (input.userId === input.requesterId) return { ok: true };
  const role = roleOf(input.access, input.userId);
  if (hasRole(role, APPROVER_ROLE[input.risk])) return { ok: true };
  return { ok: false, reason: `only an ${APPROVER_ROLE[input.risk]} or the requester may deny this fix` };
}
