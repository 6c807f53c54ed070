import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DockmedicConfig } from '../../src/config/schema.ts';
import { StaticConfigSource } from '../../src/config/source.ts';
import { MAINTENANCE_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { createSharedDisk, type SharedDisk } from '../lab/faults/sharedDisk.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';
import { TEST_APPROVAL_SECRET } from '../support/workerProcess.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Established TCP connections from this machine to a lab host's sshd (every worker here runs in-process). */
async function sshConnectionsTo(host: LabHost): Promise<number> {
  const filter = `( dst ${host.address} and dport = :${host.port} )`;
  const { stdout } = await promisify(execFile)('ss', ['-Htn', 'state', 'established', filter]);
  return stdout.split('\n').filter((line) => line.trim() !== '').length;
}

/** A worker-only runtime posting to the stack's local Slack: the process that holds alert state. */
function startWorker(stack: Stack, config: DockmedicConfig): Promise<Runtime> {
  return startRuntime({
    config: new StaticConfigSource(config),
    redisUrl: inject('redisUrl'),
    bot: false,
    worker: true,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: stack.slack.apiUrl,
      PORT: 0,
      DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
    },
    workerOptions: { lockDurationMs: 3000 },
    stormWindowMs: 1500,
  });
}

const roots = (stack: Stack, title: string) =>
  stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs && textOf(m).includes(title));
const replies = (stack: Stack, root: StoredMessage) =>
  stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && m.threadTs === root.ts);
/** The root as it reads now (edits replace it in place). */
const current = (stack: Stack, root: StoredMessage) =>
  stack.slack.messages(CHANNEL).find((m) => m.ts === root.ts) ?? root;

