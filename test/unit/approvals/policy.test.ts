import { describe, expect, it } from 'vitest';
import {
  MONITOR_REQUESTER,
  mayApprove,
  mayDeny,
  needsSponsor,
  requesterOf,
  roleOf,
} from '../../../src/approvals/policy.ts';
import { AccessConfig } from '../../../src/config/schema.ts';

const access = AccessConfig.parse({ admins: ['UADMIN'], operators: ['UOPS1', 'UOPS2'], viewers: ['*'] });

describe('roleOf', () => {
  it.each([
    ['UADMIN', 'admin'],
    ['UOPS1', 'operator'],
    ['UANYONE', 'viewer'],
  ])('%s is %s', (user, role) => {
    expect(roleOf(access, user)).toBe(role);
  });

  it('gives no role when viewers are listed and the user is not', () => {
    expect(roleOf(AccessConfig.parse({ viewers: ['UV1'] }), 'UX')).toBeUndefined();
  });
});

describe('mayApprove', () => {
  it.each([
    // risk, requester, approver, allowed
    ['safe', 'UOPS1', 'UOPS1', true],
    ['safe', 'UOPS1', 'UANYONE', false],
    ['risky', 'UOPS1', 'UOPS2', true],
    ['risky', 'UOPS1', 'UOPS1', false],
    ['risky', 'UOPS1', 'UANYONE', false],
    ['risky', 'UOPS1', 'UADMIN', true],
    ['dangerous', 'UOPS1', 'UOPS2', false],
    ['dangerous', 'UOPS1', 'UADMIN', true],
    ['dangerous', 'UADMIN', 'UADMIN', false],
  ] as const)('%s fix requested by %s, approved by %s → %s', (risk, requesterId, approverId, allowed) => {
    const verdict = mayApprove({ access, risk, requesterId, approverId });
    expect(verdict.ok).toBe(allowed);
  });

  it('says why the requester may not approve their own risky fix', () => {
    const verdict = mayApprove({ access, risk: 'risky', requesterId: 'UOPS1', approverId: 'UOPS1' });
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining('two-person rule') });
  });

  it('lets the requester approve when the two-person rule is off', () => {
    const relaxed = { ...access, twoPersonRule: false };
    expect(mayApprove({ access: relaxed, risk: 'risky', requesterId: 'UOPS1', approverId: 'UOPS1' }).ok).toBe(true);
  });
});

describe('mayDeny', () => {
  it.each([
    ['UOPS1', true],
    ['UOPS2', true],
    ['UANYONE', false],
  ])('%s may deny → %s', (userId, allowed) => {
    expect(mayDeny({ access, risk: 'risky', requesterId: 'UOPS1', userId }).ok).toBe(allowed);
  });
});

describe('needsSponsor', () => {
  it.each([
    // risk, requester, sponsor, two-person rule, needs one
    ['risky', MONITOR_REQUESTER, undefined, true, true],
    ['dangerous', MONITOR_REQUESTER, undefined, true, true],
    ['risky', MONITOR_REQUESTER, 'UOPS1', true, false],
    ['safe', MONITOR_REQUESTER, undefined, true, false],
    ['risky', MONITOR_REQUESTER, undefined, false, false],
    ['risky', 'UOPS1', undefined, true, false],
  ] as const)('%s fix from %s, sponsor %s, rule %s → %s', (risk, requesterId, sponsorId, twoPersonRule, needs) => {
    expect(needsSponsor({ ...access, twoPersonRule }, { risk, requesterId, sponsorId })).toBe(needs);
  });
});

describe('requesterOf', () => {
  it('is the sponsor of a monitor offer, and the person who asked otherwise', () => {
    expect(requesterOf({ requesterId: MONITOR_REQUESTER })).toBeUndefined();
    expect(requesterOf({ requesterId: MONITOR_REQUESTER, sponsorId: 'UOPS1' })).toBe('UOPS1');
    expect(requesterOf({ requesterId: 'UOPS2', sponsorId: 'UOPS1' })).toBe('UOPS2');
  });
});
