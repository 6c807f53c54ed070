import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AuditLog } from '../../src/audit/log.ts';
import { StaticConfigSource } from '../../src/config/source.ts';
import { freePort } from '../../src/net.ts';
import { FIX_QUEUE, QUEUE_PREFIX } from '../../src/queue/names.ts';
import { queueUnavailable } from '../../src/queue/redis.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { type LocalSlack, startLocalSlack } from '../../src/slack/local/localSlack.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, TEST_ACCESS, testConfig, USERS } from '../support/stack.ts';
import {
  startDockmedicProcess,
  TEST_APPROVAL_SECRET,
  type WorkerProcess,
  waitUntil,
  writeConfigFile,
} from '../support/workerProcess.ts';

const ENQUEUE_FAULT = path.resolve(import.meta.dirname, '../support/enqueueFault.ts');
const BOT_TOKEN = 'xoxb-test-token';

/**
 * The bot runs as its own process, so it can really die between recording an approval and queuing
 * its job (test/support/enqueueFault.ts); the worker runs here, with the reconciler every second and
 * a 3 s grace. Every approval must end reported in its thread and audited, and no fix runs twice.
 */
describe('approvals that lose their job on the way', () => {
  const signingSecret = randomBytes(16).toString('hex');
  let host: LabHost;
  let slack: LocalSlack;
  let worker: Runtime;
  let bot: WorkerProcess | undefined;
  let dir: string;
  let configFile: string;
  let redis: Redis;
  let fixes: Queue;
  let audit: AuditLog;

  const startBot = async (fault?: 'crash' | 'late') => {
    await bot?.kill();
    const port = await freePort();
    bot = startDockmedicProcess({
      role: 'bot',
      configFile,
      env: {
        REDIS_URL: inject('redisUrl'),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(port),
        DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
        ...(fault ? { DM_TEST_ENQUEUE_FAULT: fault } : {}),
      },
      preload: [ENQUEUE_FAULT],
    });
    const started = bot;
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ?? false,
      30_000,
      `the bot to listen (output so far: ${started.output().slice(-500)})`,
    );
    slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  };

  /** Runs a diskcheck and returns its report and the Truncate button of `container`. */
  const reportWithTruncate = async (container: string) => {
    const seen = slack.messages(CHANNEL).length;
    await slack.slashCommand({ text: 'diskcheck rec1', userId: USERS.requester, channelId: CHANNEL });
    const report = await slack.waitFor(
      () =>
        slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.kind === 'message' && !m.threadTs && textOf(m).includes('rec1 · diskcheck')),
      45_000,
    );
    const button = buttonsOf(report).find((b) => /truncate/i.test(b.text) && b.text.includes(`${container} `));
    expect(button, `a Truncate button for ${container}`).toBeDefined();
    return { report, button: button! };
  };

  const click = (report: StoredMessage, button: { actionId: string; value: string }, userId: string) =>
    slack.clickButton({
      actionId: button.actionId,
      value: button.value,
      userId,
      channelId: CHANNEL,
      messageTs: report.ts,
    });

  const thread = (report: StoredMessage, pattern: RegExp) =>
    slack.messages(CHANNEL).filter((m) => m.threadTs === report.ts && pattern.test(textOf(m)));

  const auditedActions = async (ref: string) =>
    (await audit.recent(200)).filter((entry) => entry.ref === ref).map((entry) => entry.action);

  const stateOf = async (approvalId: string) => await redis.hget(`dm:approval:${approvalId}`, 'state');

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    redis = new Redis(inject('redisUrl'));
    fixes = new Queue(FIX_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
    audit = new AuditLog(redis);
    host = await startLabHost({ name: 'rec1', diskMiB: 256 });
    await host.fillDisk(90);
    dir = mkdtempSync(path.join(tmpdir(), 'dm-recovery-'));
    const raw = { hosts: [labHostEntry(host)], access: TEST_ACCESS, timeouts: { connect: '5s', command: '20s' } };
    configFile = writeConfigFile(dir, raw);
    slack = await startLocalSlack({ signingSecret, botToken: BOT_TOKEN });
    worker = await startRuntime({
      config: new StaticConfigSource(testConfig(raw.hosts)),
      redisUrl: inject('redisUrl'),
      bot: false,
      worker: true,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_API_URL: slack.apiUrl,
        PORT: 0,
        DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
      },
      workerOptions: { lockDurationMs: 3000, reconcileEveryMs: 1000, reconcileGraceMs: 3000 },
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await bot?.kill();
    await worker?.stop();
    await slack?.close();
    await fixes?.close();
    redis?.disconnect();
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the bot killed between approve and enqueue: the thread says not run, and approving again runs it once', async () => {
    const log = await host.makeHugeLog({ name: 'chatty1', sizeMiB: 8 });
    await startBot('crash');
    const { report, button } = await reportWithTruncate('chatty1');

    await click(report, button, USERS.operator).catch(() => undefined);
    await waitUntil(() => bot?.child.signalCode === 'SIGKILL', 15_000, 'the bot to die mid-approval');
    expect(await stateOf(button.value)).toBe('approved');
    expect(await fixes.getJob(`fix-${button.value}-1`)).toBeUndefined();

    const notRun = await waitForMessage(
      slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /^Not run:/.test(m.text),
      20_000,
    );
    expect(notRun.text).toMatch(
      /UOPS2's approval of Truncate log of chatty1 .* Nothing ran\. Its Approve button above works again/,
    );
    expect(await auditedActions(button.value)).toContain('not-run');
    expect(await stateOf(button.value)).toBe('pending');
    expect(await host.fileSize(log.logPath)).toBe(8 * 1024 * 1024);

    await startBot();
    await click(report, button, USERS.operator);
    await waitForMessage(slack, CHANNEL, (m) => m.threadTs === report.ts && /freed \d/.test(m.text), 30_000);

    await waitUntil(async () => (await stateOf(button.value)) === 'done', 10_000, 'the record to be done');
    expect(await host.fileSize(log.logPath)).toBe(0);
    expect((await auditedActions(button.value)).filter((a) => a === 'fix-start')).toHaveLength(1);
    expect(thread(report, /freed \d/)).toHaveLength(1);
  });

  it('an enqueue that lands after its deadline: the approver is told, the late job does nothing, the next approval runs once', async () => {
    const log = await host.makeHugeLog({ name: 'chatty2', sizeMiB: 8 });
    await startBot('late');
    const { report, button } = await reportWithTruncate('chatty2');

    const seen = slack.messages(CHANNEL).length;
    await click(report, button, USERS.operator);
    const answer = await slack.waitFor(
      () =>
        slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.visibleTo === USERS.operator && (m.kind === 'ephemeral' || m.kind === 'response')),
      10_000,
    );
    expect(textOf(answer)).toMatch(/cannot reach its queue/);
    // The job of that first approval lands late, after the button was given back, and does nothing.
    await waitUntil(
      async () => (await fixes.getJob(`fix-${button.value}-1`))?.returnvalue?.skipped === true,
      15_000,
      'the late job to be skipped',
    );
    expect(await stateOf(button.value)).toBe('pending');

    await click(report, button, USERS.operator);
    await waitForMessage(slack, CHANNEL, (m) => m.threadTs === report.ts && /freed \d/.test(m.text), 30_000);

    await waitUntil(async () => (await stateOf(button.value)) === 'done', 10_000, 'the record to be done');
    expect(await host.fileSize(log.logPath)).toBe(0);
    expect((await auditedActions(button.value)).filter((a) => a === 'fix-start')).toHaveLength(1);
    expect(thread(report, /freed \d/)).toHaveLength(1);
    expect(await (await fixes.getJob(`fix-${button.value}-2`))?.getState()).toBe('completed');
  });

  it('a Redis error after approved → running: the thread says outcome unknown, and it is never run again', async () => {
    const log = await host.makeHugeLog({ name: 'chatty3', sizeMiB: 8 });
    await startBot();
    const { report, button } = await reportWithTruncate('chatty3');
    const append = AuditLog.prototype.append;
    // In this (the worker's) process only: the first write after the gate fails, as a dropped Redis would.
    const fault = vi.spyOn(AuditLog.prototype, 'append').mockImplementation(async function (this: AuditLog, entry) {
      if (entry.action !== 'fix-start') return await append.call(this, entry);
      fault.mockRestore();
      throw queueUnavailable(new Error('connection lost (test fault)'));
    });

    await click(report, button, USERS.operator);
    const unknown = await waitForMessage(
      slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /Outcome unknown/.test(m.text),
      30_000,
    );

    expect(unknown.text).toMatch(/It will not be re-run/);
    expect(await stateOf(button.value)).toBe('unknown');
    expect(await auditedActions(button.value)).toContain('fix-unknown');
    expect(await (await fixes.getJob(`fix-${button.value}-1`))?.getState()).toBe('failed');
    const seen = slack.messages(CHANNEL).length;
    await click(report, button, USERS.admin);
    const refused = await slack.waitFor(
      () =>
        slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.visibleTo === USERS.admin && (m.kind === 'ephemeral' || m.kind === 'response')),
      10_000,
    );
    expect(textOf(refused)).toMatch(/already ran \(outcome unknown\)/);
    expect(thread(report, /freed \d/)).toHaveLength(0);
    expect(await host.fileSize(log.logPath)).toBe(8 * 1024 * 1024);
  });
});
