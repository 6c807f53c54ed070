import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AlertStore } from '../../src/alerts/store.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, TEST_ACCESS, testConfig } from '../support/stack.ts';
import {
  startWorkerProcess,
  type WorkerProcess,
  waitUntil,
  workerEnv,
  writeConfigFile,
} from '../support/workerProcess.ts';

const TITLE = 'mc1 · disk-usage';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The worker that holds an incident's alert state is a real `dockmedic worker` process, SIGKILLed
 * mid-incident (the alert has fired, its root is posted): a new worker process continues the same
 * incident from Redis. The bot runs in this process without workers.
 */
describe('a monitor worker killed mid-incident', () => {
  let host: LabHost;
  let stack: Stack;
  let dir: string;
  let configFile: string;
  let redis: Redis;
  const workers: WorkerProcess[] = [];

  // The same hosts and monitor settings for the bot (in-process) and the worker processes.
  const settings = () => ({
    hosts: [labHostEntry(host)],
    access: TEST_ACCESS,
    timeouts: { connect: '3s', command: '20s' },
    monitor: {
      interval: '1s',
      channel: CHANNEL,
      checks: ['disk-usage'],
      rules: { 'disk-usage': { for: '3s', repeat: '6s' } },
    },
  });

  const worker = () => {
    const started = startWorkerProcess({
      configFile,
      env: workerEnv(inject('redisUrl'), stack.slack.apiUrl),
    });
    workers.push(started);
    return started;
  };

  const roots = () =>
    stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs && textOf(m).includes(TITLE));
  const replies = (root: StoredMessage) =>
    stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && m.threadTs === root.ts);
  const current = (root: StoredMessage) => stack.slack.messages(CHANNEL).find((m) => m.ts === root.ts) ?? root;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    redis = new Redis(inject('redisUrl'));
    host = await startLabHost({ name: 'mc1', docker: false, diskMiB: 64 });
    dir = mkdtempSync(path.join(tmpdir(), 'dm-monitor-crash-'));
    configFile = writeConfigFile(dir, settings());
    const { hosts, ...rest } = settings();
    stack = await startStack({ config: testConfig(hosts, rest), mode: 'http', worker: false });
  });

  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.kill()));
    await stack?.stop();
    redis?.disconnect();
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a new worker process continues the incident: one alert, and the resolve still arrives', async () => {
    // Arrange: the first worker fires the alert and records its thread in Redis.
    const store = new AlertStore(redis);
    const first = worker();
    await first.ready();
    await host.fillDisk(95);
    const root = await waitForMessage(stack.slack, CHANNEL, (m) => !m.threadTs && textOf(m).includes(TITLE), 30_000);
    expect(root.text).toMatch(/FIRING crit/);
    await waitUntil(
      async () => {
        const state = await store.get('mc1', 'disk-usage');
        return state?.threadTs === root.ts && state.outbox.length === 0;
      },
      10_000,
      'the alert state to record the posted root',
    );

    // Act: kill it with no chance to clean up, start another, let it take over, then free the disk.
    await first.kill('SIGKILL');
    const second = worker();
    await second.ready();
    await host.freeDisk();

    // Assert
    await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === root.ts && /resolved/.test(m.text), 30_000);
    await stack.slack.waitFor(() => /RESOLVED/.test(current(root).text), 10_000);
    await sleep(3000); // room for a duplicate to show up, if there were one
    expect(roots()).toHaveLength(1);
    expect(replies(root).filter((m) => /resolved/.test(m.text))).toHaveLength(1);
    const state = await store.get('mc1', 'disk-usage');
    expect(state?.status).toBe('ok');
    expect(state?.incident).toBe(1);
  });
});
