// `GET /system/df` and what each kind of Docker object could give back. Pure helpers are exported
// for the reclaimable check, the disk summary and the prune-safe fix's re-check.

import { z } from 'zod';
import type { EvidenceContext } from './context.ts';
import { dockerCall, parseApi, pingDocker } from './docker.ts';

const DfImage = z.looseObject({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  Containers: z.number(),
  Created: z.number().optional(),
  Size: z.number(),
  SharedSize: z.number(),
});
const DfContainer = z.looseObject({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  State: z.string(),
  SizeRw: z.number().optional(),
});
const DfVolume = z.looseObject({
  Name: z.string(),
  UsageData: z.object({ RefCount: z.number(), Size: z.number() }).nullish(),
});
const DfBuildCache = z.looseObject({
  ID: z.string(),
  InUse: z.boolean(),
  Shared: z.boolean(),
  Size: z.number(),
  LastUsedAt: z.string().nullish(),
  CreatedAt: z.string().optional(),
});

export const SystemDf = z.looseObject({
  LayersSize: z.number().optional(),
  Images: z.array(DfImage).nullish(),
  Containers: z.array(DfContainer).nullish(),
  Volumes: z.array(DfVolume).nullish(),
  BuildCache: z.array(DfBuildCache).nullish(),
});
export type SystemDf = z.infer<typeof SystemDf>;

export function systemDf(ctx: EvidenceContext): Promise<SystemDf> {
  return ctx.memo('docker:system-df', async () => {
    // The slow call starts beside the ping; the ping's answer (dockerd down) still decides first.
    const answer = dockerCall(ctx, 'GET /system/df', (docker) => docker.df());
    answer.catch(() => {});
    await pingDocker(ctx);
    const raw: unknown = await answer;
    return parseApi(SystemDf, raw, 'GET /system/df', ctx);
  });
}

/** Untagged: no tags at all, or only `<none>:<none>` (what Docker 20.10 still prints). */
export function isDangling(image: { RepoTags?: string[] | null }): boolean {
  const tags = image.RepoTags ?? [];
  return tags.every((tag) => tag === '<none>:<none>');
}

/** Bytes only this image holds: layers shared with other images are not freed by removing it. */
function uniqueSize(image: { Size: number; SharedSize: number }): number {
  return Math.max(0, image.Size - Math.max(0, image.SharedSize));
}

function sum(values: readonly number[]): number {
  let total = 0;
  // Docker reports -1 for "not computed": that is nothing we can promise.
  for (const value of values) total += Math.max(0, value);
  return total;
}

/** Per kind, what exists and what could be given back (a lower bound for images: shared layers stay). */
export function reclaimableKinds(df: SystemDf): ReclaimableKind[] {
  const images = df.Images ?? [];
  const unusedTagged = images.filter((image) => image.Containers === 0 && !isDangling(image));
  const dangling = images.filter((image) => image.Containers === 0 && isDangling(image));
  const containers = df.Containers ?? [];
  const stopped = containers.filter((container) => container.State !== 'running' && container.State !== 'paused');
  const volumes = df.Volumes ?? [];
  const cache = df.BuildCache ?? [];
  return [
    {
      kind: 'images',
      count: images.length,
      totalBytes: df.LayersSize ?? sum(images.map(uniqueSize)),
      reclaimableBytes: sum(unusedTagged.map(uniqueSize)),
    },
    {
      kind: 'dangling-images',
      count: dangling.length,
      totalBytes: sum(dangling.map((image) => image.Size)),
      reclaimableBytes: sum(dangling.map(uniqueSize)),
    },
    {
      kind: 'containers',
      count: stopped.length,
      totalBytes: sum(containers.map((container) => container.SizeRw ?? 0)),
      reclaimableBytes: sum(stopped.map((container) => container.SizeRw ?? 0)),
    },
    {
      kind: 'build-cache',
      count: cache.length,
      totalBytes: sum(cache.map((entry) => entry.Size)),
      reclaimableBytes: sum(cache.filter((entry) => !entry.InUse && !entry.Shared).map((entry) => entry.Size)),
    },
    {
      kind: 'volumes',
      count: volumes.length,
      totalBytes: sum(volumes.map((volume) => volume.UsageData?.Size ?? 0)),
      reclaimableBytes: sum(
        volumes.filter((volume) => volume.UsageData?.RefCount === 0).map((volume) => volume.UsageData?.Size ?? 0),
      ),
    },
  ];
}

/** What the prune-safe fix frees: dangling images and unused build cache. */
export function safeReclaimableBytes(kinds: readonly ReclaimableKind[]): number {
  let total = 0;
  for (const kind of kinds) {
    if (kind.kind === 'dangling-images' || kind.kind === 'build-cache') total += kind.reclaimableBytes;
  }
  return total;
}

/** Names of volumes no container uses: only ever offered as a dangerous, listed-by-name step. */
export function unusedVolumeNames(df: SystemDf): string[] {
  return (df.Volumes ?? []).filter((volume) => volume.UsageData?.RefCount === 0).map((volume) => volume.Name);
}

export interface ReclaimableKind {
  kind: 'images' | 'dangling-images' | 'containers' | 'build-cache' | 'volumes';
  count: number;
  totalBytes: number;
  reclaimableBytes: number;
}
