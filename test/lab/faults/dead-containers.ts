// A Dead container and an orphan container directory. The Dead one (DESIGN.md): a file in its
// writable layer (vfs: <root>/vfs/dir/<mount-id>) made immutable, then `docker rm` fails with
// "failed to remove root filesystem" and the daemon keeps it as dead/removing. releaseDeadContainer
// takes the immutable flag off again: the cause gone, as when a busy mount is finally released.

import { randomBytes } from 'node:crypto';
import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

const ROOT = '/var/lib/docker';

async function writableLayer(host: LabHost, id: string): Promise<string> {
  const mountId = (await must(host, `cat ${ROOT}/image/vfs/layerdb/mounts/${id}/mount-id`, 'reading mount-id')).trim();
  return `${ROOT}/vfs/dir/${mountId}`;
}

export async function makeDeadContainer(host: LabHost, name: string): Promise<string> {
  const id = (
    await must(host, `docker run -d --name ${shellQuote(name)} --network none busybox:local sleep 3600`, 'starting it')
  ).trim();
  await must(host, `docker stop -t 1 ${id}`, 'stopping it');
  const file = `${await writableLayer(host, id)}/lab-immutable`;
  await must(host, `touch ${file} && chattr +i ${file}`, 'making a file immutable');
  const removed = await host.sh(`docker rm ${id}`);
  if (removed.code === 0) throw new Error('docker rm succeeded: the container did not become dead');
  return id;
}

export async function releaseDeadContainer(host: LabHost, id: string): Promise<void> {
  const file = `${await writableLayer(host, id)}/lab-immutable`;
  await must(host, `chattr -i ${file}`, 'clearing the immutable flag');
}

/** A directory under <root>/containers for a container the daemon never knew; returns its id. */
export async function makeOrphanDir(host: LabHost): Promise<string> {
  const id = randomBytes(32).toString('hex');
  const dir = `${ROOT}/containers/${id}`;
  await must(
    host,
    `mkdir -p ${dir}/mounts && echo '{"ID":"${id}","Name":"/old-web"}' > ${dir}/config.v2.json && head -c 65536 /dev/zero > ${dir}/${id}-json.log`,
    'making an orphan container dir',
  );
  return id;
}
