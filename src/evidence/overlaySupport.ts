// Whether overlay2 can work for a Docker root dir: the kernel has the overlay filesystem (built in
// or as a module), and the filesystem under the root is one overlay2 may sit on and gives d_type
// (ext4 with the `filetype` feature, xfs with ftype=1). Read-only: /proc/filesystems, df, tune2fs
// or xfs_info. The runbook mounts a real test overlay before it changes anything.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { isNetworkFs } from './dirFacts.ts';
import { type DfBlocksRow, parseDfBlocks } from './filesystems.ts';

/** Filesystems overlay2 refuses as its backing filesystem (moby's overlay2 driver, and network ones). */
const NOT_UNDER_OVERLAY = /^(aufs|ecryptfs|overlay|zfs)$/;

export interface OverlaySupport {
  root: string;
  /** `yes` (in /proc/filesystems), `module` (overlay.ko can be loaded), `no`. */
  kernel: 'yes' | 'module' | 'no';
  filesystem?: DfBlocksRow;
  /** ext2/3/4: `Filesystem features:` of tune2fs -l; xfs: `ftype=0|1` of xfs_info; else empty. */
  features: string;
}

export type OverlayVerdict = { can: 'yes' | 'maybe'; why: string } | { can: 'no'; why: string };

/** Pure: the output of the overlaySupport script. */
export function parseOverlaySupport(root: string, stdout: string): OverlaySupport {
  const kernel = /@@kernel=(yes|module|no)/.exec(stdout)?.[1] ?? 'no';
  const [filesystem] = parseDfBlocks(stdout.split('@@df\n')[1]?.split('@@features\n')[0] ?? '');
  const features = (stdout.split('@@features\n')[1] ?? '').trim();
  return { root, kernel: kernel as OverlaySupport['kernel'], ...(filesystem ? { filesystem } : {}), features };
}

export async function overlaySupport(ctx: EvidenceContext, root: string): Promise<OverlaySupport> {
  return ctx.memo(`shell:overlay-support:${root}`, async () => {
    const result = await ctx.conn.exec(
      sh`if grep -qw overlay /proc/filesystems; then echo @@kernel=yes; elif [ -n "$(find /lib/modules/"$(uname -r)" -name 'overlay.ko*' 2>/dev/null | head -n 1)" ]; then echo @@kernel=module; else echo @@kernel=no; fi
echo @@df; df -P -T -k -- ${root} 2>/dev/null
set -- $(df -P -T -k -- ${root} 2>/dev/null | tail -n 1)
echo @@features
case "$2" in ext2|ext3|ext4) tune2fs -l "$1" 2>/dev/null | grep -i '^Filesystem features' ;; xfs) xfs_info "$7" 2>/dev/null | grep -o 'ftype=[01]' ;; esac`,
      { privileged: true },
    );
    return parseOverlaySupport(root, result.stdout);
  });
}

/** Pure: can overlay2 work here, and why (or why not), in words a person can act on. */
export function overlayVerdict(support: OverlaySupport): OverlayVerdict {
  const fs = support.filesystem;
  if (support.kernel === 'no') {
    return {
      can: 'no',
      why: 'the kernel has no overlay filesystem: it is not in /proc/filesystems and there is no overlay module under /lib/modules/$(uname -r)',
    };
  }
  if (!fs) return { can: 'maybe', why: `df could not say which filesystem holds ${support.root}` };
  const where = `${support.root} is on ${fs.fstype} (${fs.device} at ${fs.mount})`;
  if (isNetworkFs(fs.fstype)) return { can: 'no', why: `${where}, a network filesystem: overlay2 cannot sit on it` };
  if (NOT_UNDER_OVERLAY.test(fs.fstype))
    return { can: 'no', why: `${where}: overlay2 cannot use ${fs.fstype} as its backing filesystem` };
  if (/^ext[234]$/.test(fs.fstype)) {
    if (!support.features) return { can: 'maybe', why: `${where}; tune2fs could not read its features` };
    if (!/\bfiletype\b/.test(support.features)) {
      return {
        can: 'no',
        why: `${where}, made without the ext4 "filetype" feature, so it has no d_type (tune2fs -l: ${support.features.replace(/^Filesystem features:\s*/i, '')}); overlay2 needs d_type: a new filesystem (mkfs.ext4 has it by default) or tune2fs -O filetype and a full e2fsck while unmounted`,
      };
    }
    return { can: 'yes', why: `${where} with d_type (the filetype feature); the kernel has overlay` };
  }
  if (fs.fstype === 'xfs') {
    if (support.features === 'ftype=0') {
      return {
        can: 'no',
        why: `${where} with ftype=0, so it has no d_type; overlay2 needs xfs made with mkfs.xfs -n ftype=1`,
      };
    }
    if (support.features === 'ftype=1')
      return { can: 'yes', why: `${where} with ftype=1 (d_type); the kernel has overlay` };
    return { can: 'maybe', why: `${where}; xfs_info could not say whether it has ftype=1 (d_type)` };
  }
  return {
    can: 'maybe',
    why: `${where}; d_type is not known for ${fs.fstype}: the runbook's first step mounts a test overlay`,
  };
}
