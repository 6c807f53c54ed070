/**
 * Ack latency of signed slash commands over HTTP: 500 requests, 20 at a time, against the real Bolt
 * app, beside two baselines in the same run: GET /healthz on the same server (HTTP floor) and a
 * signed `/docker help` (Bolt + signature, no Redis). Prints p50/p99 and ratios.
 */
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../src/config/load.ts';
import { StaticConfigSource } from '../src/config/source.ts';
import { startRuntime } from '../src/runtime.ts';
import { startLocalSlack } from '../src/slack/local/localSlack.ts';
import { freePort } from '../test/support/stack.ts';
import { ms, summary, timedPool } from './stats.ts';

const TOTAL = 500;
const CONCURRENCY = 20;

export async function benchAck(redisUrl: string): Promise<void> {
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = 'xoxb-bench';
  const slack = await startLocalSlack({ signingSecret, botToken });
  const port = await freePort();
  // Everyone a viewer and a bucket the run never empties: this measures the ack path, admission included.
  const config = parseConfig(
    {
      hosts: [{ name: 'box', address: 'local' }],
      access: { viewers: ['*'], rateLimit: { capacity: 10_000, refillEvery: '1s' } },
    },
    'bench',
    process.cwd(),
  );
  const runtime = await startRuntime({
    config: new StaticConfigSource(config),
    redisUrl,
    bot: true,
    worker: false,
    env: {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: port,
      DOCKMEDIC_APPROVAL_SECRET: randomBytes(16).toString('hex'),
    },
  });
  slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  try {
    // A user per request: one person's identical requests are deduplicated, not queued (src/queue/inflight.ts).
    const command = (text: string) => (i: number) =>
      slack.slashCommand({ text, userId: `UBENCH${i}`, channelId: 'CBENCH1' });
    // Warm-up: JIT, connection pools.
    await timedPool(50, CONCURRENCY, command('help'));
    const healthz = await timedPool(TOTAL, CONCURRENCY, () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.text()),
    );
    const help = await timedPool(TOTAL, CONCURRENCY, command('help'));
    const diskcheck = await timedPool(TOTAL, CONCURRENCY, command('diskcheck box'));
    const base = summary(healthz);
    const rows: Array<[string, number[]]> = [
      ['GET /healthz (floor)', healthz],
      ['signed /docker help', help],
      ['signed /docker diskcheck (enqueue)', diskcheck],
    ];
    console.log(`\nAck latency over HTTP, ${TOTAL} requests, ${CONCURRENCY} concurrent`);
    for (const [name, samples] of rows) {
      const s = summary(samples);
      console.log(
        `  ${name.padEnd(36)} p50 ${ms(s.p50).padStart(9)}  p99 ${ms(s.p99).padStart(9)}  max ${ms(s.max).padStart(9)}  p99/floor p99 ${(s.p99 / base.p99).toFixed(2)}x`,
      );
    }
    const target = summary(diskcheck).p99 < 100 ? 'met' : 'NOT met';
    console.log(`  target ack p99 < 100 ms: ${target}`);
  } finally {
    await runtime.stop();
    await slack.close();
  }
}
