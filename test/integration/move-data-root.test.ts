import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.ts';
import { parseConfig } from '../../src/config/load.ts';
import { moveDataRootFix } from '../../src/fixes/move-data-root.ts';
import { removeOldDataRootFix } from '../../src/fixes/remove-old-data-root.ts';
import { startDockerFix } from '../../src/fixes/start-docker.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostConnection, HostPool } from '../../src/hosts/types.ts';
import { restoreDaemonJson, saveDaemonJson, writeDaemonJsonWithComments } from '../lab/faults/daemon-config.ts';
import { addDataDisk } from '../lab/faults/data-root.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';

/**
 * The data-root runbook driven step by step as the worker drives it (runStep after recheck), on a
 * lab host whose /var/lib/docker is 95 % full next to a second filesystem with room.
 */
describe('move-data-root on a lab host', () => {
  let host: LabHost;
  let pool: HostPool;
  let conn: HostConnection;
  let original: string;

  const usedPct = async (mount: string) =>
    Number((await host.sh(`df -P ${mount} | tail -n 1 | awk '{print $5}' | tr -d %`)).stdout.trim());

  beforeAll(async () => {
    await cleanupStaleLab();
    host = await startLabHost({ name: 'mv1', diskMiB: 256 });
    await addDataDisk(host, { sizeMiB: 2048, mount: '/data' });
    await host.docker(['volume', 'create', 'webdata']);
    await host.docker([
      'run',
      '-d',
      '--name',
      'web',
      '--network',
      'none',
      '-v',
      'webdata:/srv',
      'busybox:local',
      'sh',
      '-c',
      "echo kept-across-the-move > /srv/proof; trap 'exit 0' TERM; sleep 3600 & wait",
    ]);
    await host.fillDisk(95);
    original = await saveDaemonJson(host);
    const config = parseConfig({ hosts: [labHostEntry(host)] }, 'test', '/');
    pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
    conn = await pool.acquire(config.hosts[0]!);
  }, 120_000);

  afterAll(async () => {
    await pool?.closeAll();
    await host?.destroy();
  });

  const proposal = async () => {
    const [result] = await runChecks(conn, ['data-root']);
    const fix = result?.findings.flatMap((finding) => finding.fixes ?? []).find((f) => f.fix === 'move-data-root');
    return moveDataRootFix.params.parse(fix?.params);
  };

  it('is offered by data-root, onto the second filesystem and not the machine root', async () => {
    const params = await proposal();

    expect(params).toMatchObject({ from: '/var/lib/docker', to: '/data/docker' });
  });

  it('refuses a daemon.json with comments with the exact line, before anything is stopped', async () => {
    const params = await proposal();
    await writeDaemonJsonWithComments(host, original);

    const recheck = await moveDataRootFix.recheck({ conn }, params);
    const stop = await moveDataRootFix.runStep!({ conn }, params, 1);
    await restoreDaemonJson(host, original);

    expect(recheck).toMatchObject({ ok: false });
    expect(!recheck.ok && recheck.reason).toContain(
      '/etc/docker/daemon.json line 2: `# keep containers alive during daemon downtime` — a comment',
    );
    expect(stop).toMatchObject({ ok: false, output: expect.stringMatching(/^not stopped: .*line 2/) });
    expect(await host.pingDocker()).toBe(true);
  });

  it('recognises and reports a configured root that is a symlink, in the check and in the plan', async () => {
    const config = JSON.parse(original) as Record<string, unknown>;
    await host.sh('ln -sfn /var/lib/docker /run/docker-link');
    await restoreDaemonJson(host, JSON.stringify({ ...config, 'data-root': '/run/docker-link' }, null, 2));

    const [result] = await runChecks(conn, ['data-root']);
    const plan = await moveDataRootFix.runStep!({ conn }, await proposal(), 0);
    await restoreDaemonJson(host, original);

    expect(result?.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warn',
        summary: '/run/docker-link, where dockerd is told to keep its data, is a symlink to /var/lib/docker',
      }),
    );
    expect(plan.output).toContain(
      '/run/docker-link (what dockerd is configured with) is a symlink to /var/lib/docker; once data-root is set it is no longer used',
    );
    expect(await host.pingDocker()).toBe(true);
  });

  it('refuses a target inside the old root', () => {
    const parsed = moveDataRootFix.params.safeParse({
      from: '/var/lib/docker',
      to: '/var/lib/docker/new',
      stamp: '20260102T030405Z',
    });

    expect(parsed.success).toBe(false);
  });

  it('moves the root step by step: same images, the container running with its volume data, the old dir kept', async () => {
    const params = await proposal();
    const imagesBefore = (await host.docker(['images', '-aq', '--no-trunc'])).stdout.trim().split('\n').sort();
    const steps = moveDataRootFix.plan(params);
    expect(steps).toHaveLength(7);

    expect(await moveDataRootFix.recheck({ conn }, params)).toMatchObject({ ok: true });
    const outputs: string[] = [];
    for (const [index] of steps.entries()) {
      const result = await moveDataRootFix.runStep!({ conn }, params, index);
      outputs.push(result.output);
      expect(result, `step ${index + 1}: ${result.output}`).toMatchObject({ ok: true });
      if (index === 1) {
        expect(await startDockerFix.recheck({ conn }, {})).toMatchObject({
          ok: false,
          reason: expect.stringContaining('stopped on purpose by the runbook run move-data-root-'),
        });
      }
    }

    expect(outputs[0]).toMatch(/\/var\/lib\/docker: \d+(\.\d+)? MiB in \d+ files/);
    expect(outputs[0]).toMatch(/rsync is not installed: the copy uses cp -a|copy with rsync/);
    expect(outputs[3]).toContain('the copy matches');
    const info = await host.docker(['info', '--format', '{{.DockerRootDir}}']);
    expect(info.stdout.trim()).toBe('/data/docker');
    expect((await host.docker(['images', '-aq', '--no-trunc'])).stdout.trim().split('\n').sort()).toEqual(imagesBefore);
    expect((await host.docker(['inspect', '-f', '{{.State.Running}}', 'web'])).stdout.trim()).toBe('true');
    expect((await host.docker(['exec', 'web', 'cat', '/srv/proof'])).stdout.trim()).toBe('kept-across-the-move');
    expect((await host.sh('test -d /var/lib/docker/image && echo kept')).stdout.trim()).toBe('kept');
    const [disk] = await runChecks(conn, ['disk-usage']);
    const rootFs = disk?.findings.find((finding) => finding.summary.includes('holds the Docker root dir'));
    expect(rootFs).toMatchObject({ severity: 'ok', summary: expect.stringMatching(/^\/data(\/docker)? is \d+% full/) });

    const removal = moveDataRootFix.followUp!(params, steps.length - 1, 'done');
    expect(removal).toMatchObject({
      fix: 'remove-old-data-root',
      params: { path: '/var/lib/docker', now: '/data/docker' },
    });
    const removed = await removeOldDataRootFix.runStep!(
      { conn },
      removeOldDataRootFix.params.parse(removal?.params),
      0,
    );
    expect(removed).toMatchObject({ ok: true });
    expect(await usedPct('/var/lib/docker')).toBeLessThan(80);
    expect((await host.docker(['exec', 'web', 'cat', '/srv/proof'])).stdout.trim()).toBe('kept-across-the-move');
  }, 300_000);
});
