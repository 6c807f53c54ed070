// One connection per host name, opened on first use and reused. Concurrent acquires share one
// connect; a connection that dropped is replaced on the next acquire; a host whose config changed
// gets a fresh connection. A failed connect is not cached: the next acquire tries again.

import { isDeepStrictEqual } from 'node:util';
import type { HostConfig } from '../config/schema.ts';
import { log } from '../log.ts';
import { LocalConnection } from './localConnection.ts';
import { SshConnection } from './sshConnection.ts';
import type { ConnectionSettings, HostConnection, HostPool, ManagedConnection } from './types.ts';

interface PoolEntry {
  host: HostConfig;
  opening: Promise<ManagedConnection>;
  connection?: ManagedConnection;
}

export function createHostPool(options: ConnectionSettings): HostPool {
  return new ConnectionPool(options);
}

/** Opens the right kind of connection for a host entry. */
export function openConnection(host: HostConfig, settings: ConnectionSettings): Promise<ManagedConnection> {
  if (host.address === 'local') return Promise.resolve(new LocalConnection(host, settings));
  return SshConnection.open(host, settings);
}

class ConnectionPool implements HostPool {
  readonly #settings: ConnectionSettings;
  readonly #entries = new Map<string, PoolEntry>();
  #closed = false;

  constructor(settings: ConnectionSettings) {
    this.#settings = settings;
  }

  async acquire(host: HostConfig): Promise<HostConnection> {
    if (this.#closed) throw new Error(`while acquiring ${host.name}: the host pool is closed`);
    const entry = this.#entries.get(host.name);
    if (entry && this.#reusable(entry, host)) return entry.opening;
    if (entry) this.#retire(entry);
    return this.#open(host);
  }

  #reusable(entry: PoolEntry, host: HostConfig): boolean {
    if (!isDeepStrictEqual(entry.host, host)) return false;
    // Still connecting: share that attempt.
    if (!entry.connection) return true;
    return entry.connection.alive;
  }

  #open(host: HostConfig): Promise<ManagedConnection> {
    const entry: PoolEntry = { host, opening: openConnection(host, this.#settings) };
    this.#entries.set(host.name, entry);
    entry.opening.then(
      (connection) => {
        entry.connection = connection;
        // closeAll() ran while we were connecting: do not leave this one behind.
        if (this.#closed || this.#entries.get(host.name) !== entry) void connection.close();
      },
      () => {
        if (this.#entries.get(host.name) === entry) this.#entries.delete(host.name);
      },
    );
    return entry.opening;
  }

  /**
   * Forgets an entry. A live connection (its host entry changed) is closed in the background; a
   * dead or retiring one closes itself, letting commands still running on it finish.
   */
  #retire(entry: PoolEntry): void {
    if (this.#entries.get(entry.host.name) === entry) this.#entries.delete(entry.host.name);
    const connection = entry.connection;
    if (!connection?.alive) return;
    connection
      .close()
      .catch((error: unknown) => log.warn({ host: entry.host.name, err: error }, 'closing a pooled connection failed'));
  }

  async release(hostName: string): Promise<void> {
    const entry = this.#entries.get(hostName);
    if (!entry) return;
    this.#entries.delete(hostName);
    await closeEntry(entry);
  }

  async closeAll(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map(closeEntry));
  }
}

async function closeEntry(entry: PoolEntry): Promise<void> {
  let connection: ManagedConnection;
  try {
    connection = await entry.opening;
  } catch {
    return;
  }
  await connection.close();
}
