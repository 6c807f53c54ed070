import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.ts';
import { runChecks } from '../../src/checks/run.ts';
import { parseConfig } from '../../src/config/load.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostPool } from '../../src/hosts/types.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';

// Checks whose evidence is the shell (nfs-flock needs the containers' mounts, so it waits for dockerd).
const SHELL_SIDE = ['disk-usage', 'inode-usage', 'tmp-noexec', 'tty-in-cron', 'daemon-config', 'devicemapper-errors'];

describe('doctor on a host whose dockerd is stopped', () => {
  let host: LabHost;
  let pool: HostPool;

  beforeAll(async () => {
    await cleanupStaleLab();
    host = await startLabHost({ name: 'dd1', diskMiB: 128 });
    const config = parseConfig({ hosts: [labHostEntry(host)] }, 'test', process.cwd());
    pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
  });

  afterAll(async () => {
    await pool?.closeAll();
    await host?.destroy();
  });

  const doctor = async () => {
    const conn = await pool.acquire(parseConfig({ hosts: [labHostEntry(host)] }, 't', '/').hosts[0]!);
    const started = performance.now();
    const results = await runChecks(
      conn,
      CHECKS.map((check) => check.id),
    );
    return { results, ms: performance.now() - started };
  };

  it('still reports every shell-side check, one clear daemon-health crit, and takes no longer than on a healthy host', async () => {
    await doctor(); // warm the connection
    const healthy = await doctor();
    await host.stopDockerd('SIGKILL');
    const down = await doctor();

    const findings = down.results.flatMap((result) => result.findings);
    const dockerdDown = findings.filter((f) => f.severity === 'crit' && /dockerd is not running/.test(f.summary));
    expect(dockerdDown).toHaveLength(1);
    expect(dockerdDown[0]?.check).toBe('daemon-health');
    for (const id of SHELL_SIDE) {
      const result = down.results.find((r) => r.check === id);
      expect(result?.error, `${id} collected its evidence`).toBeUndefined();
      expect(result?.findings.length, `${id} has findings`).toBeGreaterThan(0);
    }
    // No hanging on the dead socket: same time bound as the healthy run (with room for a noisy machine).
    expect(down.ms).toBeLessThan(Math.max(3 * healthy.ms, healthy.ms + 2000));
  });
});
