// Admission of commands that reach hosts, against the run's real Redis: the per-user token bucket,
// one identical request in flight, and the audit trail's two streams under a flood.

import type { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { auditCommand } from '../../commands/audit.ts';
import { COMMANDS, dispatch, newRequestId } from '../../commands/index.ts';
import type { CommandServices } from '../../commands/services.ts';
import { AuditLog } from '../../src/audit/log.ts';
import { parseConfig } from '../../src/config/load.ts';
import { InFlight, inflightKey, type JobIdentity } from '../../src/queue/inflight.ts';
import type { CommandJob, FleetJob } from '../../src/queue/payloads.ts';
import { RateLimiter } from '../../src/queue/rateLimit.ts';
import { freshRedis } from '../support/redis.ts';
import { waitUntil } from '../support/workerProcess.ts';

const DB = 11;
const CHANNEL = 'CTEST0001';
let redis: Redis;

beforeEach(async () => {
  redis?.disconnect();
  redis = await freshRedis(DB);
});

afterAll(() => {
  redis?.disconnect();
});

/**
 * The bot's services on real Redis. `finishAtOnce` plays a worker that ends each job as soon as it
 * is queued, clearing its in-flight claim the way workers/index.ts does; otherwise jobs stay in flight.
 */
function stack(access: Record<string, unknown>, options: { finishAtOnce: boolean }) {
  const config = parseConfig(
    {
      hosts: [
        { name: 'h1', address: 'local' },
        { name: 'h2', address: 'local' },
      ],
      access,
    },
    'test',
    process.cwd(),
  );
  const inflight = new InFlight(redis);
  const audit = new AuditLog(redis, { echo: () => undefined });
  const commands: CommandJob[] = [];
  const fleets: FleetJob[] = [];
  const services: CommandServices = {
    config: { current: () => config },
    queues: {
      async enqueueCommand(job) {
        commands.push(job);
        const identity = { userId: job.userId, command: job.command, target: job.host, args: job.args };
        if (options.finishAtOnce) await inflight.release(identity, job.requestId);
        return job.requestId;
      },
      async enqueueFleet(job) {
        fleets.push(job);
        if (!options.finishAtOnce) return job.requestId;
        const identity = { userId: job.userId, command: job.command, target: job.target, args: job.args };
        const fleetId = `fl-${job.requestId.slice(3)}`;
        await inflight.fleetFannedOut(fleetId, identity, job.requestId, job.hosts.length, 60_000);
        for (const _host of job.hosts) await inflight.fleetHostEnded(fleetId, 60_000);
        return job.requestId;
      },
    },
    audit,
    admission: { inflight, rate: new RateLimiter(redis) },
    commands: COMMANDS,
    newRequestId,
  };
  const ask = async (text: string, userId = 'UOPS1') =>
    (await dispatch({ text, userId, channelId: CHANNEL }, services)).text;
  return { services, commands, fleets, audit, ask };
}

describe('the per-user token bucket', () => {
  it('runs a flood of 50 `/docker doctor all` only as far as the bucket goes, and says so', async () => {
    // Arrange: the default bucket (10 tokens, one back every 30 s); `all` is 2 hosts, which costs 2.
    const { fleets, audit, ask } = stack({ viewers: ['*'] }, { finishAtOnce: true });
    // Act
    const replies: string[] = [];
    for (let i = 0; i < 50; i += 1) replies.push(await ask('doctor all'));
    // Assert
    const queued = replies.filter((reply) => reply.includes('Queued doctor on all (2 hosts)'));
    const slowed = replies.filter((reply) => reply.includes('Slow down'));
    expect(fleets).toHaveLength(5);
    expect(queued).toHaveLength(5);
    expect(slowed).toHaveLength(45);
    expect(slowed[0]).toMatch(
      /Slow down: you ran 5 commands in the last [\d.]+ (ms|s); try again in (59|60) s\. \(`\/docker doctor all` costs 2 of your 10 tokens; one comes back every 30 s\.\)/,
    );
    expect(await audit.recentOf('requests', 100)).toHaveLength(5);
    const refusals = (await audit.recentOf('security', 100)).filter((entry) => entry.action === 'refuse');
    expect(refusals).toHaveLength(45);
    expect(refusals[0]?.detail).toContain('/docker doctor all in CTEST0001');
  });

  it('keeps buckets apart per user', async () => {
    // Arrange
    const { commands, ask } = stack(
      { viewers: ['*'], rateLimit: { capacity: 2, refillEvery: '1h' } },
      { finishAtOnce: true },
    );
    // Act
    const first = [await ask('ps h1', 'UONE1'), await ask('ps h1', 'UONE1'), await ask('ps h1', 'UONE1')];
    const other = await ask('ps h1', 'UTWO2');
    // Assert
    expect(first.map((reply) => reply.includes('Queued'))).toEqual([true, true, false]);
    expect(first[2]).toMatch(/you ran 2 commands in the last .*; try again in \d+ s/);
    expect(other).toContain('Queued ps on h1');
    expect(commands.map((job) => job.userId)).toEqual(['UONE1', 'UONE1', 'UTWO2']);
  });

  it('gives exactly `capacity` tokens to 50 takers at once (one atomic step in Redis)', async () => {
    // Arrange
    const rate = new RateLimiter(redis);
    const limit = { capacity: 10, refillEvery: 60_000 };
    // Act
    const results = await Promise.all(Array.from({ length: 50 }, () => rate.take('UFLOOD1', 1, limit)));
    // Assert
    expect(results.filter((result) => result.ok)).toHaveLength(10);
  });

  it('gives a token back after refillEvery', async () => {
    // Arrange
    const rate = new RateLimiter(redis);
    const limit = { capacity: 1, refillEvery: 300 };
    expect((await rate.take('UREFILL1', 1, limit)).ok).toBe(true);
    const refused = await rate.take('UREFILL1', 1, limit);
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok ? 0 : refused.retryAfterMs).toBeLessThanOrEqual(300);
    // Act / Assert
    await waitUntil(async () => (await rate.take('UREFILL1', 1, limit)).ok, 5000, 'a token to come back');
  });
});

