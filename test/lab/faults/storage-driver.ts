/**
 * A Docker root overlay2 cannot use: the host's /var/lib/docker re-made as ext4 without the
 * `filetype` feature, so its directory entries carry no d_type (the kernel mounts an overlay on it
 * but warns "upper fs needs to support d_type", and dockerd refuses overlay2 there). dockerd is
 * stopped, the new filesystem mounted in its place, and dockerd started again on vfs (which needs
 * no d_type); the host's images are gone with the old filesystem.
 */
import path from 'node:path';
import type { LabHost } from '../host.ts';
import { runOk } from '../proc.ts';
import { must } from './must.ts';

export async function remakeRootWithoutDType(host: LabHost, sizeMiB = 128): Promise<void> {
  const image = path.join(host.dir, 'disk-no-dtype.img');
  await runOk('truncate', ['-s', `${sizeMiB}M`, image]);
  await runOk('mkfs.ext4', ['-q', '-F', '-O', '^filetype', image]);
  const device = (await runOk('losetup', ['--find', '--show', image])).stdout.trim();
  await host.stopDockerd();
  try {
    await must(host, `umount /var/lib/docker && mount ${device} /var/lib/docker`, 'mounting a root without d_type');
  } finally {
    // Busy (mounted): the kernel only marks it autoclear, so it goes with the host.
    await runOk('losetup', ['-d', device]).catch(() => undefined);
  }
  await host.startDockerd();
}
