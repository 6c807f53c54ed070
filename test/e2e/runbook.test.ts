import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrphanDir } from '../lab/faults/dead-containers.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, type FoundButton, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

/**
 * A dangerous fix is a runbook: each step is shown, approved by an admin who did not ask for it,
 * and run in order; the next step waits for its own approval in the thread.
 */
describe('a dangerous runbook through Slack: orphan container dirs moved aside', () => {
  let host: LabHost;
  let stack: Stack;
  let orphan: string;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'rb1', diskMiB: 128 });
    orphan = await makeOrphanDir(host);
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  const click = (button: FoundButton, userId: string, messageTs: string) =>
    stack.slack.clickButton({ actionId: button.actionId, value: button.value, userId, channelId: CHANNEL, messageTs });

  it('runs step by step, each approved by an admin, and the orphan dir ends up moved aside', async () => {
    await stack.slack.slashCommand({ text: 'check rb1 dead-containers', userId: USERS.requester, channelId: CHANNEL });
    const report = await waitForMessage(stack.slack, CHANNEL, (m) => m.kind === 'message' && m.text.includes('rb1'));
    const runbook = buttonsOf(report).find((b) => /orphan/i.test(b.text));
    expect(runbook?.text).toMatch(/dangerous/);

    const seen = stack.slack.messages(CHANNEL).length;
    await click(runbook!, USERS.operator, report.ts);
    const refusal = await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.visibleTo === USERS.operator),
      10_000,
    );
    expect(textOf(refusal)).toMatch(/needs an admin/);

    await click(runbook!, USERS.admin, report.ts);
    for (let step = 2; step <= 3; step++) {
      const request = await waitForMessage(
        stack.slack,
        CHANNEL,
        (m) => m.threadTs === report.ts && new RegExp(`step ${step} of 3`).test(m.text) && buttonsOf(m).length > 0,
        60_000,
      );
      const approve = buttonsOf(request).find((b) => b.actionId.startsWith('dm_approve'))!;
      await click(approve, USERS.admin, request.ts);
    }
    const last = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /Step 3 of 3 done/.test(textOf(m)),
      60_000,
    );

    expect(textOf(last)).toMatch(/last step/);
    expect((await host.sh(`test -e ${orphan} && echo there || echo gone`)).stdout.trim()).toBe('gone');
    expect((await host.sh('ls -d /var/lib/docker/orphans-*/* | wc -l')).stdout.trim()).toBe('1');
    expect(await host.pingDocker()).toBe(true);
  });
});