describe('monitoring and alerts, end to end on lab hosts', () => {
  let disk: LabHost;
  let dog: LabHost;
  let stack: Stack;
  let worker: Runtime;
  let config: DockmedicConfig;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    [disk, dog] = await Promise.all([
      startLabHost({ name: 'm1', diskMiB: 128 }),
      startLabHost({ name: 'm2', diskMiB: 128 }),
    ]);
    config = testConfig([labHostEntry(disk), labHostEntry(dog)], {
      monitor: {
        interval: '1s',
        channel: CHANNEL,
        checks: ['disk-usage', 'daemon-health', 'no-such-check'],
        rules: { 'disk-usage': { for: '3s', repeat: '6s' } },
      },
      maintenance: [{ hosts: ['m1'], prune: { cron: '0 2 * * *', timezone: 'UTC', until: '24h' } }],
    });
    stack = await startStack({ config, mode: 'http', worker: false });
    worker = await startWorker(stack, config);
  });

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await Promise.allSettled([disk?.destroy(), dog?.destroy()]);
  });

  it('the command and monitor workers share one SSH connection per host', async () => {
    // Arrange: the monitor (every 1 s) has connected to m1 by now; a diskcheck goes to another channel.
    const elsewhere = 'CTEST0002';
    await sleep(2000);

    // Act
    await stack.slack.slashCommand({ text: 'diskcheck m1', userId: USERS.requester, channelId: elsewhere });
    await waitForMessage(stack.slack, elsewhere, (m) => !m.threadTs && textOf(m).includes('m1'), 30_000);
    await sleep(1500); // a few more monitor runs on the same pool

    // Assert
    expect(await sshConnectionsTo(disk)).toBe(1);
  });

  it('fires one alert after `for`, repeats only at `repeat`, does not flap, and resolves below clear', async () => {
    const filled = Date.now();
    await disk.fillDisk(95);

    const root = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => !m.threadTs && textOf(m).includes('m1 · disk-usage'),
      20_000,
    );
    const firedAfter = Date.now() - filled;
    expect(firedAfter).toBeGreaterThanOrEqual(3000);
    expect(root.text).toMatch(/FIRING crit/);
    expect(buttonsOf(root).map((b) => b.text)).toEqual(
      expect.arrayContaining(['Acknowledge', 'Silence 1h', 'Run diagnosis']),
    );

    // Hold for ~13 s at repeat 6 s: two repeats, no second root.
    await sleep(13_000);
    const repeats = replies(stack, root).filter((m) => /still firing/.test(m.text));
    expect(repeats.length).toBeGreaterThanOrEqual(1);
    expect(repeats.length).toBeLessThanOrEqual(2);

    // Nudge around the crit mark: hysteresis keeps it one crit alert, no severity changes.
    for (const pct of [88, 92, 87, 91]) {
      await disk.fillDisk(pct);
      await sleep(1500);
    }
    expect(replies(stack, root).filter((m) => /severity/.test(m.text))).toHaveLength(0);
    expect(roots(stack, 'm1 · disk-usage')).toHaveLength(1);

    await disk.freeDisk();
    await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === root.ts && /resolved/.test(m.text), 15_000);
    await stack.slack.waitFor(() => /RESOLVED/.test(current(stack, root).text), 5000);
    expect(buttonsOf(current(stack, root))).toHaveLength(0);
  });

  it('lists and silences alerts by text, and reports an unknown check id in the config', async () => {
    const schedule = await stack.slack.slashCommand({ text: 'schedule', userId: USERS.viewer, channelId: CHANNEL });
    const body = JSON.stringify(schedule.body);
    expect(body).toMatch(/m1 +monitor +every 1 s/);
    expect(body).toMatch(/prune \(safe\) +cron \\"0 2 \* \* \*\\" UTC/);
    expect(body).toContain('no-such-check');

    const silenced = await stack.slack.slashCommand({
      text: 'silence m1 disk-usage 1h',
      userId: USERS.operator,
      channelId: CHANNEL,
    });
    expect(JSON.stringify(silenced.body)).toMatch(/Silenced m1 disk-usage/);
    const listed = await stack.slack.slashCommand({ text: 'alerts m1', userId: USERS.viewer, channelId: CHANNEL });
    expect(JSON.stringify(listed.body)).toMatch(/silenced until/);
    const lifted = await stack.slack.slashCommand({
      text: 'unsilence m1 disk-usage',
      userId: USERS.operator,
      channelId: CHANNEL,
    });
    expect(JSON.stringify(lifted.body)).toMatch(/Lifted the silence/);
  });

  it('fires the watchdog with its bundle within one interval, and the Start docker button starts dockerd once two approve', async () => {
    const stopped = Date.now();
    await dog.stopDockerd('SIGTERM');

    const root = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => !m.threadTs && textOf(m).includes('m2 · daemon-health'),
      15_000,
    );
    // One 1 s interval, plus the storm window (1.5 s) and the collection.
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(root.text).toMatch(/FIRING crit/);
    const bundle = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /Root-cause bundle/.test(textOf(m)),
      10_000,
    );
    expect(textOf(bundle)).toMatch(/daemon.json: parses/);
    expect(textOf(bundle)).toMatch(/df -P/);
    expect(textOf(bundle)).toMatch(/no systemd/);
    const start = buttonsOf(root).find((b) => /Start docker/.test(b.text));
    expect(start).toBeDefined();

    // A risky fix the monitor offers keeps the two-person rule: the first approval asks, a second runs it.
    for (const userId of [USERS.operator, USERS.requester]) {
      await stack.slack.clickButton({
        actionId: start!.actionId,
        value: start!.value,
        userId,
        channelId: CHANNEL,
        messageTs: root.ts,
      });
      if (userId === USERS.operator) {
        await waitForMessage(
          stack.slack,
          CHANNEL,
          (m) => m.threadTs === root.ts && /second person/.test(m.text),
          10_000,
        );
      }
    }
    await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === root.ts && /daemon binary/.test(m.text), 40_000);
    expect(await dog.pingDocker()).toBe(true);
    await stack.slack.waitFor(() => /RESOLVED/.test(current(stack, root).text), 15_000);
  });

  it('with autoStart, the watchdog starts dockerd itself and says so in the thread', async () => {
    config.monitor.watchdog.autoStart = true;
    await dog.stopDockerd('SIGKILL');

    const root = await stack.slack.waitFor(() => roots(stack, 'm2 · daemon-health')[1], 15_000);
    const note = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === root.ts && /autoStart is on/.test(m.text),
      40_000,
    );
    expect(note.text).toMatch(/Started dockerd by running the daemon binary/);
    expect(await dog.pingDocker()).toBe(true);
    await stack.slack.waitFor(() => /RESOLVED/.test(current(stack, root).text), 15_000);
    config.monitor.watchdog.autoStart = false;
  });

  it('a new worker continues a live incident: no duplicate alert, the resolve still arrives', async () => {
    await disk.fillDisk(95);
    const root = await stack.slack.waitFor(() => roots(stack, 'm1 · disk-usage')[1], 20_000);

    await worker.stop();
    worker = await startWorker(stack, config);
    await sleep(3000);
    await disk.freeDisk();

    await waitForMessage(stack.slack, CHANNEL, (m) => m.threadTs === root.ts && /resolved/.test(m.text), 20_000);
    await stack.slack.waitFor(() => /RESOLVED/.test(current(stack, root).text), 5000);
    expect(roots(stack, 'm1 · disk-usage')).toHaveLength(2);
    expect(replies(stack, root).filter((m) => /resolved/.test(m.text))).toHaveLength(1);
  });

  it('a scheduled prune frees dangling images and posts the bytes freed', async () => {
    await disk.makeDanglingImages(2);
    await sleep(1500);
    const before = (await disk.docker(['images', '-q', '-f', 'dangling=true'])).stdout
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(before.length).toBeGreaterThanOrEqual(2);
    // The cron schedule is checked above (`/docker schedule`); its job is triggered directly here,
    // with the same template data, and `until: 1s` so images made a moment ago count as old.
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
    await queue.add('prune', { host: 'm1', until: '1s', schedule: '0 2 * * * (UTC), triggered by the test' });
    await queue.close();
    redis.disconnect();

    const report = await waitForMessage(stack.slack, CHANNEL, (m) => /Scheduled prune/.test(m.text), 30_000);
    expect(report.text).toMatch(/freed \d/);
    const after = (await disk.docker(['images', '-q', '-f', 'dangling=true'])).stdout.trim();
    expect(after).toBe('');
  });
});