describe('one identical request in flight', () => {
  it('queues 10 identical requests sent at once only once, and names the running one', async () => {
    // Arrange
    const { commands, ask } = stack({ viewers: ['*'] }, { finishAtOnce: false });
    // Act
    const replies = await Promise.all(Array.from({ length: 10 }, () => ask('ps h1')));
    // Assert
    expect(commands).toHaveLength(1);
    const running = replies.filter((reply) => reply.includes('is still running'));
    expect(running).toHaveLength(9);
    expect(running[0]).toContain(`Your \`/docker ps h1\` is still running (${commands[0]?.requestId})`);
  });

  it('charges nothing for a duplicate: a full bucket stays for other work', async () => {
    // Arrange: one token only.
    const { commands, ask } = stack(
      { viewers: ['*'], rateLimit: { capacity: 2, refillEvery: '1h' } },
      { finishAtOnce: false },
    );
    // Act
    const same = [await ask('ps h1'), await ask('ps h1'), await ask('ps h1')];
    const other = await ask('ps h2');
    // Assert
    expect(same.filter((reply) => reply.includes('Queued'))).toHaveLength(1);
    expect(same.filter((reply) => reply.includes('still running'))).toHaveLength(2);
    expect(other).toContain('Queued ps on h2');
    expect(commands.map((job) => job.host)).toEqual(['h1', 'h2']);
  });

  it('tells apart other arguments, other targets and other people', async () => {
    // Arrange
    const { commands, ask } = stack({ operators: ['UOPS1', 'UOPS2'] }, { finishAtOnce: false });
    // Act
    await ask('logs h1 web');
    await ask('logs h1 db');
    await ask('logs h1 web --tail 5');
    await ask('logs h2 web');
    await ask('logs h1 web', 'UOPS2');
    const again = await ask('logs h1 web');
    // Assert
    expect(commands).toHaveLength(5);
    expect(again).toContain('still running');
  });

  it('takes the same request again once the worker cleared it', async () => {
    // Arrange
    const { commands, ask } = stack({ viewers: ['*'] }, { finishAtOnce: false });
    await ask('ps h1');
    const job = commands[0] as CommandJob;
    // Act: what workers/index.ts does when the job ends.
    await new InFlight(redis).release(
      { userId: job.userId, command: job.command, target: job.host, args: job.args },
      job.requestId,
    );
    const again = await ask('ps h1');
    // Assert
    expect(again).toContain('Queued ps on h1');
    expect(commands).toHaveLength(2);
  });

  it('never lets an old job clear a newer claim', async () => {
    // Arrange
    const inflight = new InFlight(redis);
    const identity: JobIdentity = { userId: 'UOPS1', command: 'ps', target: 'h1', args: {} };
    await inflight.claim(identity, 'rq-newer0001', 60_000);
    // Act
    await inflight.release(identity, 'rq-older0001');
    // Assert
    expect(await redis.get(inflightKey(identity))).toBe('rq-newer0001');
  });

  it('lets a claim whose job crashed expire by itself', async () => {
    // Arrange: a claim nobody will ever clear, as after a worker died for good.
    const inflight = new InFlight(redis);
    const identity: JobIdentity = { userId: 'UOPS1', command: 'doctor', target: 'all', args: {} };
    expect(await inflight.claim(identity, 'rq-crashed01', 300)).toEqual({ ok: true });
    const blocked = await inflight.claim(identity, 'rq-second001', 300);
    expect(blocked).toMatchObject({ ok: false, runningRequestId: 'rq-crashed01' });
    // Act / Assert
    await waitUntil(async () => (await inflight.claim(identity, 'rq-second001', 300)).ok, 5000, 'the claim to expire');
  });

  it('ends a fleet claim when its last host ends, even when hosts end before the fan-out is counted', async () => {
    // Arrange
    const inflight = new InFlight(redis);
    const identity: JobIdentity = { userId: 'UOPS1', command: 'doctor', target: 'all', args: {} };
    await inflight.claim(identity, 'rq-fleet0001', 60_000);
    const held = async () => (await redis.get(inflightKey(identity))) === 'rq-fleet0001';
    // Act / Assert
    await inflight.fleetHostEnded('fl-abcdef01', 60_000);
    expect(await held()).toBe(true);
    await inflight.fleetFannedOut('fl-abcdef01', identity, 'rq-fleet0001', 3, 60_000);
    expect(await held()).toBe(true);
    await inflight.fleetHostEnded('fl-abcdef01', 60_000);
    expect(await held()).toBe(true);
    await inflight.fleetHostEnded('fl-abcdef01', 60_000);
    expect(await held()).toBe(false);
    expect(await redis.exists('dm:inflight-fleet:fl-abcdef01')).toBe(0);
  });
});

