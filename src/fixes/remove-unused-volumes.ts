// Unused volumes (docs/checks.md, trouble § 2, 19): they hold data, so removing them is `dangerous` and never part of
// a prune. Offered as a runbook of one step per volume, each named, each approved by an admin, each
// rechecked right before (the volume still exists and still no container uses it).

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { dockerCall } from '../evidence/docker.ts';
import { systemDf } from '../evidence/systemDf.ts';
import { formatBytes } from '../format.ts';
import { runEveryStep } from './runbook.ts';
import {
  type Fix,
  type FixContext,
  type FixOutcome,
  type FixProposal,
  type Operation,
  proposerOf,
  type Recheck,
} from './types.ts';

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const MAX_VOLUMES_PER_RUNBOOK = 10;

/** Proposal params are flat strings: the names are comma-joined, each validated. */
export const RemoveVolumesParams = z
  .object({
    names: z
      .string()
      .max(2600)
      .refine((text) => {
        const names = text.split(',');
        return names.length <= MAX_VOLUMES_PER_RUNBOOK && names.every((name) => VOLUME_NAME.test(name));
      }, 'expected up to 10 comma-separated volume names'),
  })
  .strict();
export type RemoveVolumesParams = z.infer<typeof RemoveVolumesParams>;

function namesOf(params: RemoveVolumesParams): string[] {
  return params.names.split(',');
}

function plan(params: RemoveVolumesParams): Operation[] {
  return namesOf(params).map((name) => ({
    description: `Remove volume ${name} and the data in it (checked unused right before)`,
    command: `DELETE /volumes/${encodeURIComponent(name)}`,
  }));
}

/** The volume as /system/df sees it now: undefined when it is gone. */
async function volumeNow(ctx: FixContext, name: string) {
  const df = await systemDf(createContext(ctx.conn));
  return (df.Volumes ?? []).find((volume) => volume.Name === name);
}

async function recheck(ctx: FixContext, params: RemoveVolumesParams): Promise<Recheck> {
  const df = await systemDf(createContext(ctx.conn));
  const byName = new Map((df.Volumes ?? []).map((volume) => [volume.Name, volume]));
  for (const name of namesOf(params)) {
    const volume = byName.get(name);
    if (!volume) return { ok: false, reason: `volume ${name} no longer exists` };
    if (volume.UsageData?.RefCount !== 0) return { ok: false, reason: `volume ${name} is in use again` };
  }
  return { ok: true };
}

async function runStep(ctx: FixContext, params: RemoveVolumesParams, step: number) {
  const name = namesOf(params)[step];
  if (!name) return { ok: false, output: `this runbook has no step ${step + 1}` };
  const volume = await volumeNow(ctx, name);
  if (!volume) return { ok: false, output: `volume ${name} no longer exists: nothing removed` };
  if (volume.UsageData?.RefCount !== 0) return { ok: false, output: `volume ${name} is in use again: not removed` };
  const context = createContext(ctx.conn);
  await dockerCall(context, `DELETE /volumes/${name}`, (docker) => docker.getVolume(name).remove());
  const size = volume.UsageData?.Size ?? -1;
  return { ok: true, output: `removed ${name}${size >= 0 ? ` (${formatBytes(size)})` : ''}` };
}

function run(ctx: FixContext, params: RemoveVolumesParams): Promise<FixOutcome> {
  return runEveryStep(ctx, params, plan(params), runStep, `Removed ${namesOf(params).length} unused volume(s)`);
}

export const removeUnusedVolumesFix: Fix<RemoveVolumesParams> = {
  id: 'remove-unused-volumes',
  title: 'Remove unused volumes, one by one',
  risk: 'dangerous',
  params: RemoveVolumesParams,
  plan,
  recheck,
  run,
  runStep,
};

const proposeRemoveUnusedVolumes = proposerOf(removeUnusedVolumesFix);

/** How a check proposes this fix: the first volumes, as many as one runbook takes. */
export function proposeUnusedVolumesRemoval(volumes: readonly string[]): FixProposal {
  const names = volumes.slice(0, MAX_VOLUMES_PER_RUNBOOK);
  return proposeRemoveUnusedVolumes(`Remove ${names.length} unused volume(s), one by one`, { names: names.join(',') });
}
