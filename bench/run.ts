/**
 * npm run bench [-- ack diskcheck fleet monitor]: benchmarks print figures, each beside a baseline
 * measured in the same run; nothing is asserted (see test/). With no names, all of them run.
 * Fleet sizes: DM_BENCH_FLEET="10 30" (the default; up to 30 docker hosts, above that sshd-only:
 * DM_BENCH_FLEET="200 500"); DM_BENCH_SLACK_LIMITS=off stops asking the Slack stand-in for Slack's
 * rate limits. Monitored fleet sizes: DM_BENCH_MONITOR="50 1000" (after an idle worker, the baseline).
 */
import { startEmbeddedRedis } from '../src/embedded/redis.ts';
import { benchAck } from './ack.ts';
import { benchDiskcheck } from './diskcheck.ts';
import { benchFleet } from './fleet.ts';
import { benchMonitorScale } from './monitor.ts';

const wanted = new Set(process.argv.slice(2));
const runs = (name: string) => wanted.size === 0 || wanted.has(name);

const redis = await startEmbeddedRedis();
try {
  if (runs('ack')) await benchAck(redis.url);
  if (runs('diskcheck')) await benchDiskcheck();
  if (runs('fleet')) {
    for (const size of (process.env.DM_BENCH_FLEET ?? '10 30').split(/\s+/).map(Number))
      await benchFleet(redis.url, size);
  }
  if (runs('monitor')) {
    const sizes = (process.env.DM_BENCH_MONITOR ?? '50').split(/\s+/).map(Number);
    await benchMonitorScale(redis.url, sizes);
  }
} finally {
  await redis.stop();
}
