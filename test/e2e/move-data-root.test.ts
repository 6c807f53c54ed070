import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { addDataDisk } from '../lab/faults/data-root.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, type FoundButton, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const STEPS = 7;

/**
 * The data-root move through Slack on a lab host whose /var/lib/docker is 95 % full, with a running
 * container on a named volume and a second filesystem with room at /data. The requester is an admin
 * too, so the two-person rule (not only the role) is what stops them; the monitor watches the disk.
 */
describe('moving the Docker root through Slack, each step approved by an admin', () => {
  let host: LabHost;
  let stack: Stack;
  let report: StoredMessage;
  let imagesBefore: string[];

  const images = async () => (await host.docker(['images', '-aq', '--no-trunc'])).stdout.trim().split('\n').sort();
  const click = (button: FoundButton, userId: string, messageTs: string) =>
    stack.slack.clickButton({ actionId: button.actionId, value: button.value, userId, channelId: CHANNEL, messageTs });
  const thread = () => stack.slack.messages(CHANNEL).filter((m) => m.threadTs === report.ts);
  const privateTo = (userId: string, after: number) =>
    stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .slice(after)
          .find((m) => m.visibleTo === userId),
      10_000,
    );
  const alertRoot = () =>
    stack.slack
      .messages(CHANNEL)
      .find((m) => m.kind === 'message' && !m.threadTs && textOf(m).includes('mvr1 · disk-usage'));

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'mvr1', diskMiB: 256 });
    await addDataDisk(host, { sizeMiB: 2048, mount: '/data' });
    await host.docker([
      'run',
      '-d',
      '--name',
      'web',
      '--network',
      'none',
      '-v',
      'webdata:/srv',
      'busybox:local',
      'sh',
      '-c',
      "echo kept-across-the-move > /srv/proof; trap 'exit 0' TERM; sleep 3600 & wait",
    ]);
    await host.fillDisk(95);
    imagesBefore = await images();
    const config = testConfig([labHostEntry(host)], {
      access: { admins: [USERS.admin, USERS.requester], operators: [USERS.operator], viewers: ['*'] },
      monitor: {
        interval: '2s',
        channel: CHANNEL,
        checks: ['disk-usage'],
        rules: { 'disk-usage': { for: '0s', repeat: '1h' } },
      },
    });
    stack = await startStack({ config, mode: 'http' });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('the monitor fires a disk alert for the full root', async () => {
    const root = await stack.slack.waitFor(alertRoot, 30_000);

    expect(root.text).toMatch(/FIRING crit/);
  });

  it('offers the move; the requester and an operator cannot approve it; an admin approving twice runs it once', async () => {
    await stack.slack.slashCommand({ text: 'diskcheck mvr1', userId: USERS.requester, channelId: CHANNEL });
    report = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && /mvr1 · diskcheck/.test(textOf(m)),
      60_000,
    );
    const move = buttonsOf(report).find((b) => /Move data-root to \/data\/docker/.test(b.text));
    expect(move?.text).toMatch(/dangerous/);

    let seen = stack.slack.messages(CHANNEL).length;
    await click(move!, USERS.requester, report.ts);
    expect(textOf(await privateTo(USERS.requester, seen))).toMatch(/two-person rule/);
    seen = stack.slack.messages(CHANNEL).length;
    await click(move!, USERS.operator, report.ts);
    expect(textOf(await privateTo(USERS.operator, seen))).toMatch(/needs an admin/);
    seen = stack.slack.messages(CHANNEL).length;
    await Promise.all([click(move!, USERS.admin, report.ts), click(move!, USERS.admin, report.ts)]);

    expect(textOf(await privateTo(USERS.admin, seen))).toMatch(/already/);
    const done = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /Step 1 of 7 done/.test(m.text),
      60_000,
    );
    expect(textOf(done)).toMatch(/\/var\/lib\/docker: [\d.]+ MiB in \d+ files and directories/);
    expect(textOf(done)).toMatch(/copy time: (about|under)/);
    expect(textOf(done)).toMatch(
      /\/data\/docker: on \S+ \(ext4\) at \/data, [\d.]+ GiB free; needs [\d.]+ MiB with margin/,
    );
    expect(thread().filter((m) => /Step 1 of 7 (done|failed)/.test(m.text))).toHaveLength(1);
    expect(await host.pingDocker()).toBe(true);
  });

  it('runs every later step on its own admin approval and ends on the new root with the same images and the container back', async () => {
    for (let step = 2; step <= STEPS; step++) {
      const request = await waitForMessage(
        stack.slack,
        CHANNEL,
        (m) =>
          m.threadTs === report.ts && new RegExp(`step ${step} of ${STEPS}`).test(m.text) && buttonsOf(m).length > 0,
        60_000,
      );
      const approve = buttonsOf(request).find((b) => b.actionId.startsWith('dm_approve'))!;
      await click(approve, USERS.admin, request.ts);
      const result = await waitForMessage(
        stack.slack,
        CHANNEL,
        (m) => m.threadTs === report.ts && new RegExp(`Step ${step} of ${STEPS} (done|failed)`).test(m.text),
        180_000,
      );
      expect(result.text, textOf(result)).toMatch(/done/);
    }

    const outputs = thread().map(textOf).join('\n');
    if (process.env.DEBUG_THREAD)
      console.log(
        JSON.stringify(
          thread().map((m) => m.blocks),
          null,
          1,
        ),
      );
    expect(outputs).toContain('the copy matches');
    expect(outputs).toContain('DockerRootDir: /data/docker');
    expect(outputs).toMatch(/web: started/);
    expect((await host.docker(['info', '--format', '{{.DockerRootDir}}'])).stdout.trim()).toBe('/data/docker');
    expect(await images()).toEqual(imagesBefore);
    expect((await host.docker(['exec', 'web', 'cat', '/srv/proof'])).stdout.trim()).toBe('kept-across-the-move');
  }, 600_000);

  it('keeps an audit entry with the approver and the result of every step', async () => {
    const redis = new Redis(inject('redisUrl'));
    const entries = await new AuditLog(redis).recent(500);
    redis.disconnect();

    const approvals = entries.filter((entry) => entry.action === 'approve' && entry.detail === 'move-data-root');
    expect(approvals.map((entry) => entry.actor)).toEqual(Array(STEPS).fill(USERS.admin));
    for (let step = 1; step <= STEPS; step++) {
      expect(entries).toContainEqual(
        expect.objectContaining({ action: 'fix-start', actor: USERS.admin, detail: `move-data-root step ${step}` }),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({
          action: 'fix-result',
          actor: USERS.admin,
          detail: expect.stringMatching(new RegExp(`^move-data-root step ${step}: Step ${step} of ${STEPS} done`)),
        }),
      );
    }
    expect(
      entries.filter((entry) => entry.action === 'fix-start' && entry.detail === 'move-data-root step 1'),
    ).toHaveLength(1);
  });

  it('resolves the disk alert by itself once Docker runs from the roomy filesystem', async () => {
    await stack.slack.waitFor(() => /RESOLVED/.test(alertRoot()?.text ?? ''), 30_000);
  });

  it('offers removing the old root afterwards, and that frees the old filesystem', async () => {
    const request = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /Remove the old Docker root dir/.test(m.text) && buttonsOf(m).length > 0,
      30_000,
    );
    await click(buttonsOf(request).find((b) => b.actionId.startsWith('dm_approve'))!, USERS.admin, request.ts);
    await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /Step 1 of 1 done/.test(m.text),
      60_000,
    );

    const used = Number(
      (await host.sh("df -P /var/lib/docker | tail -n 1 | awk '{print $5}' | tr -d %")).stdout.trim(),
    );
    expect(used).toBeLessThan(80);
    expect((await host.docker(['exec', 'web', 'cat', '/srv/proof'])).stdout.trim()).toBe('kept-across-the-move');
  });
});
