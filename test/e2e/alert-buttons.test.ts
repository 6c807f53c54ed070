import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const TITLE = 'ab1 · disk-usage';

/** The alert's Acknowledge and Run diagnosis buttons, clicked as people would. */
describe('alert buttons, end to end on a lab host', () => {
  let host: LabHost;
  let stack: Stack;
  let root: StoredMessage;

  const current = () => stack.slack.messages(CHANNEL).find((m) => m.ts === root.ts) ?? root;
  const click = (text: string, userId: string) => {
    const button = buttonsOf(current()).find((b) => b.text === text);
    expect(button, `button ${text}`).toBeDefined();
    return stack.slack.clickButton({
      actionId: button!.actionId,
      value: button!.value,
      userId,
      channelId: CHANNEL,
      messageTs: root.ts,
    });
  };

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'ab1', diskMiB: 128 });
    const config = testConfig([labHostEntry(host)], {
      monitor: {
        interval: '1s',
        channel: CHANNEL,
        checks: ['disk-usage'],
        rules: { 'disk-usage': { for: '0s', repeat: '1h' } },
      },
    });
    stack = await startStack({ config, mode: 'http' });
    await host.fillDisk(96);
    root = await waitForMessage(stack.slack, CHANNEL, (m) => !m.threadTs && textOf(m).includes(TITLE), 30_000);
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('Acknowledge edits the root message to say who acknowledged it', async () => {
    await click('Acknowledge', USERS.operator);

    await stack.slack.waitFor(() => /acknowledged by <@UOPS2>/i.test(textOf(current())), 10_000);
    expect(textOf(current())).toContain(TITLE);
  });

  it('Run diagnosis posts a diskcheck report of that host', async () => {
    const seen = stack.slack.messages(CHANNEL).length;

    await click('Run diagnosis', USERS.requester);

    const report = await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.kind === 'message' && /ab1 · diskcheck/.test(textOf(m))),
      20_000,
    );
    expect(textOf(report)).toMatch(/\/var\/lib\/docker is 9\d% full/);
  });
});
