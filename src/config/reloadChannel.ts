import type { Redis } from 'ioredis';
import { log } from '../log.ts';

/** Every dockmedic process (bots and workers, on any machine) listens here for "reload your config". */
export const RELOAD_CHANNEL = 'dm:config-reload';

/**
 * Subscribes a dedicated connection (a subscribed ioredis client can do nothing else) and calls
 * `reload` on each message. Returns a function that unsubscribes and closes it.
 */
export async function listenForReload(subscriber: Redis, reload: () => void): Promise<() => void> {
  subscriber.on('message', (channel) => {
    if (channel === RELOAD_CHANNEL) reload();
  });
  await subscriber.subscribe(RELOAD_CHANNEL).catch((err: unknown) => log.warn({ err }, 'cannot listen for reloads'));
  return () => subscriber.disconnect();
}

/** Asks every running process to reload; returns how many were listening. */
export async function broadcastReload(publisher: Redis): Promise<number> {
  return await publisher.publish(RELOAD_CHANNEL, String(Date.now()));
}
