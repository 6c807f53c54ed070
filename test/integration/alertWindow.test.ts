import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AlertState, AlertStore, newEventId } from '../../src/alerts/store.ts';
import { StormWindow } from '../../src/alerts/storm.ts';
import { ApprovalSigner } from '../../src/approvals/signature.ts';
import { ApprovalStore } from '../../src/approvals/store.ts';
import { StaticConfigSource } from '../../src/config/source.ts';
import type { AlertDeps } from '../../src/slack/alertThreads.ts';
import { flushWindow } from '../../src/slack/alertThreads.ts';
import type { SlackOut } from '../../src/slack/client.ts';
import { freshRedis } from '../support/redis.ts';
import { testConfig } from '../support/stack.ts';

const CHANNEL = 'CALERTS01';

interface Posted {
  channel: string;
  text: string;
  threadTs?: string;
}

/**
 * Slack as the storm window's flush sees it: every post is kept; the root of an alert on `refuse`
 * is refused, as Slack refuses a message it does not like.
 */
function slackRefusing(refuse: string, posted: Posted[]): SlackOut {
  let ts = 1000;
  return {
    async postMessage(channel, message, options) {
      if (!options?.threadTs && message.text.includes(`${refuse} · `)) throw new Error('invalid_blocks');
      posted.push({ channel, text: message.text, threadTs: options?.threadTs });
      ts += 1;
      return { ts: `${ts}.000100`, channel };
    },
    async update() {},
    async postEphemeral() {},
    async respond() {},
    async uploadFile() {},
  };
}

describe('the storm window flush on real Redis', () => {
  let redis: Redis;
  let store: AlertStore;
  let storm: StormWindow;
  let posted: Posted[];
  let deps: AlertDeps;

  /** A firing alert with its fire event waiting in the outbox, put in the channel's window. */
  const fire = async (host: string, check: string) => {
    const eventId = newEventId();
    const now = Date.now();
    const state: AlertState = {
      host,
      check,
      version: 0,
      status: 'firing',
      severity: 'crit',
      firedAt: now,
      summary: `${check} on ${host} is crit`,
      channel: CHANNEL,
      incident: 1,
      outbox: [{ id: eventId, kind: 'fire', severity: 'crit', text: `${check} on ${host} is crit`, at: now }],
      updatedAt: now,
    };
    await store.update(host, check, () => state);
    await storm.add(CHANNEL, { host, check, eventId });
    return eventId;
  };

  beforeAll(async () => {
    redis = await freshRedis(4);
  });
  afterAll(() => redis.disconnect());
  beforeEach(async () => {
    await redis.flushdb();
    store = new AlertStore(redis);
    storm = new StormWindow(redis, async () => {}, 50);
    posted = [];
    deps = {
      store,
      storm,
      config: new StaticConfigSource(testConfig([])),
      approvals: new ApprovalStore(redis, ApprovalSigner.random()),
      slack: slackRefusing('bad-host', posted),
    };
  });

  it('posts the other alerts of the window when one cannot be posted, and says so once', async () => {
    const badEvent = await fire('bad-host', 'daemon-health');
    await fire('good-host', 'disk-usage');

    const count = await flushWindow(deps, CHANNEL);

    expect(count).toBe(1);
    const roots = posted.filter((p) => !p.threadTs).map((p) => p.text);
    expect(roots.some((text) => text.includes('good-host · disk-usage'))).toBe(true);
    expect(roots.filter((text) => /could not post the alert for `bad-host` · daemon-health/.test(text))).toHaveLength(
      1,
    );
    // The fire stays in its outbox, so a later run queues it again.
    expect((await store.get('bad-host', 'daemon-health'))?.outbox.map((e) => e.id)).toEqual([badEvent]);
    expect((await store.get('good-host', 'disk-usage'))?.threadTs).toBeDefined();

    await redis.del(`dm:alert-claim:${badEvent}`);
    await storm.add(CHANNEL, { host: 'bad-host', check: 'daemon-health', eventId: badEvent });
    await flushWindow(deps, CHANNEL);

    expect(posted.filter((p) => /could not post the alert/.test(p.text))).toHaveLength(1);
  });
});
