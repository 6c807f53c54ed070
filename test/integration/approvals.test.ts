import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LABEL_MAX } from '../../src/approvals/limits.ts';
import { offerFixes } from '../../src/approvals/offer.ts';
import { MONITOR_REQUESTER } from '../../src/approvals/policy.ts';
import { reconcileApprovals } from '../../src/approvals/reconcile.ts';
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
  let attempts: number[];
  let now: number;

  const deps = () => ({
    store,
    audit,
    access: () => access,
    enqueueFix: async (id: string, attempt: number) => {
      enqueued.push(id);
      attempts.push(attempt);
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
    attempts = [];
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

  const hex = (bytes: number) => randomBytes(bytes).toString('hex');

  it('offers what the fixes accept (ten 255-character volume names, fifty container ids) and cuts long labels', async () => {
    const volumes = Array.from({ length: 10 }, (_, i) => `v${i}${'x'.repeat(253)}`);
    const ids = Array.from({ length: 50 }, () => hex(32));
    const longName = `web-${'n'.repeat(246)}`;

    const offer = await offerFixes(
      store,
      [
        {
          fix: 'remove-unused-volumes',
          label: 'Remove 10 unused volume(s), one by one',
          params: { names: volumes.join(',') },
        },
        {
          fix: 'orphan-container-dirs',
          label: 'Move 50 orphan container dir(s) aside (stops docker)',
          params: { dockerRoot: '/var/lib/docker', ids: ids.join(','), stamp: '20260102T030405Z' },
        },
        { fix: 'truncate-log', label: `Truncate log of ${longName} (8 MiB)`, params: { containerId: hex(32) } },
      ],
      { host: 'h1', requesterId: 'UOPS1', channelId: 'C1', requestId: 'rq-abcdef', ttlMs: 60_000 },
    );

    expect(offer.notOffered).toEqual([]);
    expect(offer.offered).toHaveLength(3);
    const label = offer.offered[2]!.label;
    expect(label.length).toBe(LABEL_MAX);
    expect(label).toMatch(/^Truncate log of web-n+…n+ \(8 MiB\)$/);
    const stored = await store.get(offer.offered[0]!.approvalId);
    expect(stored?.params.names).toBe(volumes.join(','));
  });

  it('names a proposal its fix refuses instead of failing the others', async () => {
    const offer = await offerFixes(
      store,
      [
        {
          fix: 'remove-unused-volumes',
          label: 'Remove 11 unused volume(s)',
          params: { names: 'a,b,c,d,e,f,g,h,i,j,k' },
        },
        { fix: 'no-such-fix', label: 'Do magic', params: {} },
        { fix: 'prune-safe', label: 'Prune dangling images', params: {} },
      ],
      { host: 'h1', requesterId: 'UOPS1', channelId: 'C1', requestId: 'rq-abcdef', ttlMs: 60_000 },
    );

    expect(offer.offered.map((o) => o.label)).toEqual(['Prune dangling images']);
    expect(offer.notOffered).toEqual([
      {
        fix: 'remove-unused-volumes',
        label: 'Remove 11 unused volume(s)',
        reason: expect.stringContaining('expected up to 10 comma-separated volume names'),
      },
      { fix: 'no-such-fix', label: 'Do magic', reason: expect.stringContaining('does not know the fix') },
    ]);
  });

  it('refuses a record whose params were changed in Redis', async () => {
    const record = await offer();
    await redis.hset(`dm:approval:${record.id}`, 'params', JSON.stringify({ containerId: 'b'.repeat(64) }));

    const result = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(result).toMatchObject({ kind: 'refused', reason: expect.stringContaining('signature') });
    expect(enqueued).toEqual([]);
    expect((await store.get(record.id))?.state).toBe('pending');
  });

  it('after a lost enqueue, a second approval is a new attempt with a new job', async () => {
    const record = await offer();
    const lost = {
      ...deps(),
      enqueueFix: async () => {
        throw new Error('enqueue timed out');
      },
    };

    await expect(decide(lost, { approvalId: record.id, userId: 'UOPS2', decision: 'approve' })).rejects.toThrow(
      'enqueue timed out',
    );
    const again = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(again.kind).toBe('approved');
    expect(attempts).toEqual([2]);
    const stored = await store.get(record.id);
    expect(stored).toMatchObject({ state: 'approved', attempt: 2 });
    expect(store.signer.verifyApproval(stored!)).toBe(true);
  });

  it('reports approved when the enqueue failed late but a worker already took the job', async () => {
    const record = await offer();
    const late = {
      ...deps(),
      enqueueFix: async (id: string, attempt: number) => {
        await store.transition(id, ['approved'], 'running', { runner: `fix-${id}-${attempt}` });
        throw new Error('enqueue timed out');
      },
    };

    const result = await decide(late, { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

    expect(result.kind).toBe('approved');
    expect((await store.get(record.id))?.state).toBe('running');
  });

  describe('the two-person rule on what the monitor offers', () => {
    const monitorOffer = (risk: 'safe' | 'risky' = 'risky') =>
      store.create({
        fix: risk === 'risky' ? 'start-docker' : 'prune-safe',
        label: risk === 'risky' ? 'Start docker' : 'Prune',
        risk,
        host: 'h1',
        params: {},
        requesterId: MONITOR_REQUESTER,
        channelId: 'C1',
        requestId: 'alert-0123456789abcdef',
        ttlMs: 60_000,
      });

    it('takes a first approval as the request and runs only on a second, different person', async () => {
      const record = await monitorOffer();

      const first = await decide(deps(), { approvalId: record.id, userId: 'UOPS1', decision: 'approve' });
      const self = await decide(deps(), { approvalId: record.id, userId: 'UOPS1', decision: 'approve' });
      const second = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

      expect(first.kind).toBe('sponsored');
      expect(self).toMatchObject({ kind: 'refused', reason: expect.stringContaining('two-person rule') });
      expect(second.kind).toBe('approved');
      expect(enqueued).toEqual([record.id]);
      expect((await audit.recent(5)).map((e) => `${e.actor}:${e.action}`)).toEqual([
        'UOPS2:approve',
        'UOPS1:refuse',
        'UOPS1:request',
      ]);
    });

    it('lets nobody without the role sponsor it, and one operator run a safe one alone', async () => {
      const risky = await monitorOffer();
      const safe = await monitorOffer('safe');

      const viewer = await decide(deps(), { approvalId: risky.id, userId: 'UVIEW', decision: 'approve' });
      const alone = await decide(deps(), { approvalId: safe.id, userId: 'UOPS1', decision: 'approve' });

      expect(viewer).toMatchObject({ kind: 'refused', reason: expect.stringContaining('operator') });
      expect((await store.get(risky.id))?.sponsorId).toBeUndefined();
      expect(alone.kind).toBe('approved');
    });

    it('does not honour a sponsor written into Redis by hand', async () => {
      const record = await monitorOffer();
      await redis.hset(`dm:approval:${record.id}`, 'sponsorId', 'UFAKE');

      const result = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });

      expect(result).toMatchObject({ kind: 'refused', reason: expect.stringContaining('does not verify') });
      expect(enqueued).toEqual([]);
    });
  });

  describe('the reconciler', () => {
    const reconcile = (live: Set<string> = new Set()) =>
      reconcileApprovals({
        store,
        audit,
        jobLive: async (record) => live.has(record.id),
        graceMs: 0,
        now: () => Math.max(now, Date.now()) + 1,
      });

    it('gives back an approval that was never queued, once, and audits it', async () => {
      const record = await offer();
      const crashed = {
        ...deps(),
        // The bot died here: the record is approved, nothing was queued, nothing gives it back.
        enqueueFix: () => new Promise<void>(() => {}),
      };
      void decide(crashed, { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });
      await expect.poll(async () => (await store.get(record.id))?.state).toBe('approved');

      const settled = await reconcile();
      const again = await reconcile();

      expect(settled).toEqual([
        { kind: 'not-run', record: expect.objectContaining({ id: record.id }), buttonBack: true },
      ]);
      expect(again).toEqual([]);
      expect((await store.get(record.id))?.state).toBe('pending');
      expect((await audit.recent(1))[0]).toMatchObject({ actor: 'dockmedic', action: 'not-run', ref: record.id });
      const retry = await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });
      expect(retry.kind).toBe('approved');
      expect(attempts).toEqual([2]);
    });

    it('expires an approval never queued past its offer, and leaves one with a live job alone', async () => {
      const stale = await offer();
      const queued = await offer();
      for (const record of [stale, queued]) {
        await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });
      }
      now += 61_000;

      const settled = await reconcile(new Set([queued.id]));

      expect(settled).toEqual([
        { kind: 'not-run', record: expect.objectContaining({ id: stale.id }), buttonBack: false },
      ]);
      expect((await store.get(stale.id))?.state).toBe('expired');
      expect((await store.get(queued.id))?.state).toBe('approved');
    });

    it('marks a running fix whose job is gone as outcome unknown, and never runs it again', async () => {
      const record = await offer();
      await decide(deps(), { approvalId: record.id, userId: 'UOPS2', decision: 'approve' });
      await store.transition(record.id, ['approved'], 'running', { runner: `fix-${record.id}-1` });

      const settled = await reconcile();
      const late = await decide(deps(), { approvalId: record.id, userId: 'UADMIN', decision: 'approve' });

      expect(settled.map((s) => s.kind)).toEqual(['unknown']);
      expect((await store.get(record.id))?.state).toBe('unknown');
      expect((await audit.recent(2)).map((e) => e.action)).toEqual(['refuse', 'fix-unknown']);
      expect(late.kind).toBe('refused');
      expect(enqueued).toHaveLength(1);
    });
  });
});
