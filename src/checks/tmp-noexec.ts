// /tmp mounted noexec (seed § 3): hardening guides recommend it, and then tools that unpack native
// code into /tmp and run it (docker-compose v1, other PyInstaller programs) fail with "error while
// loading shared libraries: …: failed to map segment from shared object: Operation not permitted".

import { sh } from '../hosts/shell.ts';
import type { Check, CheckContext, Finding } from './types.ts';

export interface MountEntry {
  target: string;
  fstype: string;
  options: string[];
}

export interface TmpNoexecEvidence {
  /** The mount /tmp lives on (its own, or the one of `/`). */
  mount?: MountEntry;
  /** Which command answered: findmnt, or /proc/mounts where findmnt is missing (busybox). */
  source: 'findmnt' | '/proc/mounts';
  raw: string;
}

/** Pure: one `findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp` line into a mount. */
export function parseFindmnt(stdout: string): MountEntry | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.trim() !== '');
  const parts = line?.trim().split(/\s+/);
  if (!parts || parts.length < 3) return undefined;
  // -r escapes spaces in the target as \x20.
  const target = (parts[0] as string).replace(/\\x20/g, ' ');
  return { target, fstype: parts[1] as string, options: (parts[2] as string).split(',') };
}

/** Pure: the /proc/mounts entry with the longest mount point that holds /tmp (the last one wins ties). */
export function mountOfTmp(procMounts: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const line of procMounts.split('\n')) {
    const [, rawTarget, fstype, options] = line.trim().split(/\s+/);
    if (!rawTarget || !fstype || !options) continue;
    const target = rawTarget.replace(/\\040/g, ' ');
    const holds = target === '/' || target === '/tmp';
    if (!holds) continue;
    if (best && best.target.length > target.length) continue;
    best = { target, fstype, options: options.split(',') };
  }
  return best;
}

export async function collectTmpMount(ctx: CheckContext): Promise<TmpNoexecEvidence> {
  const findmnt = await ctx.conn.exec(sh`findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp`);
  const mount = findmnt.code === 0 ? parseFindmnt(findmnt.stdout) : undefined;
  if (mount) return { mount, source: 'findmnt', raw: findmnt.stdout.trim() };
  const proc = await ctx.conn.exec(sh`cat /proc/mounts`);
  const fallback = mountOfTmp(proc.stdout);
  return { ...(fallback ? { mount: fallback } : {}), source: '/proc/mounts', raw: proc.stdout.trim() };
}

export function judgeTmpNoexec(evidence: TmpNoexecEvidence): Finding[] {
  const { mount } = evidence;
  if (!mount) {
    return [
      { check: 'tmp-noexec', severity: 'info', summary: `Could not find the mount holding /tmp in ${evidence.source}` },
    ];
  }
  const quoted = `${evidence.source}: ${mount.target} ${mount.fstype} ${mount.options.join(',')}`;
  if (!mount.options.includes('noexec')) {
    return [
      { check: 'tmp-noexec', severity: 'ok', summary: `/tmp allows executables (${mount.target})`, evidence: [quoted] },
    ];
  }
  const ownMount = mount.target === '/tmp';
  return [
    {
      check: 'tmp-noexec',
      severity: 'warn',
      summary: `/tmp is mounted noexec: tools that unpack into /tmp fail with "failed to map segment from shared object"`,
      detail: [
        'docker-compose v1 and other PyInstaller-built programs unpack their libraries into /tmp and load them from there; noexec makes that fail ("error while loading shared libraries: libz.so.1: failed to map segment from shared object: Operation not permitted").',
        'Better than undoing the hardening: give those tools another directory, e.g. `mkdir -p /var/tmp/compose && TMPDIR=/var/tmp/compose docker-compose …` (or set TMPDIR in the service or cron job).',
        ownMount
          ? "`mount -o remount,exec /tmp` (the guide's fix) works at once but lasts until reboot and undoes the hardening; /etc/fstab decides what happens at the next boot."
          : `/tmp is part of ${mount.target}: remounting that is not offered; use TMPDIR.`,
      ].join('\n'),
      evidence: [quoted],
      ...(ownMount
        ? { fixes: [{ fix: 'remount-tmp-exec', label: 'Remount /tmp with exec (until reboot)', params: {} }] }
        : {}),
    },
  ];
}

export const tmpNoexecCheck: Check<TmpNoexecEvidence> = {
  id: 'tmp-noexec',
  title: '/tmp mount options',
  collect: collectTmpMount,
  judge: judgeTmpNoexec,
};
