import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL_MAX } from '../../src/approvals/limits.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { makeOrphanDir } from '../lab/faults/dead-containers.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

// Docker takes container names far longer than this (1000 characters were accepted on the lab's
// dockerd); 250 is past every limit the approval record used to have.
const LONG_NAME = `web-${'a'.repeat(242)}-end`;

/** Ordinary hosts whose shapes used to break reports: many anonymous volumes, orphan dirs, long names. */
describe('reports and alerts on ordinary but large shapes, end to end on lab hosts', () => {
  let host: LabHost;
  let stack: Stack;
  let orphans: string[];
  let volumes: string[];
  let longLog: { containerId: string; logPath: string };

  const reportFor = (command: string) =>
    waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && textOf(m).includes(`shp1 · ${command}`),
      60_000,
    );

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'shp1', diskMiB: 256 });
    volumes = [];
    for (let i = 0; i < 10; i += 1) volumes.push((await host.docker(['volume', 'create'])).stdout.trim());
    orphans = [];
    for (let i = 0; i < 10; i += 1) orphans.push(await makeOrphanDir(host));
    longLog = await host.makeHugeLog({ name: LONG_NAME, sizeMiB: 8 });
    await host.fillDisk(92);
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('has the shapes it claims: ten 64-hex anonymous volumes, ten orphan dirs, a 250-character name', async () => {
    expect(volumes).toHaveLength(10);
    for (const volume of volumes) expect(volume).toMatch(/^[0-9a-f]{64}$/);
    expect(orphans).toHaveLength(10);
    expect(LONG_NAME).toHaveLength(250);
    const name = await host.docker(['inspect', '-f', '{{.Name}}', longLog.containerId]);
    expect(name.stdout.trim()).toBe(`/${LONG_NAME}`);
  });

  it('diskcheck posts the full report with every fix offered', async () => {
    await stack.slack.slashCommand({ text: 'diskcheck shp1', userId: USERS.requester, channelId: CHANNEL });

    const report = await reportFor('diskcheck');
    const labels = buttonsOf(report).map((b) => b.text);

    expect(textOf(report)).not.toMatch(/could not be offered|Something went wrong/);
    expect(textOf(report)).toMatch(/10 volume\(s\) no container uses/);
    expect(labels.some((l) => /^Remove 10 unused volume\(s\)/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith('Truncate log of web-aaa'))).toBe(true);
  });

  it('doctor posts the full report with the orphan dirs, the volumes and the long-named log offered', async () => {
    await stack.slack.slashCommand({ text: 'doctor shp1', userId: USERS.requester, channelId: CHANNEL });

    const report = await reportFor('doctor');
    const labels = buttonsOf(report).map((b) => b.text);

    expect(textOf(report)).not.toMatch(/could not be offered|Something went wrong/);
    expect(labels.some((l) => /^Move 10 orphan container dir\(s\) aside/.test(l))).toBe(true);
    expect(labels.some((l) => /^Remove 10 unused volume\(s\)/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith('Truncate log of web-aaa'))).toBe(true);
    const details = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /10 director\(ies\) under \/var\/lib\/docker\/containers/.test(textOf(m)),
      10_000,
    );
    expect(orphans.some((id) => textOf(details).includes(id))).toBe(true);
  });

  it('runs the fix behind a cut label: the long-named container log is emptied once approved', async () => {
    const report = await reportFor('diskcheck');
    const truncate = buttonsOf(report).find((b) => b.text.startsWith('Truncate log of web-aaa'))!;
    expect(await host.fileSize(longLog.logPath)).toBe(8 * 1024 * 1024);

    await stack.slack.clickButton({
      actionId: truncate.actionId,
      value: truncate.value,
      userId: USERS.operator,
      channelId: CHANNEL,
      messageTs: report.ts,
    });
    const approved = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /^Approved by/.test(m.text),
      10_000,
    );
    const result = await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === report.ts && /freed/i.test(m.text));

    // The label in the thread is the cut one: both ends kept, the whole within the record's limit.
    const label = /Truncate log of web-a+…a*-end \(8 MiB\)/.exec(textOf(approved) + textOf(result));
    expect(label?.[0].length ?? LABEL_MAX).toBeLessThanOrEqual(LABEL_MAX);
    expect(result.text).toMatch(/freed \d/);
    expect(await host.fileSize(longLog.logPath)).toBe(0);
  });
});

describe('an alert for a host with a 63-character name', () => {
  const LONG_HOST = `docker-prod-01.eu-west-1.example.internal.${'z'.repeat(21)}`;
  let host: LabHost;
  let stack: Stack;
  let root: StoredMessage;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'shp2', diskMiB: 128 });
    const config = testConfig([labHostEntry(host, { name: LONG_HOST })], {
      monitor: { interval: '1s', channel: CHANNEL, checks: ['daemon-health'] },
    });
    stack = await startStack({ config, mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('posts the dockerd-down alert with its Start docker button', async () => {
    expect(LONG_HOST).toHaveLength(63);
    await host.stopDockerd('SIGTERM');

    root = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => !m.threadTs && textOf(m).includes(`${LONG_HOST} · daemon-health`),
      30_000,
    );

    expect(root.text).toMatch(/FIRING crit/);
    expect(buttonsOf(root).some((b) => /Start docker/.test(b.text))).toBe(true);
  });

  it('keeps the two-person rule on the Start button: one approval asks, a second person runs it', async () => {
    const start = buttonsOf(root).find((b) => /Start docker/.test(b.text))!;
    const click = (userId: string) =>
      stack.slack.clickButton({
        actionId: start.actionId,
        value: start.value,
        userId,
        channelId: CHANNEL,
        messageTs: root.ts,
      });

    await click(USERS.operator);
    await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /two-person rule needs a second person/.test(m.text),
      10_000,
    );
    expect(await host.pingDocker()).toBe(false);
    await click(USERS.operator);
    await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.visibleTo === USERS.operator && /two-person rule/.test(textOf(m)),
      10_000,
    );
    await click(USERS.requester);

    await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === root.ts && /daemon binary/.test(m.text), 40_000);
    expect(await host.pingDocker()).toBe(true);
  });
});
