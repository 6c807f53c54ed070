import { describe, expect, it } from 'vitest';
import { ApprovalSigner, approvalSignerFor } from '../../../src/approvals/signature.ts';

const offer = {
  id: 'ap-0123456789abcdef',
  fix: 'truncate-log',
  label: 'Truncate log of web (8 MiB)',
  risk: 'risky',
  host: 'web-1',
  params: { containerId: 'a'.repeat(64) },
  requesterId: 'UOPS1',
  channelId: 'C1',
  requestId: 'rq-abcdef',
  createdAt: 1_000,
  expiresAt: 61_000,
};

describe('ApprovalSigner', () => {
  const signer = ApprovalSigner.fromSecret('a-shared-secret-of-some-length');

  it('verifies what it signed, and nothing that changed after', () => {
    const signed = { ...offer, offerMac: signer.offerMac(offer) };

    expect(signer.verifyOffer(signed)).toBe(true);
    expect(signer.verifyOffer({ ...signed, host: 'db-1' })).toBe(false);
    expect(signer.verifyOffer({ ...signed, params: { containerId: 'b'.repeat(64) } })).toBe(false);
    expect(signer.verifyOffer({ ...signed, offerMac: undefined })).toBe(false);
  });

  it('signs params the same whatever their key order', () => {
    const a = signer.offerMac({ ...offer, params: { x: 1, y: 'z' } });
    const b = signer.offerMac({ ...offer, params: { y: 'z', x: 1 } });

    expect(a).toBe(b);
  });

  it('binds an approval to its attempt and approver', () => {
    const approval = { id: offer.id, offerMac: 'f'.repeat(64), attempt: 1, decidedBy: 'UOPS2', decidedAt: 5_000 };
    const approvalMac = signer.approvalMac(approval);

    expect(signer.verifyApproval({ ...approval, approvalMac })).toBe(true);
    expect(signer.verifyApproval({ ...approval, attempt: 2, approvalMac })).toBe(false);
    expect(signer.verifyApproval({ ...approval, decidedBy: 'UOPS1', approvalMac })).toBe(false);
  });

  it('does not verify what another secret signed', () => {
    const other = ApprovalSigner.fromSecret('another-secret-of-some-length');

    expect(signer.verifyOffer({ ...offer, offerMac: other.offerMac(offer) })).toBe(false);
  });
});

describe('approvalSignerFor', () => {
  it('makes one up for bot and workers in one process, and refuses a bot or a worker alone without one', () => {
    expect(approvalSignerFor(undefined, { bot: true, worker: true })).toBeInstanceOf(ApprovalSigner);
    expect(() => approvalSignerFor(undefined, { bot: false, worker: true })).toThrow(/DOCKMEDIC_APPROVAL_SECRET/);
    expect(() => approvalSignerFor(undefined, { bot: true, worker: false })).toThrow(/DOCKMEDIC_APPROVAL_SECRET/);
    expect(() => approvalSignerFor('short', { bot: true, worker: false })).toThrow(/too short/);
  });
});
