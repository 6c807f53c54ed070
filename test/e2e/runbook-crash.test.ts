import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { addDataDisk } from '../lab/faults/data-root.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, type FoundButton, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, TEST_ACCESS, testConfig, USERS } from '../support/stack.ts';
import {
  startWorkerProcess,
  type WorkerProcess,
  waitUntil,
  workerEnv,
  writeConfigFile,
} from '../support/workerProcess.ts';

/**
 * A worker process SIGKILLed in the middle of the data-root copy. The copy runs detached on the
 * host; it is paused (SIGSTOP) once it shows in the host's process table, so the job is provably
 * mid-copy when its worker dies. The next worker must say "outcome unknown", not run the copy
 * again, and offer the rollback, which gets dockerd (and the container) running again.
 */
describe('a worker killed mid-copy of the data-root runbook', () => {
  let host: LabHost;
  let stack: Stack;
  let dir: string;
  let configFile: string;
  let report: StoredMessage;
  const workers: WorkerProcess[] = [];

  const worker = () => {
    const started = startWorkerProcess({ configFile, env: workerEnv(inject('redisUrl'), stack.slack.apiUrl) });
    workers.push(started);
    return started;
  };
  const click = (button: FoundButton, userId: string, messageTs: string) =>
    stack.slack.clickButton({ actionId: button.actionId, value: button.value, userId, channelId: CHANNEL, messageTs });
  const inThread = (pattern: RegExp, timeoutMs = 60_000) =>
    waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === report.ts && pattern.test(textOf(m)), timeoutMs);
  const approveStep = async (step: number) => {
    const request = await inThread(new RegExp(`step ${step} of 7`));
    await click(buttonsOf(request).find((b) => b.actionId.startsWith('dm_approve'))!, USERS.admin, request.ts);
  };
  const copying = async () => (await host.sh('pgrep -x cp || pgrep -x rsync')).code === 0;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'mvc1', diskMiB: 256 });
    await addDataDisk(host, { sizeMiB: 2048, mount: '/data' });
    await host.docker(['run', '-d', '--name', 'web', '--network', 'none', 'busybox:local', 'sleep', '3600']);
    await host.fillDisk(92);
    dir = mkdtempSync(path.join(tmpdir(), 'dm-rbcrash-'));
    const hosts = [labHostEntry(host)];
    stack = await startStack({ config: testConfig(hosts), mode: 'http', worker: false });
    configFile = writeConfigFile(dir, { hosts, access: TEST_ACCESS, timeouts: { connect: '20s', command: '20s' } });
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.kill()));
    await host?.sh('pkill -CONT -x cp; pkill -CONT -x rsync').catch(() => {});
    await stack?.stop();
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says the outcome is unknown, does not copy again, and its rollback gets dockerd running', async () => {
    const doomed = worker();
    await stack.slack.slashCommand({ text: 'diskcheck mvc1', userId: USERS.requester, channelId: CHANNEL });
    report = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && /mvc1 · diskcheck/.test(textOf(m)),
      60_000,
    );
    await click(buttonsOf(report).find((b) => /Move data-root/.test(b.text))!, USERS.admin, report.ts);
    await approveStep(2);
    await inThread(/Step 2 of 7 done/);
    await approveStep(3);
    await waitUntil(copying, 60_000, 'the copy to start on the host');
    await host.sh('pkill -STOP -x cp; pkill -STOP -x rsync');

    await doomed.kill('SIGKILL');
    worker();

    const unknown = await inThread(/Outcome unknown/);
    expect(unknown.text).toMatch(/will not be re-run/);
    expect(await host.pingDocker()).toBe(false);
    const rollback = await inThread(/Roll back: restore the previous daemon.json and start dockerd/);
    await host.sh('pkill -CONT -x cp; pkill -CONT -x rsync');
    expect(
      stack.slack.messages(CHANNEL).filter((m) => m.threadTs === report.ts && /Step 3 of 7 (done|failed)/.test(m.text)),
    ).toHaveLength(0);

    await stack.slack.slashCommand({ text: 'check mvc1 daemon-health', userId: USERS.requester, channelId: CHANNEL });
    const health = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && m.ts !== report.ts && /mvc1/.test(textOf(m)),
      60_000,
    );
    expect(textOf(health)).toMatch(/the dockmedic runbook run move-data-root-\d{8}T\d{6}Z stopped it on purpose/);
    expect(buttonsOf(health).map((b) => b.text)).toContainEqual(expect.stringMatching(/^Roll back the runbook/));
    expect(buttonsOf(health).map((b) => b.text)).not.toContainEqual(expect.stringMatching(/^Start docker/));

    await click(buttonsOf(rollback).find((b) => b.actionId.startsWith('dm_approve'))!, USERS.operator, rollback.ts);
    const restored = await inThread(/dockerd runs with the daemon.json from before the runbook/, 90_000);

    expect(textOf(restored)).toMatch(/DockerRootDir \/var\/lib\/docker/);
    expect(await host.pingDocker()).toBe(true);
    expect((await host.docker(['inspect', '-f', '{{.State.Running}}', 'web'])).stdout.trim()).toBe('true');
  }, 300_000);
});
