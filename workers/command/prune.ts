// `/docker prune HOST`: what the prune-safe fix would free, item by item with sizes, and what it
// leaves alone (stopped containers, unused tagged images, volumes). The prune itself runs only from
// the approval button this offers, through src/fixes/prune-safe.ts and its re-check.

import { pruneSafeProposal } from '../../src/checks/reclaimable.ts';
import { createContext } from '../../src/evidence/context.ts';
import type { ReclaimableKind } from '../../src/evidence/systemDf.ts';
import { isDangling, reclaimableKinds, type SystemDf, systemDf } from '../../src/evidence/systemDf.ts';
import { pruneSafeFix } from '../../src/fixes/prune-safe.ts';
import { formatBytes } from '../../src/format.ts';
import { type PrunePlan, renderPrunePlan } from '../../src/slack/render/prunePlan.ts';
import type { JobHandler } from './types.ts';

function kind(kinds: readonly ReclaimableKind[], name: ReclaimableKind['kind']): ReclaimableKind {
  return kinds.find((entry) => entry.kind === name) ?? { kind: name, count: 0, totalBytes: 0, reclaimableBytes: 0 };
}

/** Pure: the plan from `GET /system/df`, with the same sums the reclaimable check and the fix's label use. */
export function buildPrunePlan(host: string, df: SystemDf): PrunePlan {
  const kinds = reclaimableKinds(df);
  const dangling = (df.Images ?? [])
    .filter((image) => image.Containers === 0 && isDangling(image))
    .map((image) => ({
      id: image.Id.replace(/^sha256:/, '').slice(0, 12),
      // Only what this image alone holds is freed: layers shared with other images stay.
      bytes: Math.max(0, image.Size - Math.max(0, image.SharedSize)),
      ...(image.Created ? { created: new Date(image.Created * 1000).toISOString() } : {}),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const cache = (df.BuildCache ?? [])
    .filter((entry) => !entry.InUse && !entry.Shared)
    .map((entry) => ({
      id: entry.ID.slice(0, 12),
      bytes: Math.max(0, entry.Size),
      ...(entry.LastUsedAt ? { lastUsed: entry.LastUsedAt } : {}),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const volumes = (df.Volumes ?? []).filter((volume) => volume.UsageData?.RefCount === 0);
  return {
    host,
    dangling,
    danglingBytes: kind(kinds, 'dangling-images').reclaimableBytes,
    cache,
    cacheBytes: kind(kinds, 'build-cache').reclaimableBytes,
    operations: pruneSafeFix.plan({}),
    untouched: {
      stoppedContainers: { count: kind(kinds, 'containers').count, bytes: kind(kinds, 'containers').reclaimableBytes },
      unusedImages: { bytes: kind(kinds, 'images').reclaimableBytes },
      volumes: { names: volumes.map((volume) => volume.Name), bytes: kind(kinds, 'volumes').reclaimableBytes },
    },
  };
}

export function pruneHeadline(plan: PrunePlan): string {
  if (plan.dangling.length === 0 && plan.cache.length === 0) return 'nothing to prune safely';
  return `${formatBytes(plan.danglingBytes + plan.cacheBytes)} can be pruned safely (${plan.dangling.length} dangling image(s), ${plan.cache.length} build cache record(s))`;
}

export const pruneJob: JobHandler = async ({ conn }) => {
  const df = await systemDf(createContext(conn));
  const plan = buildPrunePlan(conn.host.name, df);
  const something = plan.dangling.length > 0 || plan.cache.length > 0;
  return {
    worst: something ? 'info' : 'ok',
    headline: pruneHeadline(plan),
    proposals: something ? [pruneSafeProposal(plan.danglingBytes + plan.cacheBytes)] : [],
    // `/docker prune @group` exists to get the buttons: each host with something to free posts its plan.
    detailInFleet: something,
    render: (offer) => renderPrunePlan(plan, offer.offered, offer.notOffered),
  };
};
