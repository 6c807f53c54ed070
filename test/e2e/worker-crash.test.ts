import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMAND_QUEUE, FIX_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, TEST_ACCESS, testConfig, USERS } from '../support/stack.ts';
import {
  startWorkerProcess,
  type WorkerProcess,
  waitUntil,
  workerEnv,
  writeConfigFile,
} from '../support/workerProcess.ts';

/**
 * Workers run as real processes and are SIGKILLed mid-job. The host's sshd master is paused
 * (SIGSTOP) so a fresh worker's connection hangs: the job is provably in flight when it dies.
 */
describe('a worker killed mid-job', () => {
  let host: LabHost;
  let stack: Stack;
  let dir: string;
  let configFile: string;
  let redis: Redis;
  let commands: Queue;
  let fixes: Queue;
  const workers: WorkerProcess[] = [];

  const rawConfig = () => ({
    hosts: [labHostEntry(host)],
    access: TEST_ACCESS,
    timeouts: { connect: '20s', command: '20s' },
  });

  const worker = () => {
    const started = startWorkerProcess({
      configFile,
      env: workerEnv(inject('redisUrl'), stack.slack.apiUrl),
    });
    workers.push(started);
    return started;
  };

  const pauseSshd = () => host.sh('kill -STOP "$(pgrep -o -x sshd)"');
  const resumeSshd = () => host.sh('kill -CONT "$(pgrep -o -x sshd)"');

  beforeAll(async () => {
    await cleanupStaleLab();
    redis = new Redis(inject('redisUrl'));
    await redis.flushdb();
    host = await startLabHost({ name: 'crash1', diskMiB: 256 });
    await host.makeHugeLog({ name: 'chatty', sizeMiB: 8 });
    await host.fillDisk(96);
    dir = mkdtempSync(path.join(tmpdir(), 'dm-crash-'));
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'http', worker: false });
    configFile = writeConfigFile(dir, rawConfig());
    commands = new Queue(COMMAND_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
    fixes = new Queue(FIX_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
  });

  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.kill()));
    await resumeSshd().catch(() => {});
    await stack?.stop();
    await commands?.close();
    await fixes?.close();
    redis?.disconnect();
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mid-check: another worker retries the check and the report is posted once', async () => {
    await pauseSshd();
    const first = worker();
    const ack = await stack.slack.slashCommand({
      text: 'diskcheck crash1',
      userId: USERS.requester,
      channelId: CHANNEL,
    });
    const requestId = /\((rq-[a-z0-9]+)\)/.exec(JSON.stringify(ack.body))?.[1];
    expect(requestId).toBeDefined();
    await waitUntil(async () => (await commands.getJob(requestId!))?.isActive() ?? false, 15_000, 'the check to start');

    await first.kill('SIGKILL');
    await resumeSshd();
    worker();

    const report = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && m.text.includes('crash1'),
      40_000,
    );
    expect(textOf(report)).toMatch(/\/var\/lib\/docker/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const reports = stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs);
    expect(reports).toHaveLength(1);
    expect(await (await commands.getJob(requestId!))?.getState()).toBe('completed');
  });

  it('mid-fix: the thread says the outcome is unknown and the fix is not run again', async () => {
    const report = stack.slack.messages(CHANNEL).find((m) => m.kind === 'message' && !m.threadTs)!;
    const truncate = buttonsOf(report).find((b) => /truncate/i.test(b.text))!;
    expect(truncate).toBeDefined();
    const logPath = (await host.sh('ls /var/lib/docker/containers/*/*-json.log')).stdout.trim();
    const sizeBefore = await host.fileSize(logPath);
    for (const w of workers) await w.kill();

    await pauseSshd();
    const doomed = worker();
    await stack.slack.clickButton({
      actionId: truncate.actionId,
      value: truncate.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: report.ts,
    });
    await waitUntil(
      async () => (await fixes.getJob(`fix-${truncate.value}`))?.isActive() ?? false,
      15_000,
      'the fix to start',
    );
    // Mid-fix means past the single-use gate (approved → running): a worker killed before it never
    // started the fix, and the next one rightly runs it. On a busy machine that takes a moment.
    await waitUntil(
      async () => (await redis.hget(`dm:approval:${truncate.value}`, 'state')) === 'running',
      15_000,
      'the fix to pass its gate',
    );
    await doomed.kill('SIGKILL');
    await resumeSshd();
    worker();

    const unknown = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /outcome (is )?unknown|unknown outcome/i.test(textOf(m)),
      40_000,
    );
    expect(unknown).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await host.fileSize(logPath)).toBe(sizeBefore);
    const results = stack.slack.messages(CHANNEL).filter((m) => m.threadTs === report.ts && /freed/i.test(m.text));
    expect(results).toHaveLength(0);
  });
});
