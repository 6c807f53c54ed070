import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.ts';
import { parseConfig } from '../../src/config/load.ts';
import { switchToOverlay2Fix } from '../../src/fixes/switch-to-overlay2.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostConnection, HostPool } from '../../src/hosts/types.ts';
import { remakeRootWithoutDType } from '../lab/faults/storage-driver.ts';
import { cleanupStaleLab, type LabHost, labHostEntry, startLabHost } from '../lab/lab.ts';

/**
 * The storage-driver runbook on lab hosts (dockerd runs vfs there): one whose root is ext4 with
 * d_type, where overlay2 works inside the host's mount namespace on this kernel, and one whose root
 * was made without d_type, where it cannot.
 */
describe('switch-to-overlay2 on lab hosts', () => {
  let able: LabHost;
  let unable: LabHost;
  let pool: HostPool;
  let ableConn: HostConnection;
  let unableConn: HostConnection;

  /** Tagged images with their ids (untagged ones are not saved: the plan says so). */
  const imageIds = async () =>
    (await able.docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('<none>'))
      .sort();

  beforeAll(async () => {
    await cleanupStaleLab();
    [able, unable] = await Promise.all([
      startLabHost({ name: 'ovl1', diskMiB: 256 }),
      startLabHost({ name: 'ovl2', diskMiB: 128 }),
    ]);
    await Promise.all([able.makeDanglingImages(1), remakeRootWithoutDType(unable)]);
    await able.docker([
      'run',
      '-d',
      '--name',
      'app',
      '--restart',
      'unless-stopped',
      '--network',
      'none',
      '-v',
      'appdata:/data',
      '-e',
      'APP_TOKEN=do-not-show',
      'lab-dangling:latest',
      'sleep',
      '3600',
    ]);
    const config = parseConfig({ hosts: [labHostEntry(able), labHostEntry(unable)] }, 'test', '/');
    pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
    [ableConn, unableConn] = await Promise.all([pool.acquire(config.hosts[0]!), pool.acquire(config.hosts[1]!)]);
  }, 180_000);

  afterAll(async () => {
    await pool?.closeAll();
    await Promise.allSettled([able?.destroy(), unable?.destroy()]);
  });

  it('says exactly why overlay2 cannot work on a root without d_type, and offers nothing', async () => {
    const [result] = await runChecks(unableConn, ['storage-driver']);
    const finding = result?.findings[0];

    expect(finding?.detail).toMatch(
      /^overlay2 cannot work here, so no runbook is offered: \/var\/lib\/docker is on ext4 .* made without the ext4 "filetype" feature, so it has no d_type/,
    );
    expect(finding?.fixes).toBeUndefined();
    const forced = await switchToOverlay2Fix.runStep!(
      { conn: unableConn },
      { root: '/var/lib/docker', driver: 'vfs', stamp: '20260102T030405Z' },
      0,
    );
    expect(forced).toMatchObject({
      ok: false,
      output: expect.stringMatching(/^overlay2 cannot work here: .*no d_type/),
    });
  });

  it('switches a vfs host to overlay2 step by step; the images survive with their ids and the container is listed for recreation', async () => {
    const [result] = await runChecks(ableConn, ['storage-driver']);
    const proposal = result?.findings
      .flatMap((finding) => finding.fixes ?? [])
      .find((fix) => fix.fix === 'switch-to-overlay2');
    const params = switchToOverlay2Fix.params.parse(proposal?.params);
    const before = await imageIds();

    expect(await switchToOverlay2Fix.recheck({ conn: ableConn }, params)).toMatchObject({ ok: true });
    const outputs: string[] = [];
    for (const [index] of switchToOverlay2Fix.plan(params).entries()) {
      const step = await switchToOverlay2Fix.runStep!({ conn: ableConn }, params, index);
      outputs.push(step.output);
      expect(step, `step ${index + 1}: ${step.output}`).toMatchObject({ ok: true });
    }

    if (process.env.SHOW_OUTPUT) console.log(outputs.join('\n---\n'));
    expect((await able.docker(['info', '--format', '{{.Driver}}'])).stdout.trim()).toBe('overlay2');
    expect(await imageIds()).toEqual(before);
    expect(outputs[0]).toMatch(
      /app: docker run -d --name app --restart unless-stopped --network none -v appdata:\/data -e .*APP_TOKEN=… .*lab-dangling:latest sleep 3600/,
    );
    expect(outputs[0]).toContain('1 untagged image(s) (build layers, dangling) are not saved');
    expect(outputs.join('\n')).not.toContain('do-not-show');
    expect(outputs[5]).toMatch(/loaded 2 tag\(s\), each with the image id it had under vfs/);
    expect(outputs[5]).toContain('recreate these 1 container(s)');
    const run = await able.docker([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      'appdata:/data',
      'lab-dangling:latest',
      'sh',
      '-c',
      'grep -c overlay /proc/mounts',
    ]);
    expect(run.code).toBe(0);
    expect(Number(run.stdout.trim())).toBeGreaterThan(0);
  }, 300_000);
});
