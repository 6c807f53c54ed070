/**
 * npm run bench [-- ack diskcheck fleet]: benchmarks print figures; nothing is asserted (see test/).
 * With no names, all of them run. Fleet sizes: DM_BENCH_FLEET="10 30"; monitored fleet sizes:
 * DM_BENCH_MONITOR="50 200" (more than one prints RSS per host and the extrapolation to 1,000).
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
