import { batchingConnection, worthBatching } from '../hosts/execBatch.ts';
import type { HostConnection } from '../hosts/types.ts';
import type { CheckContext } from '../checks/types.ts';

/**
 * A context whose memo shares evidence (docker info, df) between the checks and fixes of one run,
 * and whose shell commands asked for in the same tick go to the host as one script (execBatch.ts).
 */
export function createContext(conn: HostConnection): CheckContext {
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
