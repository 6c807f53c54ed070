// Moves a host from a removed or wasteful storage driver (devicemapper, aufs, overlay, vfs) to
// overlay2 (docs/checks.md, trouble § 2, 4), as a runbook of six steps each approved by an admin and
// re-checked right before (switch-to-overlay2-steps.ts): check overlay2 can work and measure, save
// the images and every container's settings, stop, switch the driver in daemon.json, start, load
// the images back. Containers cannot follow (their layers belong to the old driver): the plan lists
// each with how it was started, for recreation; nothing is deleted. A failure once dockerd is
// stopped offers the rollback (restore-docker.ts): the previous daemon.json, the old driver again.

import { z } from 'zod';
import { setDaemonJsonKeys } from './daemon-json-edit.ts';
import { isAllowedDockerRoot } from './orphan-container-dirs.ts';
import { proposeRestoreDocker } from './restore-docker.ts';
import { runEveryStep } from './runbook.ts';
import { stopDockerForRunbook } from './runbook-docker.ts';
import {
  checkStep,
  loadStep,
  preflight,
  runOf,
  SAVE_DIR_NOTE,
  saveStep,
  startStep,
  stoppedDocker,
} from './switch-to-overlay2-steps.ts';
import {
  type Fix,
  type FixContext,
  type FixOutcome,
  type FixProposal,
  type Operation,
  proposerOf,
  type Recheck,
  type StepOutcome,
} from './types.ts';

/** Drivers this runbook moves away from. */
export const FROM_DRIVERS = ['devicemapper', 'aufs', 'overlay', 'vfs'] as const;

export const SwitchToOverlay2Params = z
  .object({
    root: z.string().max(200).refine(isAllowedDockerRoot, 'expected the Docker root dir under an allowed prefix'),
    driver: z.enum(FROM_DRIVERS),
    stamp: z.string().regex(/^\d{8}T\d{6}Z$/, 'expected a stamp like 20260102T030405Z'),
  })
  .strict();
export type SwitchToOverlay2Params = z.infer<typeof SwitchToOverlay2Params>;

function plan(params: SwitchToOverlay2Params): Operation[] {
  return [
    {
      description: `Check overlay2 can work under ${params.root} and measure: images to save, room, containers to recreate (nothing changes)`,
      command:
        '/proc/filesystems; df -PT; tune2fs -l or xfs_info (d_type); mount -t overlay a test overlay, then unmount it; GET /images/json, /containers/{id}/json',
    },
    {
      description: 'Save every tagged image and every container’s settings',
      command: `docker save -o ${SAVE_DIR_NOTE}/images.tar <every tag>; docker inspect <every container> > ${SAVE_DIR_NOTE}/containers.json`,
    },
    {
      description: 'Stop the running containers, then dockerd (and containerd where it is its own service)',
      command:
        'POST /containers/{id}/stop for each running one; systemctl stop docker.socket docker.service containerd.service, or SIGTERM to the pid in dockerd’s pidfile',
    },
    {
      description: `Set "storage-driver": "overlay2" in /etc/docker/daemon.json, every other key kept (backup daemon.json.dockmedic-${runOf(params)})`,
      command:
        'write /etc/docker/daemon.json; dockerd --validate (Docker 23+) or a JSON read-back; restore the backup if it fails',
    },
    {
      description: 'Start dockerd and check it runs overlay2 with d_type',
      command: 'systemctl start docker, or the dockerd binary detached; GET /info',
    },
    {
      description: 'Load the images back, check each tag, and list the containers to recreate',
      command: `docker load -i ${SAVE_DIR_NOTE}/images.tar; GET /images/json`,
    },
  ];
}

function recheck(ctx: FixContext, params: SwitchToOverlay2Params): Promise<Recheck> {
  return preflight(ctx, params);
}

async function stopStep(ctx: FixContext, params: SwitchToOverlay2Params) {
  const checked = await preflight(ctx, params);
  if (!checked.ok) return { ok: false, output: `not stopped: ${checked.reason}` };
  return stopDockerForRunbook(ctx, runOf(params), params.root);
}

async function writeStep(ctx: FixContext, params: SwitchToOverlay2Params) {
  const stopped = await stoppedDocker(ctx);
  if (stopped) return { ok: false, output: `daemon.json not changed: ${stopped}` };
  return setDaemonJsonKeys(ctx, runOf(params), { 'storage-driver': 'overlay2' });
}

const STEPS = [checkStep, saveStep, stopStep, writeStep, startStep, loadStep];

async function runStep(ctx: FixContext, params: SwitchToOverlay2Params, step: number) {
  const run = STEPS[step];
  return run ? run(ctx, params) : { ok: false, output: `this runbook has no step ${step + 1}` };
}

/** Step 3 (index 2) stops dockerd: from there on, a failure, an unknown outcome or a halt offers the rollback. */
const FIRST_STEP_WITHOUT_DOCKER = 2;

/** The last step (index 5) loads the images back: a halt before it leaves a host without its images. */
const LOAD_STEP = 5;

function followUp(params: SwitchToOverlay2Params, step: number, outcome: StepOutcome): FixProposal | undefined {
  if (outcome === 'done' || step < FIRST_STEP_WITHOUT_DOCKER) return undefined;
  if (outcome === 'halted' && step >= LOAD_STEP) return undefined;
  return proposeRestoreDocker(`Roll back: restore the previous daemon.json (${params.driver}) and start dockerd`, {
    run: runOf(params),
  });
}

function run(ctx: FixContext, params: SwitchToOverlay2Params): Promise<FixOutcome> {
  return runEveryStep(
    ctx,
    params,
    plan(params),
    runStep,
    `dockerd runs overlay2 with the images loaded back; recreate the listed containers`,
  );
}

export const switchToOverlay2Fix: Fix<SwitchToOverlay2Params> = {
  id: 'switch-to-overlay2',
  title: 'Change the storage driver to overlay2',
  risk: 'dangerous',
  params: SwitchToOverlay2Params,
  plan,
  recheck,
  run,
  runStep,
  followUp,
};

/** How the storage-driver check proposes this fix. */
export const proposeSwitchToOverlay2 = proposerOf(switchToOverlay2Fix);
