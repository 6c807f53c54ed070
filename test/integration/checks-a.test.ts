// The playbook checks daemon-config, tmp-noexec, dead-containers, tty-in-cron, devicemapper-errors,
// container-health, container-user and image-children on real lab hosts over SSH: healthy → ok,
// fault injected → the playbook's severity with the evidence quoted, fix run → ok again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.ts';
import type { CheckResult, Finding } from '../../src/checks/types.ts';
import { HostConfig } from '../../src/config/schema.ts';
import { imageDependencies } from '../../src/evidence/imageGraph.ts';
import { cronDropTtyFix } from '../../src/fixes/cron-drop-tty.ts';
import { daemonLiveRestoreFix } from '../../src/fixes/daemon-live-restore.ts';
import { type OrphanDirsParams, orphanContainerDirsFix } from '../../src/fixes/orphan-container-dirs.ts';
import { remountTmpExecFix } from '../../src/fixes/remount-tmp-exec.ts';
import { removeDeadContainerFix } from '../../src/fixes/remove-dead-container.ts';
import { removeImageChildrenFix } from '../../src/fixes/remove-image-children.ts';
import { restartContainerFix } from '../../src/fixes/restart-container.ts';
import type { Fix } from '../../src/fixes/types.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostConnection, HostPool } from '../../src/hosts/types.ts';
import { makeOomKilledAndWait, makeRestartLoop, makeUnhealthy, waitForState } from '../lab/faults/container-health.ts';
import { makeNonRootDenied } from '../lab/faults/container-user.ts';
import {
  restoreDaemonJson,
  saveDaemonJson,
  writeDaemonJsonWithComments,
  writeDaemonJsonWithGraph,
} from '../lab/faults/daemon-config.ts';
import { makeDeadContainer, makeOrphanDir, releaseDeadContainer } from '../lab/faults/dead-containers.ts';
import { appendDevicemapperError, rotateDaemonLog } from '../lab/faults/devicemapper-errors.ts';
import { makeImageWithChild } from '../lab/faults/image-children.ts';
import { remountTmpNoexec } from '../lab/faults/tmp-noexec.ts';
import { CRON_FILE, privateCronDirs, readCrontab, writeTtyCrontab } from '../lab/faults/tty-in-cron.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { labHostEntry } from '../support/stack.ts';

let shellHost: LabHost;
let containerHost: LabHost;
let pool: HostPool;

beforeAll(async () => {
  await cleanupStaleLab();
  [shellHost, containerHost] = await Promise.all([
    startLabHost({ name: 'checks-a-1' }),
    startLabHost({ name: 'checks-a-2' }),
  ]);
  pool = createHostPool({ timeouts: { connect: 5000, command: 60_000, keepalive: 5000 }, hostConcurrency: 8 });
});

afterAll(async () => {
  await pool?.closeAll();
  await Promise.all([shellHost?.destroy(), containerHost?.destroy()]);
});

function connect(host: LabHost): Promise<HostConnection> {
  return pool.acquire(HostConfig.parse(labHostEntry(host)));
}

async function findings(host: LabHost, check: string): Promise<Finding[]> {
  const results: CheckResult[] = await runChecks(await connect(host), [check]);
  const result = results.find((candidate) => candidate.check === check);
  expect(result?.error).toBeUndefined();
  return result?.findings ?? [];
}

async function severities(host: LabHost, check: string): Promise<string[]> {
  return (await findings(host, check)).map((finding) => finding.severity);
}

/** Runs a fix the way the fix worker does: validate params, recheck, run. */
async function applyFix<P>(host: LabHost, fix: Fix<P>, raw: unknown) {
  const params = fix.params.parse(raw);
  const conn = await connect(host);
  const recheck = await fix.recheck({ conn }, params);
  expect(recheck).toMatchObject({ ok: true });
  return fix.run({ conn }, params);
}

async function removeAllContainers(host: LabHost): Promise<void> {
  await host.sh('ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids >/dev/null');
}

describe('daemon-config on a lab host', () => {
  let original: string;

  it('without live-restore (the lab default) → info; daemon-live-restore (SIGHUP, no systemd) → ok', async () => {
    original = await saveDaemonJson(shellHost);
    const [before] = await findings(shellHost, 'daemon-config');

    const outcome = await applyFix(shellHost, daemonLiveRestoreFix, before?.fixes?.[0]?.params);

    expect(before).toMatchObject({ severity: 'info', evidence: [expect.stringContaining('LiveRestoreEnabled=false')] });
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toContain('no systemd: sent SIGHUP to dockerd');
    expect(outcome.operations.map((operation) => operation.result).join('\n')).toContain('dockerd has no --validate');
    expect((await shellHost.sh('ls /etc/docker')).stdout).toMatch(/daemon\.json\.bak-\d+/);
    expect(await findings(shellHost, 'daemon-config')).toMatchObject([
      { severity: 'ok', evidence: ['/etc/docker/daemon.json: valid JSON', 'GET /info: LiveRestoreEnabled=true'] },
    ]);
  });

  it.each([
    ["the seed guide's # comments", writeDaemonJsonWithComments, 'is not valid JSON', '# keep containers alive'],
    ['"graph" instead of "data-root"', writeDaemonJsonWithGraph, 'use "data-root"', '"graph": "/var/lib/docker"'],
  ])('%s → crit, restored → ok', async (_, inject, summary, quoted) => {
    const healthy = await saveDaemonJson(shellHost);
    await inject(shellHost, original);
    try {
      const [finding] = await findings(shellHost, 'daemon-config');

      expect(finding?.severity).toBe('crit');
      expect(finding?.summary).toContain(summary);
      expect(finding?.evidence?.join('\n')).toContain(quoted);
    } finally {
      await restoreDaemonJson(shellHost, healthy);
    }
    expect(await severities(shellHost, 'daemon-config')).toEqual(['ok']);
  });
});

