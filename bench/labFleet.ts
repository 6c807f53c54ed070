/**
 * Many lab hosts for a benchmark, started in batches: each start runs ssh-keygen twice, nsenter and
 * sshd, so starting hundreds at once would only queue on the two cores and trip start timeouts.
 * Before starting, the process's file-descriptor limit is checked against what the run will hold
 * open (one pipe per host's namespace holder, plus SSH connections): past it, Node fails with EMFILE
 * in the middle of a run instead.
 */
import { readFileSync } from 'node:fs';
import { cleanupStaleLab, type LabHost, startLabHost } from '../test/lab/lab.ts';

/** Hosts started at once: about what 2 cores get through without sshd start timeouts. */
const BATCH = 10;

export interface LabFleetOptions {
  /** Host names are `${prefix}${i}`. */
  prefix: string;
  docker: boolean;
  diskMiB?: number;
  /** File descriptors the benchmark holds per host beyond the lab's own (SSH connections, …). */
  fdsPerHost: number;
}

/** The soft and hard `ulimit -n` of this process. */
export function openFileLimit(): { soft: number; hard: number } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const parse = (value: string | undefined) => (value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value));
  return { soft: parse(line?.[1]), hard: parse(line?.[2]) };
}

/** Throws, saying what to run, when `count` hosts would need more file descriptors than allowed. */
export function checkFileLimit(count: number, fdsPerHost: number): void {
  // One stderr pipe per namespace holder, a few transient ones while starting, Redis, the app.
  const needed = count * (1 + fdsPerHost) + 512;
  const { soft, hard } = openFileLimit();
  if (needed <= soft) return;
  throw new Error(
    `${count} lab hosts need about ${needed} file descriptors and ulimit -n is ${soft} (hard ${hard}): ` +
      `run \`ulimit -n ${Math.max(needed, 65_536)}\` first (npm run bench raises the soft limit to the hard one)`,
  );
}

export async function startLabFleet(count: number, options: LabFleetOptions): Promise<LabHost[]> {
  checkFileLimit(count, options.fdsPerHost);
  await cleanupStaleLab();
  const hosts: LabHost[] = [];
  const started = performance.now();
  try {
    for (let first = 0; first < count; first += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - first) }, (_, i) =>
        startLabHost({ name: `${options.prefix}${first + i}`, docker: options.docker, diskMiB: options.diskMiB }),
      );
      const settled = await Promise.allSettled(batch);
      for (const result of settled) if (result.status === 'fulfilled') hosts.push(result.value);
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    await destroyLabFleet(hosts);
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`  (${count} ${options.docker ? 'docker' : 'sshd-only'} lab hosts started in ${seconds.toFixed(0)} s)`);
  return hosts;
}

export async function destroyLabFleet(hosts: readonly LabHost[]): Promise<void> {
  for (let first = 0; first < hosts.length; first += 50) {
    await Promise.allSettled(hosts.slice(first, first + 50).map((host) => host.destroy()));
  }
}
