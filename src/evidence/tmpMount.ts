// How /tmp is mounted (findmnt, else /proc/mounts): read by the tmp-noexec check and rechecked by
// the remount-tmp-exec fix.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';

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

export async function collectTmpMount(ctx: EvidenceContext): Promise<TmpNoexecEvidence> {
  const findmnt = await ctx.conn.exec(sh`findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp`);
  const mount = findmnt.code === 0 ? parseFindmnt(findmnt.stdout) : undefined;
  if (mount) return { mount, source: 'findmnt', raw: findmnt.stdout.trim() };
  const proc = await ctx.conn.exec(sh`cat /proc/mounts`);
  const fallback = mountOfTmp(proc.stdout);
  return { ...(fallback ? { mount: fallback } : {}), source: '/proc/mounts', raw: proc.stdout.trim() };
}
