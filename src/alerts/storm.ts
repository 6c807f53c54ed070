// Storm control: fires are not posted one by one but gathered per channel for a short window. The
// first fire in a window opens it and schedules one flush; the flush takes everything gathered in
// one atomic step (so a fire arriving meanwhile opens the next window instead of being lost) and
// posts either one root per alert (a few) or one grouped root for all of them (a storm).

import type { Redis } from 'ioredis';

export interface WindowEntry {
  host: string;
  check: string;
  eventId: string;
}

/** At this many fires in one window and channel, they share one grouped message. */
export const GROUP_AT = 4;
export const DEFAULT_STORM_WINDOW_MS = 5000;

const listKey = (channel: string) => `dm:alert-window:${channel}`;
const openKey = (channel: string) => `dm:alert-window-open:${channel}`;

// Returns 1 when this push opened the window (the caller schedules its flush).
const ADD = `
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], 3600)
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`;

// Takes the whole window and closes it in one step.
const TAKE = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
return items
`;

export class StormWindow {
  constructor(
    private readonly redis: Redis,
    private readonly scheduleFlush: (channel: string, delayMs: number) => Promise<void>,
    readonly windowMs: number = DEFAULT_STORM_WINDOW_MS,
  ) {}

  async add(channel: string, entry: WindowEntry): Promise<void> {
    // The open-marker outlives the window a little: a flush that never ran is noticed by the next
    // monitor run re-queueing its stale fire, not by this marker lingering.
    const opened = (await this.redis.eval(
      ADD,
      2,
      listKey(channel),
      openKey(channel),
      JSON.stringify(entry),
      String(this.windowMs * 6),
    )) as number;
    if (opened === 1) await this.scheduleFlush(channel, this.windowMs);
  }

  async take(channel: string): Promise<WindowEntry[]> {
    const items = (await this.redis.eval(TAKE, 2, listKey(channel), openKey(channel))) as string[];
    const seen = new Set<string>();
    const entries: WindowEntry[] = [];
    for (const item of items) {
      const entry = JSON.parse(item) as WindowEntry;
      if (seen.has(entry.eventId)) continue;
      seen.add(entry.eventId);
      entries.push(entry);
    }
    return entries;
  }
}
