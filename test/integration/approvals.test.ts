import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../src/approvals/service.ts';
import { ApprovalSigner } from '../../src/approvals/signature.ts';
import { ApprovalStore } from '../../src/approvals/store.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { AccessConfig } from '../../src/config/schema.ts';
import { freshRedis } from '../support/redis.ts';

const access = AccessConfig.parse({ admins: ['UADMIN'], operators: ['UOPS1', 'UOPS2'], viewers: ['*'] });

describe('approvals on real Redis', () => {
  let redis: Redis;
  let store: ApprovalStore;
  let audit: AuditLog;
  let enqueued: string[];
  let now: number;

  const deps = () => ({
    store,
    audit,
    access: () => access,
    enqueueFix: async (id: string) => {
      enqueued.push(id);
    },
    now: () => now,
  });

  const offer = (risk: 'safe' | 'risky' = 'risky') =>
    store.create({
      fix: risk === 'risky' ? 'truncate-log' : 'prune-safe',
      label: 'Truncate log of web',
      risk,
      host: 'h1',
      params: risk === 'risky' ? { containerId: 'a'.repeat(64) } : {},
      requesterId: 'UOPS1',
      channelId: 'C1',
      requestId: 'rq-abcdef',
      ttlMs: 60_000,
    });

  beforeAll(async () => {
    redis = await freshRedis(3);
  });
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    await redis.flushdb();
    store = new ApprovalStore(redis, ApprovalSigner.random());
    audit = new AuditLog(redis);
    enqueued = [];
    now = Date.now();
  });

  it('runs once when two operators click at the same moment', async () => {
    const record = await offer();

    const results = await Promise.all([
      decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' }),
      decide(deps(), { approvalId: record.id, userId: 'UADMIN', decision: 'approve' }),
    ]);

    expect(results.filter((r) => r.kind === 'approved')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'refused')).toHaveLength(1);
    expect(enqueued).toEqual([record.id]);
    expect((await store.get(record.id))?.state).toBe('approved');
  });

  it('refuses the requester, a viewer, and a second click, saying why', async () => {
    const record = await offer();

    const own = await decide(deps(), { approvalId: record.id, userId: 'UOPS1', decision: 'approve' });
    const viewer = await decide(deps(), { approvalId: record.id, userId: 'UVIEW', decision: 'approve' });
    const first = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });
    const again = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(own).toMatchObject({ kind: 'refused', reason: expect.stringContaining('two-person rule') });
    expect(viewer).toMatchObject({ kind: 'refused', reason: expect.stringContaining('operator') });
    expect(first.kind).toBe('approved');
    expect(again).toMatchObject({ kind: 'refused', reason: expect.stringContaining('already approved') });
    expect(enqueued).toHaveLength(1);
  });

  it('expires after the TTL and records the expiry', async () => {
    const record = await offer();
    now += 61_000;

    const result = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(result.kind).toBe('expired');
    expect(enqueued).toEqual([]);
    expect((await store.get(record.id))?.state).toBe('expired');
    expect((await audit.recent(5)).map((e) => e.action)).toContain('expire');
  });

  it('denies, after which approving runs nothing', async () => {
    const record = await offer();

    const denied = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'deny' });
    const late = await decide(deps(), { approvalId: record.id, userId: 'UADMIN', decision: 'approve' });

    expect(denied.kind).toBe('denied');
    expect(late).toMatchObject({ kind: 'refused', reason: expect.stringContaining('denied') });
    expect(enqueued).toEqual([]);
  });

  it('gives the button back when the fix cannot be queued, so a later click can still run it', async () => {
    const record = await offer();
    const failing = {
      ...deps(),
      enqueueFix: async () => {
        throw new Error('redis is down');
      },
    };

    await expect(decide(failing, { approvalId: record.id, userId: 'UOPS2', decision: 'approve' })).rejects.toThrow(
      'redis is down',
    );
    expect((await store.get(record.id))?.state).toBe('pending');
    const retry = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(retry.kind).toBe('approved');
    expect(enqueued).toEqual([record.id]);
  });

  it('refuses an unknown or malformed approval id', async () => {
    const result = await decide(deps(), { approvalId: 'ap-0000000000000000', userId: 'UOPS2', decision: 'approve' });
    const hostile = await decide(deps(), { approvalId: '../../etc', userId: 'UOPS2', decision: 'approve' });

    expect(result.kind).toBe('refused');
    expect(hostile.kind).toBe('refused');
  });

  it('writes requests, approvals and refusals to the audit trail, newest first', async () => {
    const record = await offer();
    await decide(deps(), { approvalId: record.id, userId: 'UOPS1', decision: 'approve' });
    await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    const entries = await audit.recent(10);

    expect(entries.map((e) => `${e.actor}:${e.action}`)).toEqual(['UOPS2:approve', 'UOPS1:refuse']);
    expect(entries[0]).toMatchObject({ host: 'h1', ref: record.id });
  });
});
