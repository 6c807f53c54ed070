// Every check, by id. Adding a check = one file in this folder + one line here.

import { DockmedicError } from '../errors.ts';
import { addressPoolsCheck } from './address-pools.ts';
import { composeCollisionCheck } from './compose-collision.ts';
import { containerHealthCheck } from './container-health.ts';
import { containerLocaleCheck } from './container-locale.ts';
import { containerLocalhostCheck } from './container-localhost.ts';
import { containerLogsCheck } from './container-logs.ts';
import { containerUserCheck } from './container-user.ts';
import { daemonConfigCheck } from './daemon-config.ts';
import { daemonHealthCheck } from './daemon-health.ts';
import { dataRootCheck } from './data-root.ts';
import { deadContainersCheck } from './dead-containers.ts';
import { devicemapperErrorsCheck } from './devicemapper-errors.ts';
import { diskUsageCheck } from './disk-usage.ts';
import { envQuotesCheck } from './env-quotes.ts';
import { imageChildrenCheck } from './image-children.ts';
import { inodeUsageCheck } from './inode-usage.ts';
import { nfsFlockCheck } from './nfs-flock.ts';
import { reclaimableCheck } from './reclaimable.ts';
import { shmSizeCheck } from './shm-size.ts';
import { storageDriverCheck } from './storage-driver.ts';
import { tmpNoexecCheck } from './tmp-noexec.ts';
import { ttyInCronCheck } from './tty-in-cron.ts';
import type { Check } from './types.ts';

export const CHECKS: readonly Check[] = [
  diskUsageCheck as Check,
  inodeUsageCheck as Check,
  reclaimableCheck as Check,
  containerLogsCheck as Check,
  storageDriverCheck as Check,
  dataRootCheck as Check,
  daemonHealthCheck as Check,
  containerLocaleCheck as Check,
  containerLocalhostCheck as Check,
  shmSizeCheck as Check,
  nfsFlockCheck as Check,
  addressPoolsCheck as Check,
  composeCollisionCheck as Check,
  envQuotesCheck as Check,
  daemonConfigCheck as Check,
  tmpNoexecCheck as Check,
  deadContainersCheck as Check,
  ttyInCronCheck as Check,
  devicemapperErrorsCheck as Check,
  containerHealthCheck as Check,
  containerUserCheck as Check,
  imageChildrenCheck as Check,
];

/** What `/docker diskcheck` runs, in the order its message shows them. */
export const DISKCHECK_CHECKS: readonly string[] = CHECKS.filter((check) => check.diskcheck).map((check) => check.id);

/** What the monitor runs on every host: `monitor.checks` when set, else the checks marked monitorByDefault. */
export function monitoredCheckIds(configured: readonly string[] | undefined): readonly string[] {
  return configured ?? CHECKS.filter((check) => check.monitorByDefault).map((check) => check.id);
}

/** The check with this id, or undefined. */
export function getCheck(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}

/** The checks with these ids; an unknown id is a bad argument, said in words the user typed. */
export function resolveChecks(ids: readonly string[]): Check[] {
  const checks: Check[] = [];
  for (const id of ids) {
    const check = getCheck(id);
    if (!check) {
      throw new DockmedicError('dm_bad_arguments', `unknown check ${id}`, {
        userMessage: `There is no check called "${id}". Known checks: ${CHECKS.map((known) => known.id).join(', ')}`,
      });
    }
    checks.push(check);
  }
  return checks;
}
