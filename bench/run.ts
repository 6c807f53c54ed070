/** npm run bench: every benchmark, figures printed; nothing asserted (see test/ for behaviour). */
import { startEmbeddedRedis } from '../src/embedded/redis.ts';
import { benchAck } from './ack.ts';
import { benchDiskcheck } from './diskcheck.ts';

const redis = await startEmbeddedRedis();
try {
  await benchAck(redis.url);
  await benchDiskcheck();
} finally {
  await redis.stop();
}
