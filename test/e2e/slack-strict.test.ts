// The product against a stand-in that refuses what Slack refuses (Slack's own rate limits too): a
// command typed where dockmedic may not post, `ps` over 150 containers, and host output that looks like
// a mention. Real Redis, sshd and dockerd.

import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMAND_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';
import { waitUntil } from '../support/workerProcess.ts';

const PRIVATE = 'GPRIVATE01';
const DM = 'DDIRECT001';
const CONTAINERS = 150;
const HOSTILE = '<!channel> <!here> deploy done, ping <@UADMIN>';

async function docker(host: LabHost, args: string[]): Promise<string> {
  const result = await host.docker(args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

function requestIdOf(body: unknown): string {
  const id = /\((rq-[a-z0-9]+)\)/.exec(JSON.stringify(body))?.[1];
  if (!id) throw new Error(`no request id in the ack: ${JSON.stringify(body)}`);
  return id;
}

describe('dockmedic on a Slack that refuses what Slack refuses', () => {
  let host: LabHost;
  let stack: Stack;
  let queue: Queue;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'st1', diskMiB: 1024 });
    stack = await startStack({
      config: testConfig([labHostEntry(host)]),
      mode: 'http',
      slack: {
        channels: [
          { id: PRIVATE, kind: 'private' },
          { id: DM, kind: 'im' },
        ],
      },
    });
    queue = new Queue(COMMAND_QUEUE, { connection: { url: inject('redisUrl') }, prefix: QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.close();
    await stack?.stop();
    await host?.destroy();
  });

  it('in a private channel it is not in, tells the requester to invite it, within seconds, and runs the host work once', async () => {
    const started = Date.now();

    const ack = await stack.slack.slashCommand({ text: 'diskcheck st1', userId: USERS.requester, channelId: PRIVATE });
    const told = await waitForMessage(stack.slack, PRIVATE, (m) => /\/invite @dockmedic/.test(m.text), 15_000);
    const tookMs = Date.now() - started;

    expect(told.visibleTo).toBe(USERS.requester);
    expect(told.text).toContain(`<#${PRIVATE}>`);
    expect(tookMs).toBeLessThan(10_000);
    const job = await queue.getJob(requestIdOf(ack.body));
    await waitUntil(async () => (await job?.getState()) === 'failed', 10_000, 'the job to end');
    const ended = await queue.getJob(requestIdOf(ack.body));
    expect(ended?.attemptsMade).toBe(1);
    const refused = stack.slack.refusals.filter((r) => r.channel === PRIVATE);
    expect(refused.map((r) => [r.method, r.error])).toEqual([['chat.postMessage', 'not_in_channel']]);
    expect(stack.slack.messages(PRIVATE).filter((m) => m.kind === 'message')).toEqual([]);
  });

  it('after /invite @dockmedic, the same command posts its report there', async () => {
    stack.slack.invite(PRIVATE);

    await stack.slack.slashCommand({ text: 'diskcheck st1', userId: USERS.requester, channelId: PRIVATE });

    const report = await waitForMessage(stack.slack, PRIVATE, (m) => m.kind === 'message' && m.text.includes('st1'));
    expect(report.threadTs).toBeUndefined();
  });

  it('in a DM it is not part of, says to run it in a channel or in a DM with dockmedic', async () => {
    await stack.slack.slashCommand({ text: 'ps st1', userId: USERS.requester, channelId: DM });

    const told = await waitForMessage(stack.slack, DM, (m) => /direct message/.test(m.text), 15_000);
    expect(told.text).toMatch(/in a channel dockmedic is in, or in your DM with dockmedic/);
  });

  it('a retry after Slack took the report edits it instead of posting it twice', async () => {
    const before = stack.slack.messages(CHANNEL).length;
    // The report goes through; then Slack keeps answering 429 past the client's own retries, so the
    // job fails with a retryable error and BullMQ runs it again.
    const unsubscribe = stack.slack.subscribe((event) => {
      if (event.type !== 'posted' || event.message.threadTs || !/st1 doctor/.test(event.message.text)) return;
      stack.slack.rateLimit('chat.postMessage', 6);
      unsubscribe();
    });

    const ack = await stack.slack.slashCommand({ text: 'doctor st1', userId: USERS.requester, channelId: CHANNEL });
    const job = await queue.getJob(requestIdOf(ack.body));
    await waitUntil(async () => (await job?.getState()) === 'completed', 90_000, 'the retried job');

    const mine = stack.slack.messages(CHANNEL).slice(before);
    const reports = mine.filter((m) => m.kind === 'message' && !m.threadTs && /st1 doctor/.test(m.text));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.edited).toBe(true);
    expect(mine.filter((m) => m.threadTs === reports[0]?.ts && m.kind === 'message')).toHaveLength(1);
    expect((await queue.getJob(requestIdOf(ack.body)))?.attemptsMade).toBe(2);
  });

  it(`ps over ${CONTAINERS} containers arrives as a message and the whole list as a file in its thread`, async () => {
    // Created, not started: a list as long as a busy host's, without 150 running processes.
    const create =
      `docker -H unix://${host.dockerSocket} create --network none --label com.example.team=payments ` +
      '--name "payments-prod_worker-$i""_1" busybox:local true >/dev/null &';
    const script = `i=0; while [ $i -lt ${CONTAINERS} ]; do ${create} i=$((i+1)); [ $((i % 15)) -eq 0 ] && wait; done; wait`;
    const created = await host.sh(script);
    expect(created.code).toBe(0);
    const before = stack.slack.messages(CHANNEL).length;

    await stack.slack.slashCommand({ text: 'ps st1', userId: USERS.requester, channelId: CHANNEL });

    const posted = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && /st1 ps: \d+ container/.test(m.text),
      60_000,
    );
    const file = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'file' && m.threadTs === posted.ts,
      30_000,
    );
    expect(
      stack.slack
        .messages(CHANNEL)
        .slice(before)
        .filter((m) => m.kind === 'message' && !m.threadTs),
    ).toHaveLength(1);
    expect(textOf(posted)).toMatch(/more containers not shown here: the whole list is attached/);
    for (let i = 0; i < CONTAINERS; i += 1) expect(file.file?.content).toContain(`payments-prod_worker-${i}_1`);
    const refused = stack.slack.refusals.filter((r) => r.error !== 'ratelimited' && r.channel === CHANNEL);
    expect(refused).toEqual([]);
  });

  it('a <!channel> in a label or a log line pings nobody, in blocks or in text', async () => {
    const labels = (dir: string) => [
      '--label',
      `com.docker.compose.project=${HOSTILE}`,
      '--label',
      `com.docker.compose.project.working_dir=${dir}`,
      '--label',
      'com.docker.compose.service=web',
    ];
    const echo = `echo '${HOSTILE}'; echo '<https://evil.example|click here> & more'`;
    await docker(host, [
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'loud-a',
      ...labels('/srv/a'),
      'busybox:local',
      'sh',
      '-c',
      echo,
    ]);
    await docker(host, [
      'create',
      '--network',
      'none',
      '--name',
      'loud-b',
      ...labels('/srv/b'),
      'busybox:local',
      'true',
    ]);
    await waitUntil(
      async () => (await docker(host, ['logs', 'loud-a'])).includes('deploy done'),
      10_000,
      'the log line',
    );
    const before = stack.slack.messages(CHANNEL).length;

    await stack.slack.slashCommand({
      text: 'check st1 compose-collision',
      userId: USERS.requester,
      channelId: CHANNEL,
    });
    await stack.slack.slashCommand({ text: 'logs st1 loud-a', userId: USERS.requester, channelId: CHANNEL });

    const finding = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) =>
        m.kind === 'message' && /compose-collision|Compose project/.test(textOf(m)) && /deploy done/.test(textOf(m)),
      30_000,
    );
    const logs = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && m.text.startsWith('logs of loud-a'),
      30_000,
    );
    expect(JSON.stringify(logs.blocks)).toContain('&lt;!channel&gt; &lt;!here&gt; deploy done, ping &lt;@UADMIN&gt;');
    expect(finding.text).toContain('&lt;!channel&gt;');
    const sent = stack.slack.messages(CHANNEL).slice(before);
    expect(sent.flatMap((m) => m.mentions)).toEqual([]);
    const raw = JSON.stringify(stack.slack.calls.filter((call) => call.method.startsWith('chat.')).slice(-10));
    expect(raw).not.toMatch(/<!channel>|<!here>|<@UADMIN>/);
  });
});
