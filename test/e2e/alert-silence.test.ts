import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const TITLE = 'ms1 · disk-usage';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Silencing a firing alert, by its button and by text. The buttons offer 1h, 4h and 24h only, so the
 * expiry is shown with a 3 s silence set through `/docker silence HOST CHECK 3s`, which replaces the
 * button's silence: same state field, same expiry path in the monitor run.
 */
describe('alert silences, end to end on a lab host', () => {
  let host: LabHost;
  let stack: Stack;

  const inThread = (root: StoredMessage) =>
    stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && m.threadTs === root.ts);
  const repeats = (root: StoredMessage) => inThread(root).filter((m) => /still firing \(/.test(m.text));
  const current = (root: StoredMessage) => stack.slack.messages(CHANNEL).find((m) => m.ts === root.ts) ?? root;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'ms1', docker: false, diskMiB: 64 });
    const config = testConfig([labHostEntry(host)], {
      monitor: {
        interval: '1s',
        channel: CHANNEL,
        checks: ['disk-usage'],
        rules: { 'disk-usage': { for: '0s', repeat: '3s' } },
      },
    });
    stack = await startStack({ config, mode: 'http', worker: true });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('"Silence 1h" stops the repeats and the thread says who silenced it until when', async () => {
    // Arrange: a firing alert that repeats every 3 s.
    await host.fillDisk(95);
    const root = await waitForMessage(stack.slack, CHANNEL, (m) => !m.threadTs && textOf(m).includes(TITLE), 30_000);
    await stack.slack.waitFor(() => repeats(root)[0], 15_000);
    const silenceButton = buttonsOf(root).find((b) => b.text === 'Silence 1h');
    expect(silenceButton).toBeDefined();

    // Act
    const clickedAt = Date.now();
    await stack.slack.clickButton({
      actionId: silenceButton!.actionId,
      value: silenceButton!.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: root.ts,
    });

    // Assert: who and until when, in the thread and on the root; then no repeat for 3 intervals.
    const said = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /Silenced by <@UOPS2> for 1h/.test(m.text),
      10_000,
    );
    const until = Date.parse(/until (\S+?)\)/.exec(said.text)?.[1] ?? '');
    expect(until - clickedAt).toBeGreaterThan(3_590_000);
    expect(until - clickedAt).toBeLessThan(3_610_000);
    await stack.slack.waitFor(() => /silenced until/.test(textOf(current(root))), 5000);
    await sleep(1000); // a repeat already on its way when the click landed
    const before = repeats(root).length;
    await sleep(9000);
    expect(repeats(root)).toHaveLength(before);
  });

  it('a silence expires by itself, the thread says so, and repeats resume', async () => {
    // Arrange: the alert silenced above, still firing.
    const root = stack.slack.messages(CHANNEL).find((m) => !m.threadTs && textOf(m).includes(TITLE))!;

    // Act: a 3 s silence by text replaces the hour.
    const reply = await stack.slack.slashCommand({
      text: 'silence ms1 disk-usage 3s',
      userId: USERS.operator,
      channelId: CHANNEL,
    });
    expect(JSON.stringify(reply.body)).toMatch(/Silenced ms1 disk-usage/);

    // Assert
    await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /Silenced by <@UOPS2> for 3 s/.test(m.text),
      5000,
    );
    const expired = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /silence expired by itself; it is still firing/.test(m.text),
      15_000,
    );
    await stack.slack.waitFor(() => !/silenced until/.test(textOf(current(root))), 5000);
    const after = inThread(root).indexOf(expired);
    await stack.slack.waitFor(() => repeats(root).find((m) => inThread(root).indexOf(m) > after), 10_000);
    expect(stack.slack.messages(CHANNEL).filter((m) => !m.threadTs && textOf(m).includes(TITLE))).toHaveLength(1);

    await host.freeDisk();
    await stack.slack.waitFor(() => /RESOLVED/.test(current(root).text), 15_000);
  });
});
