// FleetStore against the run's real Redis: many hosts finishing at once, renders paced and serialized,
// the last state always rendered; details once per host; a retried fleet job keeps its rows.

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_RENDER_INTERVAL_MS, FleetStore, newFleetId } from '../../src/queue/fleetStore.ts';
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
  requestId: 'rq-abcdef',
  startedAt: 0,
});

/** Like the workers: a change asks for a render; a render that is due runs after its delay. */
function finisher(store: FleetStore, id: string, render: () => Promise<void>, running: Set<Promise<void>>) {
  return async (host: string) => {
    await store.setRow(id, { host, state: 'done', worst: 'ok', headline: 'all checks ok' });
    const delay = await store.requestRender(id);
    if (delay === undefined) return;
    const job = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => store.render(id, render));
    running.add(job);
  };
}

async function settle(running: Set<Promise<void>>): Promise<void> {
  while (running.size > 0) {
    const jobs = [...running];
    await Promise.all(jobs);
    for (const job of jobs) running.delete(job);
  }
}

describe('FleetStore renders', () => {
  it.each([1, 2, 30])('with %i hosts finishing at once, the last render shows every row', async (count) => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    const hosts = Array.from({ length: count }, (_, i) => `h${i}`);
    await store.create(meta(id), hosts);
    const shown: Array<{ done: number; at: number }> = [];
    const render = async () => {
      const current = await store.read(id);
      // A slow Slack update, so finishers pile up behind it.
      await new Promise((resolve) => setTimeout(resolve, 15));
      shown.push({ done: current?.rows.filter((row) => row.state === 'done').length ?? -1, at: Date.now() });
    };
    const running = new Set<Promise<void>>();

    await Promise.all(hosts.map(finisher(store, id, render, running)));
    await settle(running);

    expect(shown.at(-1)?.done).toBe(count);
    const counts = shown.map((s) => s.done);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(shown.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < shown.length; i += 1) {
      expect((shown[i]?.at ?? 0) - (shown[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(FLEET_RENDER_INTERVAL_MS - 50);
    }
  });

  it('hosts finishing during a render get a render after it, never lost', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    await store.create(meta(id), ['a', 'b', 'c']);
    const shown: number[] = [];
    const running = new Set<Promise<void>>();
    let finishLater: (() => Promise<void>) | undefined;
    const render = async () => {
      const current = await store.read(id);
      await finishLater?.();
      finishLater = undefined;
      shown.push(current?.rows.filter((row) => row.state === 'done').length ?? -1);
    };
    const finish = finisher(store, id, render, running);
    finishLater = async () => {
      await finish('b');
      await finish('c');
    };

    await finish('a');
    await settle(running);

    expect(shown).toEqual([1, 3]);
  });

  it('a render that fails leaves the change for the next render', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    await store.create(meta(id), ['a', 'b']);
    await store.setRow(id, { host: 'a', state: 'done' });
    expect(await store.requestRender(id)).toBe(0);
    await expect(store.render(id, () => Promise.reject(new Error('slack is down')))).rejects.toThrow('slack is down');
    const shown: number[] = [];

    await store.render(id, async () => {
      shown.push((await store.read(id))?.rows.filter((row) => row.state === 'done').length ?? -1);
    });

    expect(shown).toEqual([1]);
    await store.setRow(id, { host: 'b', state: 'done' });
    expect(await store.requestRender(id)).toBeGreaterThan(0);
  });
});

describe('FleetStore final render', () => {
  it('renders the last host at once, and a render with nothing new edits nothing', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    await store.create(meta(id), ['a', 'b']);
    let renders = 0;
    const render = async () => {
      renders += 1;
    };

    const first = await store.setRow(id, { host: 'a', state: 'done' });
    await store.requestRender(id, { final: first.remaining === 0 });
    await store.render(id, render);
    const last = await store.setRow(id, { host: 'b', state: 'done' });
    const paced = await store.requestRender(id, { final: false });
    await store.cancelRender(id);
    const delay = await store.requestRender(id, { final: last.remaining === 0 });
    await store.render(id, render);
    await store.render(id, render);

    expect([first.remaining, last.remaining]).toEqual([1, 0]);
    expect(paced).toBeGreaterThan(FLEET_RENDER_INTERVAL_MS / 2);
    expect(delay).toBe(0);
    expect(renders).toBe(2);
  });
});

describe('FleetStore state', () => {
  it('keeps the rows of a fleet created twice (a retried fleet job)', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    await store.create(meta(id), ['a', 'b']);
    await store.setRow(id, { host: 'a', state: 'done', worst: 'crit', headline: 'disk full' });

    const again = await store.create(meta(id), ['a', 'b']);

    expect(again).toBe(false);
    expect((await store.read(id))?.rows.find((row) => row.host === 'a')?.state).toBe('done');
  });

  it('takes a host detail once however often its job runs, and hands out what is not posted yet', async () => {
    const store = new FleetStore(redis);
    const id = newFleetId();
    const detail = (host: string) => ({
      host,
      command: 'diskcheck',
      worst: 'crit' as const,
      headline: `${host} is full`,
      highlights: [],
      buttons: [],
    });
    await store.addDetail(id, detail('a'));
    await store.addDetail(id, detail('a'));
    await store.addDetail(id, detail('b'));

    const first = await store.unpostedDetails(id);
    await store.markDetailsPosted(id, 1);
    const later = await store.unpostedDetails(id);

    expect(first.details.map((d) => d.host)).toEqual(['a', 'b']);
    expect(later).toMatchObject({ from: 1, details: [{ host: 'b' }] });
  });
});
