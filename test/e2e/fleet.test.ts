import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStaleLab, type LabHost, type SilentHost, startLabHost, startSilentHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, fleetRowsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, freePort, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const HOSTS = 8;

describe('a fleet run: /docker diskcheck all over 10 hosts, 2 unreachable', () => {
  let hosts: LabHost[] = [];
  let silent: SilentHost;
  let stack: Stack;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    [hosts, silent] = await Promise.all([
      Promise.all(Array.from({ length: HOSTS }, (_, i) => startLabHost({ name: `f${i}`, diskMiB: 128 }))),
      startSilentHost(),
    ]);
    await hosts[0]!.makeHugeLog({ name: 'chatty', sizeMiB: 8 });
    await hosts[0]!.fillDisk(96);
    const closed = await freePort();
    const entries = [
      ...hosts.map((host) => ({ ...labHostEntry(host), groups: ['fleet'] })),
      {
        ...labHostEntry(hosts[0]!),
        name: 'gone-silent',
        address: silent.address,
        port: silent.port,
        groups: ['fleet'],
      },
      { ...labHostEntry(hosts[0]!), name: 'gone-refused', address: '127.0.0.1', port: closed, groups: ['fleet'] },
    ];
    stack = await startStack({ config: testConfig(entries), mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([...hosts.map((host) => host.destroy()), silent?.close()]);
  });

  it('fills one summary with 8 reports and 2 unreachable rows, in about the time of the slowest host', async () => {
    const started = Date.now();
    const ack = await stack.slack.slashCommand({ text: 'diskcheck all', userId: USERS.requester, channelId: CHANNEL });
    expect(JSON.stringify(ack.body)).toContain('all (10 hosts)');

    const summary = await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .find((m) => m.kind === 'message' && !m.threadTs && /10\/10 hosts answered/.test(m.text)),
      30_000,
    );
    const elapsed = Date.now() - started;

    const text = textOf(summary);
    expect(text).toContain('2 unreachable');
    const rows = fleetRowsOf(summary);
    expect(rows.get('gone-silent')).toBe('UNREACHABLE');
    expect(rows.get('gone-refused')).toBe('UNREACHABLE');
    for (let i = 0; i < HOSTS; i++) expect(rows.get(`f${i}`)).toMatch(/^(ok|info|warn|crit)$/);
    expect(rows.get('f0')).toBe('crit');
    expect(stack.slack.refusals).toEqual([]);
    // The silent host takes the whole connect timeout (3 s); everything else runs beside it.
    expect(elapsed).toBeLessThan(3000 + 5000);
    // The summary goes first; the details of hosts with something to say follow in its thread.
    const detail = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === summary.ts && m.text.includes('f0'),
    );
    expect(detail.kind).toBe('message');
    const topLevel = stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs);
    expect(topLevel).toHaveLength(1);
  });

  it("a fix offered in the fleet's thread is approved there and its result lands in that thread", async () => {
    const summary = stack.slack
      .messages(CHANNEL)
      .find((m) => m.kind === 'message' && !m.threadTs && /^diskcheck all: 10\/10/.test(m.text));
    expect(summary).toBeDefined();
    const detail = stack.slack
      .messages(CHANNEL)
      .find((m) => m.threadTs === summary!.ts && buttonsOf(m).some((b) => /truncate/i.test(b.text)));
    const truncate = buttonsOf(detail!).find((b) => /truncate/i.test(b.text) && b.text.includes('chatty'));
    expect(truncate).toBeDefined();

    await stack.slack.clickButton({
      actionId: truncate!.actionId,
      value: truncate!.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: detail!.ts,
    });

    const result = await waitForMessage(stack.slack, CHANNEL, (m) => /freed/i.test(m.text), 30_000);
    const approved = stack.slack.messages(CHANNEL).find((m) => /Approved by/.test(m.text));
    expect(result.threadTs).toBe(summary!.ts);
    expect(approved?.threadTs).toBe(summary!.ts);
    expect(stack.slack.refusals.filter((r) => r.error === 'invalid_thread_ts')).toEqual([]);
  });

  it('runs a group target the same way', async () => {
    await stack.slack.slashCommand({ text: 'doctor @fleet', userId: USERS.requester, channelId: CHANNEL });

    const summary = await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .find((m) => m.kind === 'message' && !m.threadTs && /^doctor @fleet: 10\/10/.test(m.text)),
      40_000,
    );
    expect(textOf(summary)).toContain('2 unreachable');
  });
});
