// An image with a dependent child image, from classic (DOCKER_BUILDKIT=0) builds FROM a local
// image, and a container using the child: `docker rmi <parent id>` then fails with "image has
// dependent child images".

import type { LabHost } from '../host.ts';
import { must } from './must.ts';

export async function makeImageWithChild(
  host: LabHost,
): Promise<{ parentId: string; childId: string; containerId: string }> {
  const build = (dir: string, from: string, file: string, tag: string) =>
    `mkdir -p ${dir} && cd ${dir} && printf 'FROM ${from}\\nCOPY ${file} /${file}\\n' > Dockerfile && echo ${file} > ${file} && DOCKER_BUILDKIT=0 docker build -q -t ${tag} . 2>/dev/null`;
  const parentId = (
    await must(host, build('/tmp/lab-parent', 'busybox:local', 'parent', 'lab-parent:1'), 'building the parent')
  ).trim();
  const childId = (
    await must(host, build('/tmp/lab-child', 'lab-parent:1', 'child', 'lab-child:1'), 'building the child')
  ).trim();
  const containerId = (
    await must(
      host,
      'docker run -d --network none --name lab-child-user lab-child:1 sleep 3600',
      'starting a container',
    )
  ).trim();
  await must(host, 'rm -rf /tmp/lab-parent /tmp/lab-child', 'cleaning up');
  return { parentId, childId, containerId };
}
