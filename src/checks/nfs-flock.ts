// flock() on NFS from containers on old EL7 kernels (docs/checks.md, trouble § 10): RHEL/CentOS 7 kernels before
// 3.10.0-693.18.1.el7 fail flock on NFS mounts with "Bad file descriptor" (EBADF). Evidence: the
// host's NFS mounts (from /proc/self/mounts, the table findmnt reads; it is there on hosts without
// util-linux too), what running containers mount, and `uname -r`.

import { runningContainerSpecs } from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { sh } from '../hosts/shell.ts';
import type { Check, Finding } from './types.ts';

/** The first EL7 kernel release with the fix. */
export const FIXED_EL7_RELEASE = [693, 18, 1] as const;
const FIXED_TEXT = '3.10.0-693.18.1.el7';

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
}

export interface NfsContainer {
  name: string;
  mounts: Array<{ source: string; destination: string }>;
}

export interface NfsFlockEvidence {
  kernel: string;
  nfsMounts: MountEntry[];
  containers: NfsContainer[];
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Pure: the NFS lines of /proc/self/mounts. */
export function parseNfsMounts(text: string): MountEntry[] {
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, fstype] = line.trim().split(/\s+/);
    if (!source || !target || !fstype) continue;
    if (fstype !== 'nfs' && fstype !== 'nfs4') continue;
    mounts.push({ source: unescapeMountField(source), target: unescapeMountField(target), fstype });
  }
  return mounts;
}

async function collectNfsFlock(ctx: EvidenceContext): Promise<NfsFlockEvidence> {
  const [uname, mounts, specs] = await Promise.all([
    ctx.conn.exec(sh`uname -r`),
    ctx.conn.exec(sh`cat /proc/self/mounts`),
    runningContainerSpecs(ctx),
  ]);
  return {
    kernel: uname.stdout.trim(),
    nfsMounts: parseNfsMounts(mounts.stdout),
    containers: specs
      .filter((spec) => spec.mounts.length > 0)
      .map((spec) => ({
        name: spec.name,
        mounts: spec.mounts.map((mount) => ({ source: mount.source, destination: mount.destination })),
      })),
  };
}

/**
 * Pure: for an EL7 kernel (`3.10.0-514.26.2.el7.x86_64`), whether it is older than the fix; undefined
 * when the kernel is not an EL7 one (the bug is specific to those builds).
 */
export function isEl7KernelBeforeFix(kernel: string): boolean | undefined {
  const match = /^3\.10\.0-([\d.]+?)\.el7/.exec(kernel.trim());
  if (!match) return undefined;
  const release = (match[1] as string).split('.').map(Number);
  for (let index = 0; index < FIXED_EL7_RELEASE.length; index += 1) {
    const have = release[index] ?? 0;
    const fixed = FIXED_EL7_RELEASE[index] as number;
    if (have !== fixed) return have < fixed;
  }
  return false;
}

function under(path: string, mountPoint: string): boolean {
  const base = mountPoint.replace(/\/+$/, '');
  return path === mountPoint || path.startsWith(`${base}/`) || base === '';
}

/** Pure: container mounts whose host side lies on an NFS mount (the deepest NFS mount wins). */
export function nfsContainerMounts(
  evidence: Pick<NfsFlockEvidence, 'nfsMounts' | 'containers'>,
): Array<{ container: string; source: string; destination: string; nfs: MountEntry }> {
  const found = [];
  for (const container of evidence.containers) {
    for (const mount of container.mounts) {
      if (!mount.source.startsWith('/')) continue;
      const nfs = evidence.nfsMounts
        .filter((entry) => under(mount.source, entry.target))
        .sort((a, b) => b.target.length - a.target.length)[0];
      if (nfs) found.push({ container: container.name, source: mount.source, destination: mount.destination, nfs });
    }
  }
  return found;
}

export function judgeNfsFlock(evidence: NfsFlockEvidence): Finding[] {
  const onNfs = nfsContainerMounts(evidence);
  const oldKernel = isEl7KernelBeforeFix(evidence.kernel);
  const mountLines = onNfs.map(
    (hit) =>
      `${hit.container}: ${hit.source} → ${hit.destination} on ${hit.nfs.fstype} ${hit.nfs.source} (${hit.nfs.target})`,
  );
  if (onNfs.length > 0 && oldKernel === true) {
    const names = [...new Set(onNfs.map((hit) => hit.container))];
    return [
      {
        check: 'nfs-flock',
        severity: 'warn',
        summary: `Kernel ${evidence.kernel} is older than ${FIXED_TEXT} and ${names.join(', ')} mount NFS: flock() there fails with "Bad file descriptor"`,
        detail: `A bug in EL7 kernels before ${FIXED_TEXT} breaks flock() on NFSv3/v4 (Python's fcntl.flock raises OSError: [Errno 9]). Upgrade the kernel (\`yum update kernel\`, then reboot into it); nothing in the containers needs to change.`,
        evidence: [`uname -r: ${evidence.kernel}`, ...mountLines],
      },
    ];
  }
  const kernelNote =
    oldKernel === undefined
      ? 'not an EL7 kernel'
      : oldKernel
        ? `an EL7 kernel older than ${FIXED_TEXT}`
        : 'an EL7 kernel with the fix';
  const summary =
    onNfs.length === 0
      ? `No running container mounts NFS (${evidence.nfsMounts.length} NFS mount(s) on the host; kernel ${evidence.kernel}, ${kernelNote})`
      : `Containers mount NFS, but kernel ${evidence.kernel} is ${kernelNote}: flock() works there`;
  return [
    {
      check: 'nfs-flock',
      severity: 'ok',
      summary,
      evidence: [`uname -r: ${evidence.kernel}`, ...mountLines],
    },
  ];
}

export const nfsFlockCheck: Check<NfsFlockEvidence> = {
  id: 'nfs-flock',
  title: 'flock on NFS',
  doc: {
    seed: [10],
    evidence: '`findmnt -t nfs,nfs4`, mounts of running containers, `uname -r`',
    rule: 'container mounts an NFS path and the kernel is an EL7 kernel older than 3.10.0-693.18.1 → warn',
    advice: 'advice: upgrade the kernel',
  },
  collect: collectNfsFlock,
  judge: judgeNfsFlock,
};
