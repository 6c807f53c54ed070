import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMAND_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { CHANNEL, type Stack, startStack, testConfig } from '../support/stack.ts';
import {
  startWorkerProcess,
  type WorkerProcess,
  waitUntil,
  workerEnv,
  writeConfigFile,
} from '../support/workerProcess.ts';

const WORKERS = 3;
const REQUESTS = 12;

describe('several worker processes sharing one Redis', () => {
  let host: LabHost;
  let stack: Stack;
  let dir: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'mw1', diskMiB: 128 });
    dir = mkdtempSync(path.join(tmpdir(), 'dm-many-'));
    const entry = labHostEntry(host);
    stack = await startStack({ config: testConfig([entry]), mode: 'http', worker: false });
    const configFile = writeConfigFile(dir, { hosts: [entry], access: { viewers: ['*'] } });
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        startWorkerProcess({
          configFile,
          env: workerEnv(inject('redisUrl'), stack.slack.apiUrl),
        }),
      );
    }
    // Starting three processes takes the machine's CPU for a while; Slack gives an ack 3 s, so the
    // requests go once every worker is listening, not while they boot.
    const queue = new Queue(COMMAND_QUEUE, { connection: { url: inject('redisUrl') }, prefix: QUEUE_PREFIX });
    try {
      await waitUntil(async () => (await queue.getWorkers()).length >= WORKERS, 60_000, 'the worker processes');
    } finally {
      await queue.close();
    }
  });

  afterAll(async () => {
    await Promise.allSettled(workers.map((worker) => worker.kill('SIGTERM')));
    await stack?.stop();
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every job exactly once: one report per request, none twice', async () => {
    // One user per request: the same person's identical requests are answered, not queued twice
    // (src/queue/inflight.ts), and this test wants every request to become a job.
    const acks = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        stack.slack.slashCommand({ text: 'diskcheck mw1', userId: `UMW${i}`, channelId: CHANNEL }),
      ),
    );
    const requestIds = acks.map((ack) => /\((rq-[a-z0-9]+)\)/.exec(JSON.stringify(ack.body))?.[1]);
    expect(new Set(requestIds).size).toBe(REQUESTS);

    const reports = () => stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs);
    await stack.slack.waitFor(() => reports().length >= REQUESTS, 60_000);
    // Give a would-be duplicate time to show up.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    expect(reports()).toHaveLength(REQUESTS);
    // Each ack was replaced by its "finished" line exactly once.
    const finished = stack.slack.messages(CHANNEL).filter((m) => /diskcheck on mw1 finished/.test(m.text));
    expect(finished).toHaveLength(REQUESTS);
  });
});
