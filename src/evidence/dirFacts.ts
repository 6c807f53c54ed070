// Facts about one directory that a runbook moving Docker's data needs before it touches anything:
// what it is (absent, empty, a symlink), where it really points, which filesystem holds it (or would
// hold it, for a path not made yet), how much is in it, and what is mounted below it. Shell only:
// most of it is asked while dockerd is stopped.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { type DfBlocksRow, parseDfBlocks } from './filesystems.ts';

/** Filesystems reached over the network: dockmedic never moves Docker's data from or onto them. */
const NETWORK_FS =
  /^(nfs|nfs4|cifs|smb3?|smbfs|afs|ncpfs|glusterfs|ceph|cephfs|lustre|gpfs|beegfs|ocfs2|gfs2|9p|davfs|fuse\.(sshfs|glusterfs|s3fs|rclone|cephfs|davfs2?))$/;

export function isNetworkFs(fstype: string): boolean {
  return NETWORK_FS.test(fstype);
}

export type DirKind = 'absent' | 'empty' | 'dir' | 'symlink' | 'other';

export interface DirFacts {
  path: string;
  kind: DirKind;
  /** `readlink -f`: the path with every symlink resolved (of the nearest existing part when absent). */
  resolved: string;
  /** The filesystem that holds the path, or the nearest existing parent of it. */
  filesystem?: DfBlocksRow;
}

const KINDS = new Set<string>(['absent', 'empty', 'dir', 'symlink', 'other']);

/** Pure: the output of the dirFacts script. */
export function parseDirFacts(path: string, stdout: string): DirFacts {
  const kind = /@@kind=(\w+)/.exec(stdout)?.[1] ?? 'other';
  const resolved = /@@resolved=(.*)/.exec(stdout)?.[1]?.trim() || path;
  const dfText = stdout.split('@@df\n')[1] ?? '';
  const [filesystem] = parseDfBlocks(dfText);
  return {
    path,
    kind: KINDS.has(kind) ? (kind as DirKind) : 'other',
    resolved,
    ...(filesystem ? { filesystem } : {}),
  };
}

export async function dirFacts(ctx: EvidenceContext, path: string): Promise<DirFacts> {
  const result = await ctx.conn.exec(
    sh`p=${path}
if [ -L "$p" ]; then k=symlink; elif [ -d "$p" ]; then if [ -z "$(ls -A -- "$p" 2>/dev/null | head -n 1)" ]; then k=empty; else k=dir; fi; elif [ -e "$p" ]; then k=other; else k=absent; fi
e=$p; while [ ! -e "$e" ]; do e=$(dirname -- "$e"); done
echo "@@kind=$k"; echo "@@resolved=$(readlink -f -- "$e")$( [ "$e" = "$p" ] || printf '%s' "\${p#"$e"}")"; echo @@df; df -P -T -k -- "$e"`,
    { privileged: true },
  );
  return parseDirFacts(path, result.stdout);
}

export interface DirUsage {
  /** Files, directories, links… below the path (and the path itself), on its own filesystem. */
  entries: number;
  /** Bytes in its regular files (directory sizes differ between filesystems, so they do not count). */
  bytes?: number;
  /** What was asked, for the output. */
  command: string;
}

/** Pure: the output of the dirUsage script. */
export function parseDirUsage(stdout: string, command: string): DirUsage | undefined {
  const entries = /@@entries=\s*(\d+)/.exec(stdout)?.[1];
  if (entries === undefined) return undefined;
  const bytes = /@@bytes=(\d+)/.exec(stdout)?.[1];
  return { entries: Number(entries), ...(bytes ? { bytes: Number(bytes) } : {}), command };
}

/**
 * How much is below a directory, staying on its filesystem (-xdev: a running daemon's overlay mounts
 * must not count twice): entries, and the bytes of its regular files (GNU find -printf, else stat
 * for busybox). Can take minutes on a big Docker root: the timeout is generous.
 */
export async function dirUsage(ctx: EvidenceContext, path: string): Promise<DirUsage | undefined> {
  const command = sh`cd -- ${path} && echo "@@entries=$(find . -xdev | wc -l)" && echo "@@bytes=$( (find . -xdev -type f -printf '%s\\n' 2>/dev/null || find . -xdev -type f -exec stat -c %s -- {} +) | awk '{ s += $1 } END { printf "%.0f", s }')"`;
  const result = await ctx.conn.exec(command, { privileged: true, timeoutMs: 3 * 3600_000 });
  return parseDirUsage(
    result.stdout,
    `find ${path} -xdev | wc -l; find ${path} -xdev -type f -printf '%s\\n' | awk (sum)`,
  );
}

/** Mount points strictly below a path (from /proc/mounts), e.g. overlay mounts left by containers. */
export async function mountsBelow(ctx: EvidenceContext, path: string): Promise<string[]> {
  const result = await ctx.conn.exec(
    sh`awk -v p=${`${path}/`} 'index($2, p) == 1 { print $2 " (" $3 ")" }' /proc/mounts`,
  );
  return result.stdout.split('\n').filter(Boolean);
}

/** True when the host has the program on its PATH. */
export async function hasProgram(ctx: EvidenceContext, program: string): Promise<boolean> {
  const result = await ctx.conn.exec(sh`command -v ${program} >/dev/null 2>&1`, { privileged: true });
  return result.code === 0;
}
