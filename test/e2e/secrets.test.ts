// Every secret shape of the corpus (test/support/secretCorpus.ts) put where real hosts keep them: a
// container's environment and its log. Then what dockmedic sends anywhere a person can read it (every
// Web API call to Slack, every file, the audit trail) must not hold a single one of them.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditLog } from '../../src/audit/log.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { SECRET_CORPUS } from '../support/secretCorpus.ts';
import { textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const BUSYBOX = 'busybox:local';
/** Env entries must be NAME=value on one line; every other shape goes to the log only. */
const ENV_SHAPED = /^[A-Za-z_][A-Za-z0-9_]*=[^\n]*$/;

/** How a text looks inside JSON.stringify output (quotes, backslashes and newlines escaped). */
function jsonText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

describe('secrets in a container’s env and log never reach Slack or the audit trail', () => {
  let host: LabHost;
  let stack: Stack;
  let redis: Redis;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    host = await startLabHost({ name: 'h1', diskMiB: 256 });
    const log = Buffer.from(`${SECRET_CORPUS.map((sample) => sample.text).join('\n')}\n`).toString('base64');
    const written = await host.sh(`echo '${log}' | base64 -d > /tmp/secrets.log`);
    if (written.code !== 0) throw new Error(`could not write the log: ${written.stderr}`);
    const env = SECRET_CORPUS.filter((sample) => ENV_SHAPED.test(sample.text)).flatMap((sample) => ['-e', sample.text]);
    const args = ['create', '--name', 'leaky', '--network', 'none', ...env, BUSYBOX, 'sh', '-c'];
    const created = await host.docker([...args, "cat /secrets.log; trap 'exit 0' TERM; sleep 3600 & wait"]);
    if (created.code !== 0) throw new Error(`docker create: ${created.stderr}`);
    const copied = await host.docker(['cp', '/tmp/secrets.log', 'leaky:/secrets.log']);
    if (copied.code !== 0) throw new Error(`docker cp: ${copied.stderr}`);
    const started = await host.docker(['start', 'leaky']);
    if (started.code !== 0) throw new Error(`docker start: ${started.stderr}`);
    stack = await startStack({ config: testConfig([labHostEntry(host)]), mode: 'http' });
    redis = new Redis(inject('redisUrl'));
  });

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
    await host?.destroy();
  });

  it('holds at least a secret of every kind of the corpus in env or log', () => {
    expect(SECRET_CORPUS.filter((sample) => ENV_SHAPED.test(sample.text)).length).toBeGreaterThan(10);
    expect(SECRET_CORPUS.length).toBeGreaterThan(40);
  });

  it('logs, doctor, env-quotes and ps leak none of them, in messages, text fallbacks, files or audit', async () => {
    const asks = ['logs h1 leaky --tail 1000', 'doctor h1', 'check h1 env-quotes', 'ps h1'];
    for (const text of asks) {
      const ack = await stack.slack.slashCommand({ text, userId: USERS.operator, channelId: CHANNEL });
      expect(ack.status).toBe(200);
    }
    const done = async (match: RegExp) =>
      await waitForMessage(
        stack.slack,
        CHANNEL,
        (m) => m.kind === 'message' && !m.threadTs && match.test(textOf(m)),
        60_000,
      );
    const logs = await done(/h1 · logs leaky/);
    await done(/h1 · doctor/);
    await done(/h1 · env-quotes|h1 · check/);
    await done(/h1 · ps/);
    // The log is long enough to go out as a file in the thread too.
    await waitForMessage(stack.slack, CHANNEL, (m) => m.kind === 'file' && m.threadTs === logs.ts, 30_000);

    const sent = JSON.stringify([stack.slack.calls, stack.slack.messages(CHANNEL)]);
    const audit = JSON.stringify(await new AuditLog(redis).recent(1000));
    const leaked = SECRET_CORPUS.filter((sample) => sent.includes(sample.secret) || audit.includes(sample.secret));

    expect(leaked.map((sample) => sample.name)).toEqual([]);
    // And the log did reach Slack, redacted: the context around each secret survives.
    const unseen = SECRET_CORPUS.filter((sample) => !sample.keeps.every((kept) => sent.includes(jsonText(kept))));
    expect(unseen.map((sample) => sample.name)).toEqual([]);
  });
});
