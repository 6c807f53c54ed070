/**
 * A filesystem shared by many lab hosts (the "shared NFS filling up"): one small ext4 image
 * on one loop device, mounted at /var/lib/docker inside each host's mount namespace. Mounting the same
 * block device again reuses its superblock, so every host's `df` sees the same numbers, and filling
 * it once (from any host) makes all of them cross at the same moment. Meant for sshd-only hosts
 * (`docker: false`), whose /var/lib/docker is otherwise the machine's own directory.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { LabHost } from '../host.ts';
import { LAB_DIR } from '../paths.ts';
import { runOk } from '../proc.ts';

export interface SharedDisk {
  device: string;
  /** Mounts it at /var/lib/docker inside the host. */
  attach(host: LabHost): Promise<void>;
  /** fallocate through the first attached host until df shows `percent` (never less); 0 empties it. */
  fill(percent: number): Promise<void>;
  destroy(): Promise<void>;
}

export async function createSharedDisk(sizeMiB = 64): Promise<SharedDisk> {
  const image = path.join(LAB_DIR, `shared-${process.pid}-${Date.now()}.img`);
  await runOk('truncate', ['-s', `${sizeMiB}M`, image]);
  await runOk('mkfs.ext4', ['-q', '-F', image]);
  const device = (await runOk('losetup', ['--find', '--show', image])).stdout.trim();
  const attached: LabHost[] = [];
  return {
    device,
    async attach(host) {
      const result = await host.sh(`mount ${device} /var/lib/docker`);
      if (result.code !== 0) throw new Error(`mounting the shared disk in ${host.name}: ${result.stderr.trim()}`);
      attached.push(host);
    },
    async fill(percent) {
      const host = attached[0];
      if (!host) throw new Error('attach the shared disk to a host first');
      const fill = '/var/lib/docker/shared-fill';
      await host.sh(`rm -f ${fill}`);
      if (percent <= 0) return;
      // df's Use% is used / (used + avail), rounded up: allocate what makes it reach `percent`.
      const script = [
        `set -- $(df -P -k /var/lib/docker | tail -n 1)`,
        `need=$(( ($3 + $4) * ${percent} / 100 - $3 + 1 ))`,
        `[ "$need" -gt 0 ] && fallocate -l "$((need * 1024))" ${fill}; sync`,
      ].join('\n');
      const result = await host.sh(script);
      if (result.code !== 0) throw new Error(`filling the shared disk: ${result.stderr.trim()}`);
    },
    async destroy() {
      for (const host of attached) await host.sh('umount /var/lib/docker').catch(() => undefined);
      await runOk('losetup', ['-d', device]).catch(() => undefined);
      await rm(image, { force: true });
    },
  };
}
