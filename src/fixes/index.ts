// Every fix, by id. Adding a fix = one file in this folder + one line here.

import { cronDropTtyFix } from './cron-drop-tty.ts';
import { daemonLiveRestoreFix } from './daemon-live-restore.ts';
import { devicemapperThinCheckFix } from './devicemapper-thin-check.ts';
import { dockerRestartPolicyFix } from './docker-restart-policy.ts';
import { moveDataRootFix } from './move-data-root.ts';
import { orphanContainerDirsFix } from './orphan-container-dirs.ts';
import { pruneSafeFix } from './prune-safe.ts';
import { remountTmpExecFix } from './remount-tmp-exec.ts';
import { removeDeadContainerFix } from './remove-dead-container.ts';
import { removeImageChildrenFix } from './remove-image-children.ts';
import { removeOldDataRootFix } from './remove-old-data-root.ts';
import { removeUnusedVolumesFix } from './remove-unused-volumes.ts';
import { restartContainerFix } from './restart-container.ts';
import { restoreDockerFix } from './restore-docker.ts';
import { startDockerFix } from './start-docker.ts';
import { switchToOverlay2Fix } from './switch-to-overlay2.ts';
import { truncateLogFix } from './truncate-log.ts';
import type { Fix } from './types.ts';

export const FIXES: readonly Fix[] = [
  truncateLogFix as Fix,
  removeUnusedVolumesFix as Fix,
  pruneSafeFix as Fix,
  startDockerFix as Fix,
  dockerRestartPolicyFix as Fix,
  removeDeadContainerFix as Fix,
  remountTmpExecFix as Fix,
  daemonLiveRestoreFix as Fix,
  cronDropTtyFix as Fix,
  restartContainerFix as Fix,
  removeImageChildrenFix as Fix,
  orphanContainerDirsFix as Fix,
  devicemapperThinCheckFix as Fix,
  moveDataRootFix as Fix,
  removeOldDataRootFix as Fix,
  restoreDockerFix as Fix,
  switchToOverlay2Fix as Fix,
];

/** The fix with this id, or undefined (an approval may outlive a fix that was removed). */
export function getFix(id: string): Fix | undefined {
  return FIXES.find((fix) => fix.id === id);
}
