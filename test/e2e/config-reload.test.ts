import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MONITOR_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import {
  startWorkerProcess,
  TEST_APPROVAL_SECRET,
  type WorkerProcess,
  waitUntil,
  writeConfigFile,
} from '../support/workerProcess.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/dockmedic.js');

describe('dockmedic config reload', () => {
  let dir: string;
  let redis: Redis;
  let monitor: Queue;
  let worker: WorkerProcess;

  const schedulerIds = async () => (await monitor.getJobSchedulers()).map((s) => s.key).sort();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dm-reload-'));
    redis = new Redis(inject('redisUrl'));
    await redis.flushdb();
    monitor = new Queue(MONITOR_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await monitor?.close();
    redis?.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes a running worker reload the file: added hosts get schedules, removed ones lose them', async () => {
    const file = writeConfigFile(dir, {
      hosts: [
        { name: 'alpha', address: 'local' },
        { name: 'beta', address: 'local' },
      ],
    });
    worker = startWorkerProcess({
      configFile: file,
      env: {
        REDIS_URL: inject('redisUrl'),
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
        DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
      },
    });
    await waitUntil(async () => (await schedulerIds()).length === 2, 20_000, 'the first schedules');
    expect(await schedulerIds()).toEqual(['monitor-alpha', 'monitor-beta']);

    writeConfigFile(dir, {
      hosts: [
        { name: 'beta', address: 'local' },
        { name: 'gamma', address: 'local', monitor: { interval: '30s' } },
      ],
    });
    const result = spawnSync(process.execPath, [BIN, 'config', 'reload', file], {
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: inject('redisUrl') },
    });

    expect(result.stdout).toMatch(/is valid; 1 running dockmedic process\(es\) were asked to reload it/);
    await waitUntil(
      async () => (await schedulerIds()).join(',') === 'monitor-beta,monitor-gamma',
      20_000,
      'the schedules to follow the file',
    );
    const gamma = (await monitor.getJobSchedulers()).find((s) => s.key === 'monitor-gamma');
    expect(Number(gamma?.every)).toBe(30_000);
  });

  it('refuses a bad file and leaves the running processes alone', async () => {
    const file = writeConfigFile(dir, { hosts: [{ name: 'Bad Name', address: 'local' }] });

    const result = spawnSync(process.execPath, [BIN, 'config', 'reload', file], {
      encoding: 'utf8',
      env: { ...process.env, REDIS_URL: inject('redisUrl') },
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('hosts[0].name');
    expect(await schedulerIds()).toEqual(['monitor-beta', 'monitor-gamma']);
  });
});
