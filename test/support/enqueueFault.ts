// Preloaded into a `dockmedic bot` process (node --import tsx --import this file) to make its fix
// enqueue fail the way production can, at the one moment that matters: after the approval was
// recorded, before the job is in Redis. DM_TEST_ENQUEUE_FAULT picks the fault, for the first enqueue:
// - `crash`: the process dies there (SIGKILL to itself), as a bot killed mid-click would;
// - `late`: the enqueue reports a timeout, and the job lands in Redis a second later anyway.
// Later enqueues behave normally. Test code only: the product has no such hook.

import { Queues } from '../../src/queue/queues.ts';
import { queueUnavailable } from '../../src/queue/redis.ts';

const fault = process.env.DM_TEST_ENQUEUE_FAULT;
const original = Queues.prototype.enqueueFix;
let calls = 0;

Queues.prototype.enqueueFix = async function enqueueFixWithFault(this: Queues, approvalId: string, attempt: number) {
  calls += 1;
  if (calls > 1 || !fault) return await original.call(this, approvalId, attempt);
  if (fault === 'crash') {
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => {});
  }
  setTimeout(() => {
    original.call(this, approvalId, attempt).catch(() => {});
  }, 1000);
  throw queueUnavailable(new Error('enqueue timed out (test fault)'));
};
