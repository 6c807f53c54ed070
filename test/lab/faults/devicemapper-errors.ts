// A devicemapper error in the daemon log. devicemapper itself cannot be made real here (no thin
// pool, and the lab's dockerd uses vfs): the line the seed guide quotes is appended to the log
// file the lab's dockerd writes (/var/log/docker.log), in dockerd's own format.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

export const DEVICEMAPPER_LINE =
  'level=error msg="Handler for POST /v1.41/containers/create returned error: devicemapper: Error running deviceCreate (CreateSnapDeviceRaw) dm_task_run failed"';

export async function appendDevicemapperError(host: LabHost): Promise<void> {
  const line = `time="${new Date().toISOString()}" ${DEVICEMAPPER_LINE}`;
  await must(host, `printf '%s\\n' ${shellQuote(line)} >> /var/log/docker.log`, 'appending to the daemon log');
}

/** Log rotation, in effect: the file starts over. */
export async function rotateDaemonLog(host: LabHost): Promise<void> {
  await must(host, 'mv /var/log/docker.log /var/log/docker.log.1 && : > /var/log/docker.log', 'rotating the log');
}
