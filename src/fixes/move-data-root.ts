// Moves Docker's data root to a filesystem with room (docs/checks.md, trouble § 1, 2): the guide's
// stop, rsync, set data-root, start, as a runbook of seven steps, each shown, approved by an admin
// and re-checked right before it runs (move-data-root-steps.ts). The old directory is kept; its
// removal is offered as a separate fix once the last step went well, and any failure after
// dockerd was stopped offers the rollback (restore-docker.ts): the previous daemon.json and a
// running dockerd again.

import path from 'node:path';
import { z } from 'zod';
import {
  copyStep,
  measureStep,
  preflight,
  runOf,
  STEP_COMMANDS,
  startAndCompareStep,
  stopStep,
  verifyStep,
  writeStep,
} from './move-data-root-steps.ts';
import { isAllowedDockerRoot } from './orphan-container-dirs.ts';
import { proposeRemoveOldDataRoot } from './remove-old-data-root.ts';
import { proposeRestoreDocker } from './restore-docker.ts';
import { runEveryStep } from './runbook.ts';
import { startContainersThatRan } from './runbook-docker.ts';
import type { Fix, FixContext, FixOutcome, FixProposal, Operation, Recheck, StepOutcome } from './types.ts';
import { proposerOf } from './types.ts';

export const STAMP = /^\d{8}T\d{6}Z$/;
/** Where Docker's data must never go: the system's own directories and memory-backed ones. */
const SYSTEM_DIRS =
  /^\/(proc|sys|dev|run|tmp|etc|usr|bin|sbin|lib|lib32|lib64|libx32|boot|var\/run|var\/tmp|var\/log)(\/|$)/;

/** Pure: a path dockmedic would create and fill with Docker's data. */
export function isSafeTarget(target: string): boolean {
  if (!target.startsWith('/') || target === '/' || target.endsWith('/')) return false;
  if (path.posix.normalize(target) !== target || !/^[A-Za-z0-9_./-]+$/.test(target)) return false;
  return !SYSTEM_DIRS.test(target);
}

/** Pure: a inside b, or b itself. */
export function isWithin(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}

export const MoveDataRootParams = z
  .object({
    from: z.string().max(200).refine(isAllowedDockerRoot, 'expected the Docker root dir under an allowed prefix'),
    to: z.string().max(200).refine(isSafeTarget, 'expected an absolute target outside the system directories'),
    stamp: z.string().regex(STAMP, 'expected a stamp like 20260102T030405Z'),
  })
  .strict()
  .refine((params) => !isWithin(params.to, params.from), 'the target may not be inside the old root')
  .refine((params) => !isWithin(params.from, params.to), 'the old root may not be inside the target');
export type MoveDataRootParams = z.infer<typeof MoveDataRootParams>;

function plan(params: MoveDataRootParams): Operation[] {
  const { from, to } = params;
  return [
    {
      description: `Measure and check (nothing changes): size of ${from}, room on ${to}, time, daemon.json`,
      command: STEP_COMMANDS.measure(params),
    },
    {
      description: 'Stop the running containers, then dockerd (and containerd where it is its own service)',
      command: STEP_COMMANDS.stop,
    },
    { description: `Copy ${from} to ${to} (dockerd stays stopped)`, command: STEP_COMMANDS.copy(params) },
    {
      description: 'Verify the copy: the same number of files and bytes on both sides',
      command: STEP_COMMANDS.verify(params),
    },
    {
      description: `Set "data-root": "${to}" in /etc/docker/daemon.json, every other key kept (backup daemon.json.dockmedic-${runOf(params)})`,
      command: STEP_COMMANDS.write,
    },
    {
      description: 'Start dockerd and compare it with the plan: DockerRootDir, images, containers',
      command: STEP_COMMANDS.start,
    },
    {
      description: 'Start the containers that were running before',
      command: 'POST /containers/{id}/start for each; wait until they run',
    },
  ];
}

function recheck(ctx: FixContext, params: MoveDataRootParams): Promise<Recheck> {
  return preflight(ctx, params, { dockerdMustRun: true });
}

const STEPS = [measureStep, stopStep, copyStep, verifyStep, writeStep, startAndCompareStep];

async function runStep(
  ctx: FixContext,
  params: MoveDataRootParams,
  step: number,
): Promise<{ ok: boolean; output: string }> {
  const run = STEPS[step];
  if (run) return run(ctx, params);
  if (step === STEPS.length) return startContainersThatRan(ctx, runOf(params));
  return { ok: false, output: `this runbook has no step ${step + 1}` };
}

/** Step 2 (index 1) stops dockerd: from there on, a failure, an unknown outcome or a halt offers the rollback. */
const FIRST_STEP_WITHOUT_DOCKER = 1;

/** Step 6 (index 5) starts dockerd again: a halt after it leaves Docker running, on the new root. */
const START_STEP = 5;

function followUp(params: MoveDataRootParams, step: number, outcome: StepOutcome): FixProposal | undefined {
  const dockerDown = step >= FIRST_STEP_WITHOUT_DOCKER && (outcome !== 'halted' || step < START_STEP);
  if (outcome !== 'done' && dockerDown) {
    return proposeRestoreDocker('Roll back: restore the previous daemon.json and start dockerd', {
      run: runOf(params),
    });
  }
  if (outcome === 'done' && step === STEPS.length) {
    return proposeRemoveOldDataRoot(`Remove the old Docker root dir ${params.from} (now unused)`, {
      path: params.from,
      now: params.to,
    });
  }
  return undefined;
}

function run(ctx: FixContext, params: MoveDataRootParams): Promise<FixOutcome> {
  return runEveryStep(
    ctx,
    params,
    plan(params),
    runStep,
    `Moved Docker's data root from ${params.from} to ${params.to}; ${params.from} is kept until you remove it`,
  );
}

export const moveDataRootFix: Fix<MoveDataRootParams> = {
  id: 'move-data-root',
  title: "Move Docker's data root",
  risk: 'dangerous',
  params: MoveDataRootParams,
  plan,
  recheck,
  run,
  runStep,
  followUp,
};

/** How a check proposes this fix. */
export const proposeMoveDataRoot = proposerOf(moveDataRootFix);