describe('the audit trail under a flood', () => {
  it('keeps every security event while requests overflow their capped stream', async () => {
    // Arrange
    const echoed: string[] = [];
    const audit = new AuditLog(redis, { requestCap: 100, echo: (entry) => echoed.push(entry.action) });
    await audit.append({ actor: 'UOPS2', action: 'approve', host: 'h1', detail: 'truncate-log', ref: 'ap-00000001' });
    await audit.append({ actor: 'UOPS1', action: 'fix-result', host: 'h1', detail: 'truncate-log: freed 80 MiB' });
    // Act
    for (let i = 0; i < 2000; i += 1) {
      await audit.append({ actor: 'UFLOOD1', action: 'request', host: 'h1', detail: `ps h1 #${i}` });
    }
    // Assert
    expect(await redis.xlen('dm:audit')).toBeLessThan(400);
    expect((await audit.recentOf('security', 10)).map((entry) => entry.action)).toEqual(['fix-result', 'approve']);
    expect(echoed).toEqual(['approve', 'fix-result']);
    const shown = JSON.stringify(
      await auditCommand.run([], { userId: 'UOPS1', channelId: CHANNEL, text: 'audit' }, {
        audit,
      } as unknown as CommandServices),
    );
    expect(shown).toContain('UOPS2  approve  h1  truncate-log');
    expect(shown).toContain('ps h1 #1999');
  });

  it('echoes a security event even when Redis refuses to store it', async () => {
    // Arrange
    const echoed: string[] = [];
    const broken = redis.duplicate();
    broken.disconnect();
    const audit = new AuditLog(broken, { echo: (entry) => echoed.push(`${entry.actor}:${entry.action}`) });
    // Act
    const stored = await audit.append({ actor: 'UOPS1', action: 'deny', host: 'h1' }).then(
      () => true,
      () => false,
    );
    // Assert
    expect(stored).toBe(false);
    expect(echoed).toEqual(['UOPS1:deny']);
  });
});
