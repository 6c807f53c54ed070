import { describe, expect, it } from 'vitest';
import {
  isEl7KernelBeforeFix,
  judgeNfsFlock,
  type NfsFlockEvidence,
  parseNfsMounts,
} from '../../../src/checks/nfs-flock.ts';
import { type ContainerSpec, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const mounts = fixtureText('nfs-flock/proc-self-mounts.txt');
const kernel = fixtureText('nfs-flock/uname-r.txt').trim();
const spec = toContainerSpec(fixtureJson('nfs-flock/inspect-bind-data.json')) as ContainerSpec;
const bindContainer = {
  name: spec.name,
  mounts: spec.mounts.map((mount) => ({ source: mount.source, destination: mount.destination })),
};
// Not captured (no NFS server and no EL7 kernel here): a line in the documented /proc/mounts format
// for an NFSv4 mount of the folder the captured container bind-mounts, and a CentOS 7.3 kernel name.
const NFS_LINE = 'nas.example:/export/lab /tmp nfs4 rw,relatime,vers=4.1,rsize=1048576,wsize=1048576 0 0\n';
const OLD_EL7 = '3.10.0-514.26.2.el7.x86_64';

function evidence(overrides: Partial<NfsFlockEvidence> = {}): NfsFlockEvidence {
  return { kernel, nfsMounts: parseNfsMounts(mounts), containers: [bindContainer], ...overrides };
}

describe('judgeNfsFlock', () => {
  it('is ok on the captured lab host: no NFS mount, not an EL7 kernel', () => {
    expect(judgeNfsFlock(evidence())).toMatchObject([
      {
        severity: 'ok',
        summary: `No running container mounts NFS (0 NFS mount(s) on the host; kernel ${kernel}, not an EL7 kernel)`,
      },
    ]);
  });

  it('warns on recorded mounts plus a documented NFS line and EL7 kernel name (no NFS or EL7 here)', () => {
    const [finding] = judgeNfsFlock(evidence({ kernel: OLD_EL7, nfsMounts: parseNfsMounts(mounts + NFS_LINE) }));

    expect(finding).toMatchObject({ severity: 'warn' });
    expect(finding?.summary).toContain('older than 3.10.0-693.18.1.el7 and bind-data mount NFS');
    expect(finding?.evidence).toEqual([
      `uname -r: ${OLD_EL7}`,
      'bind-data: /tmp/lab-data → /data on nfs4 nas.example:/export/lab (/tmp)',
    ]);
    expect(finding?.detail).toContain('Upgrade the kernel');
  });

  it.each([
    ['3.10.0-514.26.2.el7.x86_64', true],
    ['3.10.0-693.17.1.el7.x86_64', true],
    ['3.10.0-693.18.1.el7.x86_64', false],
    ['3.10.0-693.21.1.el7.x86_64', false],
    ['3.10.0-1160.el7.x86_64', false],
    ['4.18.0-513.el8.x86_64', undefined],
    [kernel, undefined],
  ])('kernel %s older than the fix: %s', (release, old) => {
    expect(isEl7KernelBeforeFix(release)).toBe(old);
  });

  it('is ok with NFS mounted but a fixed EL7 kernel (documented names, not captured)', () => {
    const findings = judgeNfsFlock(
      evidence({ kernel: '3.10.0-1160.el7.x86_64', nfsMounts: parseNfsMounts(mounts + NFS_LINE) }),
    );

    expect(findings[0]?.severity).toBe('ok');
  });
});

describe('parseNfsMounts', () => {
  it('keeps nfs and nfs4 lines, unescaping octal spaces', () => {
    expect(parseNfsMounts(`${mounts}srv:/a /mnt/my\\040share nfs rw 0 0\n`)).toEqual([
      { source: 'srv:/a', target: '/mnt/my share', fstype: 'nfs' },
    ]);
  });
});
