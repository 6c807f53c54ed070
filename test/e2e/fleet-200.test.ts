// `/docker diskcheck all` over 200 real hosts (sshd-only lab hosts: no dockerd, so each also reports
// its daemon as down) with long real-world names, against a stand-in that rate limits harder than
// Slack does, so 429s are met for sure. Every host must be visible in the final summary or its file,
// no message may be refused, and the final state must arrive despite the 429s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { emptyStackRedis } from '../support/redis.ts';
import { fleetRowsOf } from '../support/slackMessages.ts';
import { CHANNEL, labHostEntry, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

const HOSTS = 200;
const nameOf = (index: number) =>
  `docker-prod-eu-west-${1 + (index % 3)}-node-${String(index).padStart(3, '0')}.corp.example.internal`;

/** Half of Slack's chat.update rate and a third of its per-channel posting rate, with small bursts. */
const TIGHT = {
  'chat.update': { perMinute: 25, burst: 2, per: 'app' as const },
  'chat.postMessage': { perMinute: 20, burst: 2, per: 'channel' as const },
};

async function startInBatches(count: number, batch: number): Promise<LabHost[]> {
  const hosts: LabHost[] = [];
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    const started = await Promise.all(
      Array.from({ length: size }, (_, i) => startLabHost({ name: `fh${start + i}`, docker: false })),
    );
    hosts.push(...started);
  }
  return hosts;
}

describe(`a fleet run over ${HOSTS} hosts with rate limits on`, () => {
  let hosts: LabHost[] = [];
  let stack: Stack;

  beforeAll(async () => {
    await cleanupStaleLab();
    await emptyStackRedis();
    hosts = await startInBatches(HOSTS, 25);
    const entries = hosts.map((host, index) => ({ ...labHostEntry(host), name: nameOf(index) }));
    stack = await startStack({ config: testConfig(entries), mode: 'http', slack: { rateLimits: TIGHT } });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.allSettled(hosts.map((host) => host.destroy()));
  });

  it('lists every host, refuses nothing, and shows the final state despite 429s', async () => {
    const started = Date.now();

    const ack = await stack.slack.slashCommand({ text: 'diskcheck all', userId: USERS.requester, channelId: CHANNEL });
    expect(JSON.stringify(ack.body)).toContain(`all (${HOSTS} hosts)`);
    const summary = await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .find((m) => m.kind === 'message' && !m.threadTs && m.text.includes(`${HOSTS}/${HOSTS} hosts answered`)),
      240_000,
    );
    const elapsedMs = Date.now() - started;
    console.info(`diskcheck all over ${HOSTS} hosts: final summary after ${(elapsedMs / 1000).toFixed(1)} s`);

    const listed = fleetRowsOf(summary);
    const thread = stack.slack.messages(CHANNEL).filter((m) => m.threadTs === summary.ts);
    const table = thread.find((m) => m.kind === 'file')?.file?.content ?? '';
    for (let index = 0; index < HOSTS; index += 1) {
      const visible = listed.has(nameOf(index)) || table.includes(nameOf(index));
      expect(visible, `${nameOf(index)} is in the summary or its file`).toBe(true);
    }
    expect(stack.slack.refusals.filter((refusal) => refusal.error !== 'ratelimited')).toEqual([]);
    expect(stack.slack.refusals.some((refusal) => refusal.error === 'ratelimited')).toBe(true);
    // Hosts with something to say share a few replies; the summary is edited far fewer times than hosts.
    // The details of every hot host follow in the thread, a few hosts per reply.
    const hot = [...listed].filter(([, label]) => label === 'crit' || label === 'warn').map(([host]) => host);
    const inThread = () =>
      stack.slack
        .messages(CHANNEL)
        .filter((m) => m.threadTs === summary.ts && m.kind === 'message')
        .map((m) => JSON.stringify(m.blocks))
        .join('\n');
    await stack.slack.waitFor(() => hot.every((host) => inThread().includes(host)), 180_000);
    console.info(`every hot host's details in the thread after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const replies = stack.slack.messages(CHANNEL).filter((m) => m.threadTs === summary.ts && m.kind === 'message');
    console.info(`${listed.size} hosts listed in the summary itself, ${replies.length} replies in its thread`);
    if (listed.size < HOSTS) expect(table).not.toBe('');
    expect(replies.length).toBeLessThanOrEqual(Math.ceil(HOSTS / 5));
    const edits = stack.slack.calls.filter((call) => call.method === 'chat.update' && call.body.ts === summary.ts);
    expect(edits.length).toBeLessThan(HOSTS / 4);
  });
});
