// FleetStore.refresh against the run's real Redis: many hosts finishing at once.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetStore, newFleetId } from '../../src/queue/fleetStore.ts';
import { freshRedis } from '../support/redis.ts';

let redis: Redis;

beforeAll(async () => {
  redis = await freshRedis(7);
});

afterAll(() => {
  redis.disconnect();
});

const meta = (id: string) => ({
  id,
  command: 'diskcheck',
  target: 'all',
  channelId: 'C1',
  ts: '1.1',
  requestId: 'r1',
  startedAt: 0,
});

describe('FleetStore.refresh', () => {
  it.each([1, 2, 30])('with %i hosts finishing at once, the last render shows every row', async (count) => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    const hosts = Array.from({ length: count }, (_, i) => `h${i}`);
    await store.create(meta(id), hosts);
    const shown: number[] = [];
    const render = async () => {
      const current = await store.read(id);
      // A slow Slack update, so finishers pile up behind the lock.
      await new Promise((resolve) => setTimeout(resolve, 15));
      shown.push(current?.rows.filter((row) => row.state === 'done').length ?? -1);
    };

    await Promise.all(
      hosts.map(async (host) => {
        await store.setRow(id, { host, state: 'done', worst: 'ok', headline: 'all checks ok' });
        await store.refresh(id, render);
      }),
    );

    expect(shown.at(-1)).toBe(count);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    if (count === 30) expect(shown.length).toBeLessThan(10);
  });

  it('a render that fails leaves the change for the next finisher to show', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    await store.create(meta(id), ['a', 'b']);
    await store.setRow(id, { host: 'a', state: 'done' });
    await expect(store.refresh(id, () => Promise.reject(new Error('slack is down')))).rejects.toThrow('slack is down');
    const shown: number[] = [];

    await store.setRow(id, { host: 'b', state: 'done' });
    await store.refresh(id, async () => {
      shown.push((await store.read(id))?.rows.filter((row) => row.state === 'done').length ?? -1);
    });

    expect(shown).toEqual([2]);
  });
});