describe('tmp-noexec on a lab host', () => {
  it('ok → noexec → warn → remount-tmp-exec → ok', async () => {
    expect(await severities(shellHost, 'tmp-noexec')).toEqual(['ok']);
    await remountTmpNoexec(shellHost);

    const [finding] = await findings(shellHost, 'tmp-noexec');
    const outcome = await applyFix(shellHost, remountTmpExecFix, finding?.fixes?.[0]?.params);

    expect(finding).toMatchObject({
      severity: 'warn',
      evidence: [expect.stringMatching(/^findmnt: \/tmp tmpfs .*noexec/)],
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toContain('lasts until the next reboot');
    expect(await severities(shellHost, 'tmp-noexec')).toEqual(['ok']);
  });
});

describe('tty-in-cron on a lab host', () => {
  it('ok → docker exec -it in /etc/cron.d → warn → cron-drop-tty → ok', async () => {
    await privateCronDirs(shellHost);
    expect(await severities(shellHost, 'tty-in-cron')).toEqual(['ok']);
    await writeTtyCrontab(shellHost);

    const [finding] = await findings(shellHost, 'tty-in-cron');
    const outcome = await applyFix(shellHost, cronDropTtyFix, finding?.fixes?.[0]?.params);

    expect(finding).toMatchObject({
      severity: 'warn',
      evidence: [expect.stringContaining(`${CRON_FILE}:3: 0 */6 * * * root docker exec -it db`)],
    });
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toContain('+ 0 */6 * * * root docker exec -i db');
    expect(await readCrontab(shellHost)).toContain('root docker exec -i db sh -c');
    expect((await shellHost.sh('ls -a /etc/cron.d')).stdout).toMatch(/\.mysql-backup\.bak-\d+/);
    expect(await severities(shellHost, 'tty-in-cron')).toEqual(['ok']);
  });
});

describe('devicemapper-errors on a lab host (constructed log line: no devicemapper here)', () => {
  it('ok → error line in /var/log/docker.log → crit, naming the log file; rotated → ok', async () => {
    expect(await severities(shellHost, 'devicemapper-errors')).toEqual(['ok']);
    await appendDevicemapperError(shellHost);

    const [finding] = await findings(shellHost, 'devicemapper-errors');

    expect(finding?.severity).toBe('crit');
    expect(finding?.evidence?.[0]).toBe('from /var/log/docker.log (last 20000 lines):');
    expect(finding?.evidence?.[1]).toContain('dm_task_run failed');
    expect(finding?.fixes?.[0]?.fix).toBe('devicemapper-thin-check');
    await rotateDaemonLog(shellHost);
    expect(await severities(shellHost, 'devicemapper-errors')).toEqual(['ok']);
  });
});

describe('dead-containers on a lab host', () => {
  it('ok → a Dead container and an orphan dir → warn, warn → fixes → ok', async () => {
    expect(await severities(shellHost, 'dead-containers')).toEqual(['ok']);
    const deadId = await makeDeadContainer(shellHost, 'stuck');
    const orphanId = await makeOrphanDir(shellHost);

    const [dead, orphan] = await findings(shellHost, 'dead-containers');

    expect(dead).toMatchObject({ severity: 'warn', evidence: [expect.stringContaining('stuck: State=removing')] });
    expect(orphan).toMatchObject({
      severity: 'warn',
      evidence: [expect.stringContaining(`/var/lib/docker/containers/${orphanId}`)],
    });
    // The cause goes away (a busy mount released); then docker rm -f works.
    await releaseDeadContainer(shellHost, deadId);
    const removed = await applyFix(shellHost, removeDeadContainerFix, dead?.fixes?.[0]?.params);
    expect(removed).toMatchObject({ ok: true, summary: `Removed the dead container stuck (${deadId.slice(0, 12)})` });

    const params = orphanContainerDirsFix.params.parse(orphan?.fixes?.[0]?.params) as OrphanDirsParams;
    const conn = await connect(shellHost);
    expect(await orphanContainerDirsFix.recheck({ conn }, params)).toMatchObject({ ok: true });
    const steps = [];
    for (let step = 0; step < orphanContainerDirsFix.plan(params).length; step += 1) {
      steps.push(await orphanContainerDirsFix.runStep?.({ conn: await connect(shellHost) }, params, step));
    }
    expect(steps).toEqual([
      { ok: true, output: expect.stringContaining('no systemd: sent SIGTERM to dockerd') },
      { ok: true, output: `moved 1 dir(s) to /var/lib/docker/orphans-${params.stamp}/` },
      { ok: true, output: expect.stringContaining('started by running the daemon binary itself (no systemd') },
    ]);
    expect(await severities(shellHost, 'dead-containers')).toEqual(['ok']);
  });
});

describe('container-user on a lab host', () => {
  it('ok → uid 1000 logging Permission denied → warn quoting it; advice only, removed → ok', async () => {
    expect(await severities(containerHost, 'container-user')).toEqual(['ok']);
    await makeNonRootDenied(containerHost, 'nginx-user');
    await new Promise((resolve) => setTimeout(resolve, 500));

    const [finding] = await findings(containerHost, 'container-user');

    expect(finding?.severity).toBe('warn');
    expect(finding?.summary).toContain('nginx-user runs as user 1000 and logs permission errors');
    expect(finding?.evidence).toContain('nginx-user (running): touch: /etc/nginx.pid: Permission denied');
    await removeAllContainers(containerHost);
    expect(await severities(containerHost, 'container-user')).toEqual(['ok']);
  });
});

describe('container-health on a lab host', () => {
  it('ok → unhealthy, restart loop, OOM-killed → warn, crit, warn → restart-container → ok', async () => {
    expect(await severities(containerHost, 'container-health')).toEqual(['ok']);
    const [, , hogKill] = await Promise.all([
      makeUnhealthy(containerHost, 'wedged'),
      makeRestartLoop(containerHost, 'crashloop'),
      makeOomKilledAndWait(containerHost, 'hog'),
    ]);
    await waitForState(containerHost, 'wedged', '{{.State.Health.Status}}', /^unhealthy$/);
    await waitForState(containerHost, 'crashloop', '{{.RestartCount}}', /^([3-9]|\d\d+)$/);

    const all = await findings(containerHost, 'container-health');
    const byName = (name: string) => all.find((finding) => finding.summary.startsWith(name));

    expect(byName('wedged')).toMatchObject({
      severity: 'warn',
      evidence: [expect.stringContaining('State.Health.Status=unhealthy')],
    });
    expect(byName('crashloop')).toMatchObject({
      severity: 'crit',
      // Caught between restarts it may be running (ExitCode=0) or exited (1); the restart count is the evidence.
      evidence: [expect.stringMatching(/RestartCount=[1-9]\d*, ExitCode=[01]/)],
    });
    // Whether dockerd caught the OOM event or only saw exit 137 under the limit, it is a warn.
    expect(byName('hog')).toMatchObject({
      severity: 'warn',
      evidence: [
        expect.stringContaining(hogKill === 'recorded' ? 'State.OOMKilled=true' : 'ExitCode=137, HostConfig.Memory='),
      ],
    });
    const outcome = await applyFix(containerHost, restartContainerFix, byName('wedged')?.fixes?.[0]?.params);
    expect(outcome.ok).toBe(true);
    await waitForState(containerHost, 'wedged', '{{.State.Health.Status}}', /^healthy$/);
    // No fix for these two (advice: fix the program, raise the limit): they are removed.
    await containerHost.sh('docker rm -f crashloop hog >/dev/null');
    expect(await severities(containerHost, 'container-health')).toEqual(['ok']);
    await removeAllContainers(containerHost);
  });
});

describe('image-children on a lab host', () => {
  it('ok → image with a child and a container → info → remove-image-children → ok', async () => {
    expect(await severities(containerHost, 'image-children')).toEqual(['ok']);
    const { parentId } = await makeImageWithChild(containerHost);
    const refused = await containerHost.docker(['rmi', parentId]);
    expect(refused.stderr).toContain('image has dependent child images');

    const all = await findings(containerHost, 'image-children');
    const finding = all.find((candidate) => candidate.summary.startsWith('lab-parent:1'));
    const deps = await imageDependencies(await connect(containerHost), 'lab-parent:1');

    expect(finding?.severity).toBe('info');
    expect(deps.removalOrder.map((step) => `${step.kind} ${step.name}`)).toEqual([
      'container lab-child-user',
      'image lab-child:1',
    ]);
    await expect(imageDependencies(await connect(containerHost), 'x; rm -rf /')).rejects.toMatchObject({
      code: 'dm_bad_arguments',
    });
    const outcome = await applyFix(containerHost, removeImageChildrenFix, finding?.fixes?.[0]?.params);
    expect(outcome).toMatchObject({
      ok: true,
      summary: expect.stringContaining('Removed lab-parent:1 after 1 container(s) and 1 child image(s)'),
    });
    expect(await severities(containerHost, 'image-children')).toEqual(['ok']);
  });
});
