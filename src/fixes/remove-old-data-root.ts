// After move-data-root: the old root dir still holds a full copy of Docker's data, kept until the
// move is confirmed. Removing it is its own dangerous fix, offered after the runbook's last step and
// run only when dockerd answers from the new root: nothing dockerd uses may be under the old one.
// The directory itself stays (it is often a mount point); what is in it goes.

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { dirFacts, mountsBelow } from '../evidence/dirFacts.ts';
import { dockerInfo } from '../evidence/docker.ts';
import { formatBytes } from '../format.ts';
import { sh } from '../hosts/shell.ts';
import { isAllowedDockerRoot } from './orphan-container-dirs.ts';
import { runEveryStep } from './runbook.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const RemoveOldDataRootParams = z
  .object({
    path: z.string().max(200).refine(isAllowedDockerRoot, 'expected an old Docker root dir under an allowed prefix'),
    /** The root dockerd uses now: the removal is refused unless dockerd says so. */
    now: z.string().max(200).startsWith('/'),
  })
  .strict();
export type RemoveOldDataRootParams = z.infer<typeof RemoveOldDataRootParams>;

function removeCommand(params: RemoveOldDataRootParams) {
  return sh`find ${params.path} -xdev -mindepth 1 -delete`;
}

function plan(params: RemoveOldDataRootParams): Operation[] {
  return [
    {
      description: `Delete everything in ${params.path} (the directory itself stays); checked unused by dockerd right before`,
      command: removeCommand(params),
    },
  ];
}

async function recheck(ctx: FixContext, params: RemoveOldDataRootParams): Promise<Recheck> {
  const context = createContext(ctx.conn);
  const info = await dockerInfo(context);
  if (info.DockerRootDir !== params.now) {
    return {
      ok: false,
      reason: `dockerd's root dir is ${info.DockerRootDir}, not ${params.now}: ${params.path} may still be in use`,
    };
  }
  const [old, current] = await Promise.all([dirFacts(context, params.path), dirFacts(context, params.now)]);
  if (old.kind !== 'dir')
    return {
      ok: false,
      reason: `${params.path} is ${old.kind === 'empty' ? 'empty already' : `not a directory (${old.kind})`}`,
    };
  if (old.resolved === current.resolved || current.resolved.startsWith(`${old.resolved}/`)) {
    return {
      ok: false,
      reason: `${params.path} resolves to ${old.resolved}, which holds the root dockerd uses now (${current.resolved})`,
    };
  }
  const mounts = await mountsBelow(context, old.resolved);
  if (mounts.length > 0)
    return { ok: false, reason: `something is mounted below ${old.resolved}: ${mounts.slice(0, 5).join(', ')}` };
  return { ok: true, note: `${params.path} is not used by dockerd (it runs from ${params.now})` };
}

async function runStep(ctx: FixContext, params: RemoveOldDataRootParams, step: number) {
  if (step !== 0) return { ok: false, output: `this runbook has no step ${step + 1}` };
  const checked = await recheck(ctx, params);
  if (!checked.ok) return { ok: false, output: `nothing removed: ${checked.reason}` };
  const free = async () => (await dirFacts(createContext(ctx.conn), params.path)).filesystem?.availBytes ?? 0;
  const before = await free();
  const result = await ctx.conn.exec(removeCommand(params), { privileged: true, timeoutMs: 3 * 3600_000 });
  const after = await free();
  const freed = `${formatBytes(Math.max(0, after - before))} freed on its filesystem`;
  if (result.code !== 0)
    return { ok: false, output: `find -delete failed (${result.stderr.trim().slice(0, 500)}); ${freed}` };
  return { ok: true, output: `emptied ${params.path}; ${freed}` };
}

function run(ctx: FixContext, params: RemoveOldDataRootParams): Promise<FixOutcome> {
  return runEveryStep(
    ctx,
    params,
    plan(params),
    runStep,
    `Removed the old Docker root dir's contents in ${params.path}`,
  );
}

export const removeOldDataRootFix: Fix<RemoveOldDataRootParams> = {
  id: 'remove-old-data-root',
  title: 'Remove the old Docker root dir',
  risk: 'dangerous',
  params: RemoveOldDataRootParams,
  plan,
  recheck,
  run,
  runStep,
};

/** How move-data-root offers it once its last step went well. */
export const proposeRemoveOldDataRoot = proposerOf(removeOldDataRootFix);
