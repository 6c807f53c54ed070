import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../src/slack/local/store.ts';
import { cleanupStaleLab, type LabHost, type SilentHost, startLabHost, startSilentHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { buttonsOf, textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const WRONG_KEY = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('/docker diskcheck over HTTP, end to end on lab hosts', () => {
  let full: LabHost;
  let inodes: LabHost;
  let silent: SilentHost;
  let stack: Stack;
  let logContainer: { containerId: string; logPath: string };

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    [full, inodes, silent] = await Promise.all([
      startLabHost({ name: 'h1', diskMiB: 256 }),
      startLabHost({ name: 'h2', diskMiB: 128, inodes: 4096 }),
      startSilentHost(),
    ]);
    logContainer = await full.makeHugeLog({ name: 'chatty', sizeMiB: 8 });
    await Promise.all([full.fillDisk(96), inodes.exhaustInodes()]);
    const config = testConfig([
      labHostEntry(full),
      labHostEntry(inodes),
      labHostEntry(full, { name: 'wrongkey', hostKey: WRONG_KEY }),
      {
        name: 'silent',
        address: silent.address,
        port: silent.port,
        privateKey: full.privateKeyPath,
        hostKey: WRONG_KEY,
      },
    ]);
    stack = await startStack({ config, mode: 'http' });
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled([full?.destroy(), inodes?.destroy(), silent?.close()]);
  });

  const reportFor = (host: string, timeoutMs = 45_000) =>
    waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && !m.threadTs && m.text.includes(host) && /diskcheck/i.test(textOf(m)),
      timeoutMs,
    );

  /** The first private answer to `user` posted after the message count was `seen`. */
  const answerTo = (user: string, seen: number) =>
    stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .slice(seen)
          .find((m) => m.visibleTo === user && (m.kind === 'ephemeral' || m.kind === 'response')),
      10_000,
    );

  /** Clicks and waits for the clicker's private answer. */
  const clickAndHear = async (click: (userId: string) => Promise<unknown>, user: string) => {
    const seen = stack.slack.messages(CHANNEL).length;
    await click(user);
    return answerTo(user, seen);
  };

  it('acks at once, then posts a crit finding naming the full mount point and its percentage', async () => {
    const started = Date.now();
    const ack = await stack.slack.slashCommand({ text: 'diskcheck h1', userId: USERS.requester, channelId: CHANNEL });
    const ackMs = Date.now() - started;

    expect(ack.status).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect(JSON.stringify(ack.body)).toContain('Queued diskcheck on h1');

    const report = await reportFor('h1');
    const text = textOf(report);
    expect(text).toMatch(/\/var\/lib\/docker[^"]{0,80}\b(9[5-9]|100) ?%/);
    expect(text).toMatch(/crit/i);
    expect(text).toContain('chatty');
    const labels = buttonsOf(report).map((b) => b.text);
    expect(labels.some((label) => /truncate/i.test(label) && label.includes('chatty'))).toBe(true);
  });

  it('finds exhausted inodes even though blocks are free', async () => {
    await stack.slack.slashCommand({ text: 'diskcheck h2', userId: USERS.requester, channelId: CHANNEL });

    const report = await reportFor('h2');

    expect(textOf(report)).toMatch(/inode/i);
    expect(textOf(report)).toMatch(/No space left on device/);
  });

  it('runs the log truncation once, for an operator other than the requester, and reports bytes freed', async () => {
    const report = await reportFor('h1');
    const truncate = buttonsOf(report).find((b) => /truncate/i.test(b.text) && b.text.includes('chatty'));
    expect(truncate).toBeDefined();
    const sizeBefore = await full.fileSize(logContainer.logPath);
    expect(sizeBefore).toBeGreaterThan(1024 * 1024);
    const click = (userId: string) =>
      stack.slack.clickButton({
        actionId: truncate!.actionId,
        value: truncate!.value,
        userId,
        channelId: CHANNEL,
        messageTs: report.ts,
      });

    const ownRefusal = await clickAndHear(click, USERS.requester);
    const viewerRefusal = await clickAndHear(click, USERS.viewer);

    expect(textOf(ownRefusal)).toMatch(/two-person rule/);
    expect(textOf(viewerRefusal)).toMatch(/operator/);
    expect(await full.fileSize(logContainer.logPath)).toBe(sizeBefore);

    await Promise.all([click(USERS.operator), click(USERS.admin)]);
    const result = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.threadTs === report.ts && /freed/i.test(m.text),
      30_000,
    );

    expect(result.text).toMatch(/freed \d/);
    expect(await full.fileSize(logContainer.logPath)).toBe(0);
    const approvals = stack.slack
      .messages(CHANNEL)
      .filter((m) => m.threadTs === report.ts && /Approved by/.test(m.text));
    expect(approvals).toHaveLength(1);

    const late = await clickAndHear(click, USERS.admin);
    expect(textOf(late)).toMatch(/already/);
  });

  it.each([
    ['h1;touch /tmp/dm-pwned'],
    ['$(touch /tmp/dm-pwned)'],
    ['`touch /tmp/dm-pwned`'],
    ['h1\ntouch /tmp/dm-pwned'],
    [`h1${'x'.repeat(10_000)}`],
  ])('refuses hostile text %#: a clear error, no job, no shell', async (argument) => {
    const ack = await stack.slack.slashCommand({
      text: `diskcheck ${argument}`,
      userId: USERS.requester,
      channelId: CHANNEL,
    });

    const body = JSON.stringify(ack.body);
    expect(ack.status).toBe(200);
    expect(body).not.toContain('Queued');
    expect(body).toMatch(/not something dockmedic accepts|at most 300|too many arguments/);
    expect(existsSync('/tmp/dm-pwned')).toBe(false);
    expect((await full.sh('ls /tmp/dm-pwned 2>/dev/null || echo absent')).stdout.trim()).toBe('absent');
  });

  it('answers unknown hosts and subcommands with what to type instead', async () => {
    const unknownHost = await stack.slack.slashCommand({
      text: 'diskcheck nope',
      userId: USERS.requester,
      channelId: CHANNEL,
    });
    const unknownCommand = await stack.slack.slashCommand({
      text: 'frobnicate',
      userId: USERS.requester,
      channelId: CHANNEL,
    });

    expect(JSON.stringify(unknownHost.body)).toMatch(/h1/);
    expect(JSON.stringify(unknownHost.body)).toMatch(/\/docker hosts/);
    expect(JSON.stringify(unknownCommand.body)).toMatch(/\/docker help/);
  });

  it('tells someone without the role what is needed, and shows the audit trail to an operator', async () => {
    const denied = await stack.slack.slashCommand({ text: 'audit 5', userId: USERS.viewer, channelId: CHANNEL });
    const shown = await stack.slack.slashCommand({ text: 'audit 50', userId: USERS.operator, channelId: CHANNEL });

    expect(JSON.stringify(denied.body)).toMatch(/needs the operator role, and you are a viewer/);
    const trail = JSON.stringify(shown.body);
    expect(trail).toMatch(/request/);
    expect(trail).toMatch(/approve/);
    expect(trail).toMatch(/refuse/);
    expect(trail).toMatch(/fix-result/);
  });

  it('rejects unsigned and stale requests with 401', async () => {
    const body = 'command=%2Fdocker&text=diskcheck+h1&user_id=UOPS1&channel_id=CTEST0001';
    const unsigned = await stack.slack.sendRaw(body, { 'content-type': 'application/x-www-form-urlencoded' });
    const stale = Math.floor(Date.now() / 1000) - 600;
    const staleResult = await stack.slack.sendRaw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(stale),
      'x-slack-signature': 'v0=00',
    });

    expect(unsigned.status).toBe(401);
    expect(staleResult.status).toBe(401);
  });

  it('refuses a host with a wrong pinned key and reports a silent host within the connect timeout', async () => {
    const h2Reports = () =>
      stack.slack.messages(CHANNEL).filter((m) => m.kind === 'message' && !m.threadTs && m.text.includes('h2'));
    const h2Before = h2Reports().length;
    const started = Date.now();
    await stack.slack.slashCommand({ text: 'diskcheck silent', userId: USERS.requester, channelId: CHANNEL });
    await stack.slack.slashCommand({ text: 'diskcheck wrongkey', userId: USERS.requester, channelId: CHANNEL });
    await stack.slack.slashCommand({ text: 'diskcheck h2', userId: USERS.operator, channelId: CHANNEL });

    const wrong = await reportFor('wrongkey', 20_000);
    const silentReport = await reportFor('silent', 20_000);
    const silentMs = Date.now() - started;

    expect(textOf(wrong)).toMatch(/host key/i);
    expect(textOf(wrong)).toContain(full.hostKeyFingerprint);
    expect(textOf(silentReport)).toMatch(/did not answer|timed out|timeout/i);
    // connect timeout is 3 s; allow for one reconnect attempt and the post.
    expect(silentMs).toBeLessThan(10_000);
    // The silent host held nobody up: h2, asked after it, was sent to Slack before it. (Sent, not
    // shown: Slack takes about one message a second per channel, so a 429 may reorder what shows.)
    await waitForMessage(stack.slack, CHANNEL, (m) => h2Reports().length > h2Before && m.text.includes('h2'));
    const posts = stack.slack.calls.filter(
      (call) => call.at >= started && call.method === 'chat.postMessage' && !call.body.thread_ts,
    );
    const firstTry = (host: string) => posts.findIndex((call) => String(call.body.text).includes(host));
    expect(firstTry('h2 ')).toBeGreaterThanOrEqual(0);
    expect(firstTry('h2 ')).toBeLessThan(firstTry('silent'));
  });
});

describe('/docker diskcheck over Socket Mode', () => {
  let host: LabHost;
  let stack: Stack;

  beforeAll(async () => {
    await emptyStackRedis();
    host = await startLabHost({ name: 'h3', diskMiB: 256 });
    await host.fillDisk(96);
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'socket' });
  });

  afterAll(async () => {
    await stack?.stop();
    await host?.destroy();
  });

  it('acks over the websocket and posts the report', async () => {
    const ack = await stack.slack.slashCommand({ text: 'diskcheck h3', userId: USERS.requester, channelId: CHANNEL });

    expect(JSON.stringify(ack.body)).toContain('Queued diskcheck on h3');
    const report: StoredMessage = await waitForMessage(
      stack.slack,
      CHANNEL,
      (m) => m.kind === 'message' && m.text.includes('h3') && !m.threadTs,
      45_000,
    );
    expect(textOf(report)).toMatch(/\/var\/lib\/docker/);
  });
});