describe('storm control, end to end on 20 sshd-only lab hosts sharing one filesystem', () => {
  let hosts: LabHost[] = [];
  let shared: SharedDisk;
  let stack: Stack;
  let worker: Runtime;

  beforeAll(async () => {
    await emptyStackRedis();
    hosts = await Promise.all(
      Array.from({ length: 20 }, (_, index) => startLabHost({ name: `s${index + 1}`, docker: false })),
    );
    shared = await createSharedDisk(64);
    for (const host of hosts) await shared.attach(host);
    const config = testConfig(
      hosts.map((host) => labHostEntry(host)),
      { monitor: { interval: '2s', channel: CHANNEL, checks: ['disk-usage'], rules: { 'disk-usage': { for: '0s' } } } },
    );
    stack = await startStack({ config, mode: 'http', worker: false });
    worker = await startWorker(stack, config);
    await sleep(3000);
  });

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await shared?.destroy();
    await Promise.allSettled(hosts.map((host) => host.destroy()));
  });

  it('20 hosts crossing at once make at most a handful of grouped messages, and all resolve', async () => {
    const seen = stack.slack.messages(CHANNEL).length;
    await shared.fill(95);

    const grouped = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => !m.threadTs && /alerts firing at once/.test(m.text),
      20_000,
    );
    await sleep(6000);
    const rootsPosted = stack.slack
      .messages(CHANNEL)
      .slice(seen)
      .filter((m) => m.kind === 'message' && !m.threadTs);
    expect(rootsPosted.length).toBeLessThanOrEqual(3);
    const listed = rootsPosted.map((m) => textOf(m)).join('\n');
    for (const host of hosts) expect(listed).toContain(`\`${host.name}\``);

    await shared.fill(0);
    await stack.slack.waitFor(() => /all \d+ grouped alerts resolved/.test(current(stack, grouped).text), 20_000);
    const resolves = replies(stack, grouped).filter((m) => /resolved/.test(m.text));
    expect(resolves.length).toBeGreaterThan(0);
  });
});
