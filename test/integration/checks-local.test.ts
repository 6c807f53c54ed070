// The diskcheck checks and their fixes against a real private dockerd on this machine, through the
// `address: local` connection: a container that logged a lot, a dangling image from building one
// tag twice, then dockerd stopped.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerLogsEvidence } from '../../src/checks/container-logs.ts';
import { DISKCHECK_CHECKS } from '../../src/checks/index.ts';
import type { ReclaimableEvidence } from '../../src/checks/reclaimable.ts';
import { buildHostReport } from '../../src/checks/report.ts';
import { runChecks } from '../../src/checks/run.ts';
import { HostConfig } from '../../src/config/schema.ts';
import { reclaimableKinds } from '../../src/evidence/systemDf.ts';
import { pruneSafeFix } from '../../src/fixes/prune-safe.ts';
import { truncateLogFix } from '../../src/fixes/truncate-log.ts';
import { LocalConnection } from '../../src/hosts/localConnection.ts';
import { startTestDockerd, type TestDockerd } from '../support/dockerd.ts';

let dockerd: TestDockerd;
let conn: LocalConnection;

function docker(...args: string[]): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}`, DOCKER_BUILDKIT: '0' },
    cwd: dockerd.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

beforeAll(async () => {
  dockerd = await startTestDockerd();
  conn = new LocalConnection(HostConfig.parse({ name: 'lab-local', address: 'local', dockerSocket: dockerd.socket }), {
    timeouts: { connect: 10_000, command: 60_000, keepalive: 10_000 },
    hostConcurrency: 8,
  });
  // busybox:local per DESIGN.md: no registry here.
  const rootfs = path.join(dockerd.dir, 'rootfs');
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  copyFileSync('/usr/bin/busybox', path.join(rootfs, 'bin/busybox'));
  for (const tool of ['sh', 'yes', 'head', 'echo', 'sleep']) symlinkSync('busybox', path.join(rootfs, 'bin', tool));
  execFileSync('tar', ['-C', rootfs, '-cf', path.join(dockerd.dir, 'busybox.tar'), '.']);
  docker('import', path.join(dockerd.dir, 'busybox.tar'), 'busybox:local');
  // ~40 MiB of json log, no max-size.
  docker(
    'run',
    '--network',
    'none',
    '--name',
    'chatty',
    'busybox:local',
    'sh',
    '-c',
    'yes "a line of log from a chatty container" | head -n 600000 >/dev/null; yes "a line of log from a chatty container" | head -n 600000',
  );
  // The same tag built twice: the first image becomes dangling.
  mkdirSync(path.join(dockerd.dir, 'build'));
  execFileSync('sh', [
    '-c',
    `printf 'FROM busybox:local\\nRUN echo built > /stamp\\n' > ${path.join(dockerd.dir, 'build', 'Dockerfile')}`,
  ]);
  docker('build', '-q', '-t', 'app:dev', 'build');
  docker('build', '-q', '--no-cache', '-t', 'app:dev', 'build');
}, 180_000);

afterAll(async () => {
  await conn?.close();
  await dockerd?.destroy();
});

describe('diskcheck on a real dockerd', () => {
  it('finds the chatty log, the missing max-size and the dangling image', async () => {
    const results = await runChecks(conn, [...DISKCHECK_CHECKS]);

    expect(results.filter((result) => result.error)).toEqual([]);
    const logs = results.find((result) => result.check === 'container-logs')?.evidence as ContainerLogsEvidence;
    const chatty = logs.logs.find((log) => log.containerName === 'chatty');
    expect(chatty?.sizeBytes).toBeGreaterThan(20 * 1024 ** 2);
    const findings = results.flatMap((result) => result.findings);
    expect(findings.map((finding) => finding.summary)).toContain(
      '1 container(s) log to json-file without max-size: chatty',
    );
    const reclaimable = results.find((result) => result.check === 'reclaimable')?.evidence as ReclaimableEvidence;
    expect(reclaimableKinds(reclaimable.systemDf).find((kind) => kind.kind === 'dangling-images')?.count).toBe(1);
    expect(findings.find((finding) => finding.check === 'reclaimable')?.fixes?.[0]?.fix).toBe('prune-safe');
    const report = buildHostReport('lab-local', 'diskcheck', results, Date.now());
    expect(report.dockerAvailable).toBe(true);
    expect(report.disk?.filesystems.some((fs) => fs.holdsDockerRoot)).toBe(true);
    expect(report.disk?.biggestLogs[0]?.containerName).toBe('chatty');
  });

  it('truncate-log empties the log and reports the bytes freed', async () => {
    const id = docker('inspect', '--format', '{{.Id}}', 'chatty').trim();
    const logPath = docker('inspect', '--format', '{{.LogPath}}', 'chatty').trim();
    const before = statSync(logPath).size;

    const recheck = await truncateLogFix.recheck({ conn }, { containerId: id.slice(0, 12) });
    const preview = await truncateLogFix.preview?.({ conn }, { containerId: id });
    const outcome = await truncateLogFix.run({ conn }, { containerId: id });

    expect(recheck.ok).toBe(true);
    expect(preview?.map((operation) => operation.command)).toContain(`truncate -s 0 -- ${logPath}`);
    expect(outcome).toMatchObject({ ok: true, bytesFreed: before });
    expect(outcome.summary).toMatch(/^Truncated the log of chatty: freed \d+ MiB$/);
    expect(statSync(logPath).size).toBe(0);
    expect(await truncateLogFix.recheck({ conn }, { containerId: id })).toEqual({
      ok: false,
      reason: 'the log of chatty is already empty',
    });
  });

  it('truncate-log refuses a container that is gone', async () => {
    const recheck = await truncateLogFix.recheck({ conn }, { containerId: 'ab'.repeat(32) });

    expect(recheck).toEqual({ ok: false, reason: 'container abababababab no longer exists' });
  });

  it('prune-safe removes the dangling image and reports what it freed', async () => {
    const recheck = await pruneSafeFix.recheck({ conn }, {});
    const outcome = await pruneSafeFix.run({ conn }, {});

    expect(recheck.ok).toBe(true);
    expect(outcome.ok).toBe(true);
    expect(outcome.bytesFreed).toBeGreaterThan(0);
    expect(docker('images', '--filter', 'dangling=true', '-q').trim()).toBe('');
    expect(await pruneSafeFix.recheck({ conn }, {})).toMatchObject({ ok: false });
  });

  it('with dockerd stopped, says so once and still reports the disk', async () => {
    await dockerd.stop();

    const results = await runChecks(conn, [...DISKCHECK_CHECKS]);

    const summaries = results.flatMap((result) => result.findings.map((finding) => finding.summary));
    expect(summaries.filter((summary) => summary.startsWith('dockerd is not running'))).toEqual([
      'dockerd is not running on lab-local',
    ]);
    expect(results.find((result) => result.check === 'disk-usage')?.error).toBeUndefined();
    expect(results.find((result) => result.check === 'inode-usage')?.error).toBeUndefined();
    expect(summaries.filter((summary) => summary.includes('skipped: dockerd is not answering'))).toHaveLength(3);
  });
});
