import { batchingConnection, worthBatching } from '../hosts/execBatch.ts';
import type { HostConnection } from '../hosts/types.ts';

/** What collecting evidence needs: the host connection and a memo shared by one run's checks and fixes. */
export interface EvidenceContext {
  conn: HostConnection;
  /** Evidence shared between checks of one run (docker info, df) is collected once. */
  memo<T>(key: string, collect: () => Promise<T>): Promise<T>;
}

/**
 * A context whose memo shares evidence (docker info, df) between the checks and fixes of one run,
 * and whose shell commands asked for in the same tick go to the host as one script (execBatch.ts).
 */
export function createContext(conn: HostConnection): EvidenceContext {
  const cache = new Map<string, Promise<unknown>>();
  return {
    conn: worthBatching(conn) ? batchingConnection(conn) : conn,
    memo<T>(key: string, collect: () => Promise<T>): Promise<T> {
      let pending = cache.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = collect();
        cache.set(key, pending);
      }
      return pending;
    },
  };
}
