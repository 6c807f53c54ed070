// The nfs-flock fault cannot be made real here: it needs an NFS mount (no NFS server on this
// machine, and lab hosts must not send traffic off 127.0.0.0/8) and an EL7 kernel older than
// 3.10.0-693.18.1 (the machine runs its own kernel). The judge is unit-tested on recorded evidence
// instead. What the lab can do is the check's other half: a container with a bind mount, which the
// check must follow to the host path and find not on NFS.

import type { LabHost } from '../host.ts';
import { hostSh, runDetached } from './build.ts';

export async function runWithBindMount(host: LabHost, name: string, hostDir: string): Promise<string> {
  await hostSh(host, `mkdir -p '${hostDir.replaceAll("'", '')}'`, `creating ${hostDir}`);
  return runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '-e',
    'LANG=C.UTF-8',
    '-v',
    `${hostDir}:/data`,
    'busybox:local',
    'sleep',
    '100000',
  ]);
}
