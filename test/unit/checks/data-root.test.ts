import { describe, expect, it } from 'vitest';
import { type DataRootEvidence, findDockerdArgs, judgeDataRoot } from '../../../src/checks/data-root.ts';
import { parseDaemonJson } from '../../../src/evidence/daemonConfig.ts';
import { parseDfBlocks } from '../../../src/evidence/filesystems.ts';
import { capturedDockerRoot, fixtureText } from './fixtures.ts';

const root = capturedDockerRoot();
const locals = parseDfBlocks(fixtureText('data-root/df-PTkl.txt'));
const fullTmpfs = locals.find((row) => row.mount.endsWith('var lib docker'))!;
const dockerdArgs = findDockerdArgs(fixtureText('data-root/ps-eo-args.txt'));

function evidence(overrides: Partial<DataRootEvidence> = {}): DataRootEvidence {
  return {
    dockerRoot: { path: root, source: 'docker-info' },
    resolvedPath: root,
    daemonJson: parseDaemonJson(undefined),
    ...(dockerdArgs ? { dockerdArgs } : {}),
    unitExecStart: [],
    localFilesystems: locals,
    collectedAt: Date.parse('2026-01-02T03:04:05Z'),
    ...overrides,
  };
}

describe('judgeDataRoot', () => {
  it('is ok for the captured daemon', () => {
    expect(judgeDataRoot(evidence())).toMatchObject([{ severity: 'ok', summary: `The Docker root dir is ${root}` }]);
  });

  it('warns when the root dir is a symlink', () => {
    const link = `${root.replace(/\/data$/, '')}/docker-link`;

    const [finding] = judgeDataRoot(
      evidence({
        dockerRoot: { path: link, source: 'daemon.json' },
        resolvedPath: fixtureText('data-root/readlink-f-symlink.txt').trim(),
      }),
    );

    expect(finding).toMatchObject({ severity: 'warn', summary: `The Docker root dir ${link} is a symlink to ${root}` });
  });

  it('warns when the configured root is a symlink dockerd followed', () => {
    const [finding] = judgeDataRoot(evidence({ configuredLink: { path: '/var/lib/docker', target: root } }));

    expect(finding).toMatchObject({
      severity: 'warn',
      summary: `/var/lib/docker, where dockerd is told to keep its data, is a symlink to ${root}`,
    });
  });

  it.each([
    ['daemon.json "graph"', { daemonJson: parseDaemonJson('{"graph": "/srv/docker"}') }],
    ['--graph on the command line', { dockerdArgs: ['/usr/bin/dockerd', '--graph', '/srv/docker'] }],
    ['-g in the unit', { unitExecStart: ['ExecStart=/usr/bin/dockerd -g /srv/docker -H fd://'] }],
  ])('is crit for %s (removed in Docker 23)', (_, overrides) => {
    const [finding] = judgeDataRoot(evidence(overrides));

    expect(finding).toMatchObject({ severity: 'crit', summary: expect.stringContaining('use "data-root"') });
  });

  it.each([
    [79, false],
    [80, true],
  ])('Docker filesystem %i percent full next to a roomy / → migration suggested: %s', (usedPct, suggested) => {
    const findings = judgeDataRoot(evidence({ dockerFilesystem: { ...fullTmpfs, usedPct } }));
    const migration = findings.find((finding) => finding.summary.includes('consider moving data-root'));

    expect(Boolean(migration)).toBe(suggested);
    if (migration) expect(migration.detail).toContain('rsync -aHAX --numeric-ids');
  });
});

describe('the data-root move offer', () => {
  const dockerFs = {
    ...fullTmpfs,
    device: '/dev/vdc',
    fstype: 'ext4',
    mount: '/var/lib/docker',
    usedBytes: 40 * 1024 ** 3,
    usedPct: 95,
  };
  const rootFs = locals.find((row) => row.mount === '/')!;
  const dataDisk = { ...rootFs, device: '/dev/vdb', mount: '/data', availBytes: 50 * 1024 ** 3 };
  const moving = (others: typeof locals) =>
    judgeDataRoot(
      evidence({
        dockerRoot: { path: '/var/lib/docker', source: 'docker-info' },
        resolvedPath: '/var/lib/docker',
        dockerFilesystem: dockerFs,
        localFilesystems: [dockerFs, ...others],
      }),
    ).find((finding) => finding.summary.includes('consider moving data-root'));

  it('proposes the runbook onto a data disk before the root filesystem', () => {
    expect(moving([rootFs, dataDisk])?.fixes).toEqual([
      {
        fix: 'move-data-root',
        label: 'Move data-root to /data/docker (stops docker)',
        params: { from: '/var/lib/docker', to: '/data/docker', stamp: '20260102T030405Z' },
      },
    ]);
  });

  it('takes / when nothing else has room', () => {
    expect(moving([rootFs])?.fixes?.[0]?.params).toMatchObject({ to: '/docker' });
  });

  it.each([
    ['a network filesystem', { fstype: 'nfs4' }],
    ['a disk without room for the data and a tenth more', { availBytes: 42 * 1024 ** 3 }],
    ['a bind mount of the full disk itself', { device: '/dev/vdc' }],
  ])('never proposes %s', (_, change) => {
    expect(moving([{ ...dataDisk, ...change }])).toBeUndefined();
  });

  it('explains, without a button, a root dockmedic does not move', () => {
    const [finding] = judgeDataRoot(evidence({ dockerFilesystem: { ...fullTmpfs, usedPct: 95 } })).filter((f) =>
      f.summary.includes('consider moving'),
    );

    expect(finding?.fixes).toBeUndefined();
    expect(finding?.detail).toMatch(/No button: expected the Docker root dir under an allowed prefix/);
  });
});

describe('findDockerdArgs', () => {
  it('finds dockerd in ps output', () => {
    expect(findDockerdArgs('sshd: /usr/sbin/sshd\n/usr/bin/dockerd -H fd://\n')).toEqual([
      '/usr/bin/dockerd',
      '-H',
      'fd://',
    ]);
  });
});
