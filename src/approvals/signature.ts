// Workers run what approval records say, and anyone who can write to Redis can write a record and a
// fix job. So records are signed with a secret the bot and the workers share (HMAC-SHA256): the
// offer (fix, host, params, who asked, expiry) when a worker offers it, the sponsorship and the
// approval (who, when, which attempt) when the bot decides. The bot checks the offer before it
// approves; the worker checks both before it runs. A Redis writer without the secret can no longer
// make up a fix, change one's params or approve one; what is left is replaying a real approval of the
// same fix on the same host, which the worker refuses once the approval is older than the TTL.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DockmedicError } from '../errors.ts';

/** Shorter secrets are refused: 16 characters of `openssl rand -hex 32` output is the least we take. */
export const APPROVAL_SECRET_MIN = 16;

export interface OfferFields {
  id: string;
  fix: string;
  label: string;
  risk: string;
  host: string;
  params: Record<string, string | number | boolean>;
  requesterId: string;
  channelId: string;
  requestId: string;
  step?: number;
  createdAt: number;
  expiresAt: number;
}

export interface SponsorFields {
  id: string;
  offerMac?: string;
  sponsorId?: string;
}

export interface ApprovalFields {
  id: string;
  offerMac?: string;
  sponsorId?: string;
  attempt: number;
  decidedBy?: string;
  decidedAt?: number;
}

/** Params in a stable order, so the same record always signs the same. */
function canonicalParams(params: Record<string, string | number | boolean>): Array<[string, unknown]> {
  return Object.keys(params)
    .sort()
    .map((key) => [key, params[key]]);
}

export class ApprovalSigner {
  private constructor(private readonly key: Buffer) {}

  static fromSecret(secret: string): ApprovalSigner {
    if (secret.length < APPROVAL_SECRET_MIN) {
      throw new DockmedicError('dm_config_invalid', 'DOCKMEDIC_APPROVAL_SECRET is too short', {
        userMessage: `DOCKMEDIC_APPROVAL_SECRET must be at least ${APPROVAL_SECRET_MIN} characters (e.g. the output of \`openssl rand -hex 32\`).`,
      });
    }
    return new ApprovalSigner(Buffer.from(secret, 'utf8'));
  }

  /** For a process that runs the bot and the workers: nobody else needs to know it. */
  static random(): ApprovalSigner {
    return new ApprovalSigner(randomBytes(32));
  }

  offerMac(record: OfferFields): string {
    return this.mac('offer-v1', [
      record.id,
      record.fix,
      record.label,
      record.risk,
      record.host,
      canonicalParams(record.params),
      record.requesterId,
      record.channelId,
      record.requestId,
      record.step ?? null,
      record.createdAt,
      record.expiresAt,
    ]);
  }

  sponsorMac(record: SponsorFields): string {
    return this.mac('sponsor-v1', [record.id, record.offerMac ?? '', record.sponsorId ?? '']);
  }

  approvalMac(record: ApprovalFields): string {
    return this.mac('approval-v1', [
      record.id,
      record.offerMac ?? '',
      record.sponsorId ?? '',
      record.attempt,
      record.decidedBy ?? '',
      record.decidedAt ?? 0,
    ]);
  }

  verifyOffer(record: OfferFields & { offerMac?: string }): boolean {
    return same(record.offerMac, this.offerMac(record));
  }

  verifySponsor(record: SponsorFields & { sponsorMac?: string }): boolean {
    return same(record.sponsorMac, this.sponsorMac(record));
  }

  verifyApproval(record: ApprovalFields & { approvalMac?: string }): boolean {
    return same(record.approvalMac, this.approvalMac(record));
  }

  private mac(domain: string, fields: unknown[]): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([`dockmedic-${domain}`, ...fields]))
      .digest('hex');
  }
}

function same(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/**
 * The signer of a process. With DOCKMEDIC_APPROVAL_SECRET, that secret; a process that runs both the
 * bot and the workers (`start`, `console`, the embedded demo) may make one up, since nobody else
 * signs or checks its records; a bot or a worker on its own cannot, and refuses to start.
 */
export function approvalSignerFor(
  secret: string | undefined,
  roles: { bot: boolean; worker: boolean },
): ApprovalSigner {
  if (secret) return ApprovalSigner.fromSecret(secret);
  if (roles.bot && roles.worker) return ApprovalSigner.random();
  const role = roles.bot ? 'bot' : 'worker';
  throw new DockmedicError('dm_config_invalid', `DOCKMEDIC_APPROVAL_SECRET is not set for a ${role} on its own`, {
    userMessage:
      `A ${role} run on its own needs DOCKMEDIC_APPROVAL_SECRET: the bot signs approvals with it and the workers check them before running a fix. ` +
      'Set the same value on the bot and every worker, e.g. `openssl rand -hex 32`.',
  });
}
