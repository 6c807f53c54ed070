import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.ts';
import { parseConfig } from '../../src/config/load.ts';
import { removeUnusedVolumesFix } from '../../src/fixes/remove-unused-volumes.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostConnection, HostPool } from '../../src/hosts/types.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';

describe('unused volumes on a lab host', () => {
  let host: LabHost;
  let pool: HostPool;
  let conn: HostConnection;

  const volumes = async () =>
    (await host.docker(['volume', 'ls', '-q'])).stdout.trim().split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    await cleanupStaleLab();
    host = await startLabHost({ name: 'vol1', diskMiB: 128 });
    const config = parseConfig({ hosts: [labHostEntry(host)] }, 'test', '/');
    pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
    conn = await pool.acquire(config.hosts[0]!);
  });

  afterAll(async () => {
    await pool?.closeAll();
    await host?.destroy();
  });

  it('offers the unused ones by name and removes them one approved step at a time; a used one is kept', async () => {
    await host.docker(['volume', 'create', 'old-data']);
    await host.docker(['volume', 'create', 'scratch']);
    await host.docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'keeper',
      '-v',
      'live-data:/data',
      'busybox:local',
      'sleep',
      '3600',
    ]);

    const [result] = await runChecks(conn, ['reclaimable']);
    const finding = result?.findings.find((f) => f.summary.includes('volume'));
    const proposal = finding?.fixes?.[0];
    expect(finding?.summary).toMatch(/2 volume\(s\) no container uses/);
    expect(proposal?.fix).toBe('remove-unused-volumes');
    const params = removeUnusedVolumesFix.params.parse(proposal?.params);
    expect(params.names.split(',').sort()).toEqual(['old-data', 'scratch']);
    expect(removeUnusedVolumesFix.plan(params)).toHaveLength(2);

    expect(await removeUnusedVolumesFix.recheck({ conn }, params)).toEqual({ ok: true });
    const first = await removeUnusedVolumesFix.runStep!({ conn }, params, 0);
    expect(first.ok).toBe(true);
    expect((await volumes()).length).toBe(2);
    const second = await removeUnusedVolumesFix.runStep!({ conn }, params, 1);
    expect(second.ok).toBe(true);

    expect(await volumes()).toEqual(['live-data']);
    expect(await removeUnusedVolumesFix.recheck({ conn }, params)).toMatchObject({ ok: false });
  });

  it('refuses a volume that came into use after the offer', async () => {
    await host.docker(['volume', 'create', 'late']);
    const params = { names: 'late' };
    await host.docker([
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      'late-user',
      '-v',
      'late:/data',
      'busybox:local',
      'sleep',
      '3600',
    ]);

    const step = await removeUnusedVolumesFix.runStep!({ conn }, params, 0);

    expect(step).toEqual({ ok: false, output: 'volume late is in use again: not removed' });
    expect(await volumes()).toContain('late');
  });
});
