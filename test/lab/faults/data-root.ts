/**
 * A second local filesystem with room inside a lab host, for moving Docker's data root onto it: a
 * sparse ext4 image in the host's folder (only written blocks cost space), attached to a loop
 * device on the machine and mounted at `mount` inside the host's mount namespace only. The loop
 * device is released (marked autoclear) right after the mount, so it goes away with the mount when
 * the host is destroyed; nothing is left on the machine but the empty mount point directory.
 */
import path from 'node:path';
import type { LabHost } from '../host.ts';
import { runOk, shellQuote } from '../proc.ts';
import { must } from './must.ts';

export async function addDataDisk(host: LabHost, options: { sizeMiB?: number; mount?: string } = {}): Promise<string> {
  const mount = options.mount ?? '/data';
  const image = path.join(host.dir, `disk-${path.basename(mount)}.img`);
  await runOk('truncate', ['-s', `${options.sizeMiB ?? 2048}M`, image]);
  await runOk('mkfs.ext4', ['-q', '-F', image]);
  const device = (await runOk('losetup', ['--find', '--show', image])).stdout.trim();
  try {
    await must(host, `mkdir -p ${shellQuote(mount)} && mount ${device} ${shellQuote(mount)}`, `mounting ${image}`);
  } finally {
    // Busy (mounted): the kernel only marks it autoclear; free: it is detached at once.
    await runOk('losetup', ['-d', device]).catch(() => undefined);
  }
  return mount;
}
