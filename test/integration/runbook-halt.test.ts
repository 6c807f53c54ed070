import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalSigner } from '../../src/approvals/signature.ts';
import { ApprovalStore } from '../../src/approvals/store.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { AccessConfig } from '../../src/config/schema.ts';
import { ACTION_APPROVE, ACTION_DENY } from '../../src/slack/actionIds.ts';
import { handleApprovalAction } from '../../src/slack/actions/approval.ts';
import type { SlackOut } from '../../src/slack/client.ts';
import { freshRedis } from '../support/redis.ts';

const access = AccessConfig.parse({ admins: ['UADMIN'], operators: ['UOPS1', 'UOPS2'], viewers: ['*'] });
const params = { from: '/var/lib/docker', to: '/data/docker', stamp: '20260102T030405Z' };

/**
 * A runbook step denied or expired after an earlier step stopped dockerd: the runbook halts, and its
 * rollback is offered in the thread right away (real Redis; Slack is a recorder).
 */
describe('a halted runbook on real Redis', () => {
  let redis: Redis;
  let store: ApprovalStore;
  let posted: Array<{ text: string; threadTs?: string }>;
  let now: number;

  const slack = {
    async postMessage(_channel: string, message: { text: string }, opts?: { threadTs?: string }) {
      posted.push({ text: message.text, ...(opts?.threadTs ? { threadTs: opts.threadTs } : {}) });
      return { ts: `${posted.length}.0`, channel: 'C1' };
    },
  } as unknown as SlackOut;
  const deps = () => ({
    store,
    audit: new AuditLog(redis),
    access: () => access,
    enqueueFix: async () => {},
    now: () => now,
    slack,
  });
  const stepOffer = async (step: number, ttlMs = 60_000) => {
    const record = await store.create({
      fix: 'move-data-root',
      label: `Step ${step + 1} of 7`,
      risk: 'dangerous',
      host: 'h1',
      params,
      requesterId: 'UOPS1',
      channelId: 'C1',
      requestId: 'rq-abcdef',
      ttlMs,
      step,
    });
    await store.setMessage([record.id], '100.0');
    return record;
  };
  const press = (actionId: string, value: string, userId = 'UADMIN') =>
    handleApprovalAction({ actionId, value, userId, channelId: 'C1', messageTs: '100.0' }, deps());

  beforeAll(async () => {
    redis = await freshRedis(4);
  });
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    await redis.flushdb();
    store = new ApprovalStore(redis, ApprovalSigner.random());
    posted = [];
    now = Date.now();
  });

  it('offers the rollback in the thread when the copy step is denied after dockerd was stopped', async () => {
    const copy = await stepOffer(2);

    await press(ACTION_DENY, copy.id);

    expect(posted.map((message) => message.text)).toEqual([
      expect.stringMatching(/^Denied Step 3 of 7 by UADMIN/),
      'UOPS1 asks to run Roll back: restore the previous daemon.json and start dockerd on h1 (risky)',
    ]);
    expect(posted.every((message) => message.threadTs === '100.0')).toBe(true);
  });

  it('offers it when the step’s approval expired', async () => {
    const write = await stepOffer(4, 1000);
    now += 5000;

    await press(ACTION_APPROVE, write.id);

    expect(posted.at(-1)?.text).toMatch(/asks to run Roll back: restore the previous daemon.json/);
  });

  it('offers nothing when the stop itself is denied: dockerd still runs', async () => {
    const stop = await stepOffer(1);

    await press(ACTION_DENY, stop.id);

    expect(posted.map((message) => message.text)).toEqual([expect.stringMatching(/^Denied/)]);
  });
});
