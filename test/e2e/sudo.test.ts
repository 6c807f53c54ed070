// `sudo: true` hosts for real: dockmedic logs in as a non-root user (ops) whose privileged commands
// run as `sudo -n sh -c '…'`. One lab host, two users: ops with `NOPASSWD: ALL`, deploy with a rule
// that wants a password. Both are in the docker group (the Engine API works without sudo); only
// root can read /var/lib/docker/containers, so the container-log evidence and the truncate fix
// need sudo.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/config/schema.ts';
import { logFiles } from '../../src/evidence/containerLogs.ts';
import { createContext } from '../../src/evidence/context.ts';
import { openConnection } from '../../src/hosts/pool.ts';
import { sh } from '../../src/hosts/shell.ts';
import { addSudoUser } from '../lab/faults/sudoUser.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const DOCKER_ROOT = '/var/lib/docker';
const SETTINGS = { timeouts: { connect: 3000, command: 10_000, keepalive: 5000 }, hostConcurrency: 4 };

describe('/docker diskcheck on a sudo: true host, end to end', () => {
  let host: LabHost;
  let stack: Stack;
  let hosts: HostConfig[];
  let logContainer: { containerId: string; logPath: string };

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 's1', diskMiB: 256 });
    logContainer = await host.makeHugeLog({ name: 'chatty', sizeMiB: 8 });
    await host.fillDisk(96);
    await addSudoUser(host, { name: 'ops', nopasswd: true });
    await addSudoUser(host, { name: 'deploy', nopasswd: false });
    const config = testConfig([
      labHostEntry(host, { user: 'ops', sudo: true }),
      labHostEntry(host, { name: 's1-pw', user: 'deploy', sudo: true }),
    ]);
    hosts = config.hosts;
    stack = await startStack({ config, mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  const reportFor = (name: string, timeoutMs = 30_000) =>
    waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && m.text.includes(` ${name} diskcheck`),
      timeoutMs,
    );

  it('needs sudo for the log sizes: as ops without it the same find sees nothing', async () => {
    const ops = hosts.find((entry) => entry.name === 's1') as HostConfig;
    const [plain, withSudo] = await Promise.all([
      openConnection({ ...ops, sudo: false }, SETTINGS),
      openConnection(ops, SETTINGS),
    ]);
    try {
      const denied = await plain.exec(sh`find ${DOCKER_ROOT}/containers -name '*-json.log'`, { privileged: true });
      const whoami = await withSudo.exec(sh`id -un`, { privileged: true });
      const [plainLogs, sudoLogs] = await Promise.all([
        logFiles(createContext(plain), DOCKER_ROOT),
        logFiles(createContext(withSudo), DOCKER_ROOT),
      ]);
      // The Engine API over the SSH socket channel works as ops: the docker group, no sudo.
      const containers = await withSudo.docker().listContainers();

      expect((await plain.exec(sh`id -un`)).stdout.trim()).toBe('ops');
      expect(denied.stdout).toBe('');
      expect(denied.stderr).toMatch(/Permission denied/);
      expect(whoami.stdout.trim()).toBe('root');
      expect(plainLogs).toEqual([]);
      expect(sudoLogs.map((log) => log.path)).toEqual([logContainer.logPath]);
      expect(containers.map((container) => container.Names[0])).toContain('/chatty');
    } finally {
      await Promise.all([plain.close(), withSudo.close()]);
    }
  });

  it('finds the huge log through sudo -n and empties it once another operator approves', async () => {
    await stack.slack.slashCommand({ text: 'diskcheck s1', userId: USERS.requester, channelId: CHANNEL });
    const report = await reportFor('s1');
    const text = textOf(report);

    expect(text).toMatch(/\/var\/lib\/docker[^"]{0,80}\b(9[5-9]|100) ?%/);
    expect(text).toContain('chatty');
    expect(text).not.toMatch(/password|sudo/i);
    const truncate = buttonsOf(report).find((b) => /truncate/i.test(b.text) && b.text.includes('chatty'));
    expect(truncate).toBeDefined();
    expect(await host.fileSize(logContainer.logPath)).toBe(8 * 1024 * 1024);

    await stack.slack.clickButton({
      actionId: truncate!.actionId,
      value: truncate!.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: report.ts,
    });
    const result = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /freed|could not|not run/i.test(m.text),
      20_000,
    );

    expect(result.text).toMatch(/freed \d/);
    // Checked as root inside the host, not through dockmedic.
    const size = await host.sh(`stat -c %s ${logContainer.logPath}`);
    expect(size.stdout.trim()).toBe('0');
  });

  it('says at once that sudo wants a password when the user has no NOPASSWD rule', async () => {
    const started = Date.now();
    await stack.slack.slashCommand({ text: 'diskcheck s1-pw', userId: USERS.requester, channelId: CHANNEL });
    const report = await reportFor('s1-pw', 15_000);
    const elapsedMs = Date.now() - started;
    const text = textOf(report);

    // sudo -n fails at once: far below the 20 s command timeout a password prompt would run into.
    expect(elapsedMs).toBeLessThan(10_000);
    expect(text).toContain('sudo on s1-pw wants a password for deploy');
    expect(text).toContain('NOPASSWD');
    expect(text).not.toMatch(/did not finish|took more than/);
    // The disk is still reported (df needs no root; 8 MiB less after the truncation above); the log
    // it could not see is not offered.
    expect(text).toMatch(/\/var\/lib\/docker is 9\d% full/);
    expect(buttonsOf(report).some((b) => /truncate/i.test(b.text))).toBe(false);
  });
});
