// Frees what nobody can still use: dangling images (untagged, no container) and unused build
// cache, through the Engine API. Stopped containers and volumes are not touched here: a stopped
// container may be somebody's evidence, a volume somebody's data.

import { z } from 'zod';
import { parseDuration } from '../config/duration.ts';
import { createContext } from '../evidence/context.ts';
import { dockerCall, pingDocker } from '../evidence/docker.ts';
import { isDangling, systemDf } from '../evidence/systemDf.ts';
import { formatBytes } from '../format.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const PruneSafeParams = z
  .object({
    /** Only what is older than this (Docker's `until` filter), e.g. `24h`. */
    until: z
      .string()
      .regex(/^[1-9][0-9]{0,5}[smh]$/, 'expected a duration like 30m or 24h')
      .optional(),
  })
  .strict();
export type PruneSafeParams = z.infer<typeof PruneSafeParams>;

type Filters = Record<string, string[]>;

export function imageFilters(params: PruneSafeParams): Filters {
  return params.until ? { dangling: ['true'], until: [params.until] } : { dangling: ['true'] };
}

export function buildCacheFilters(params: PruneSafeParams): Filters {
  return params.until ? { until: [params.until] } : {};
}

function query(filters: Filters): string {
  return Object.keys(filters).length === 0 ? '' : `?filters=${JSON.stringify(filters)}`;
}

function plan(params: PruneSafeParams): Operation[] {
  return [
    {
      description: 'Remove dangling images (untagged and used by no container)',
      command: `POST /images/prune${query(imageFilters(params))}`,
    },
    { description: 'Remove unused build cache', command: `POST /build/prune${query(buildCacheFilters(params))}` },
  ];
}

interface PruneAnswer {
  SpaceReclaimed?: number;
  ImagesDeleted?: unknown[] | null;
  CachesDeleted?: unknown[] | null;
}

async function recheck(ctx: FixContext, params: PruneSafeParams): Promise<Recheck> {
  const df = await systemDf(createContext(ctx.conn));
  const untilMs = params.until ? parseDuration(params.until) : undefined;
  const cutoff = untilMs === undefined ? Number.POSITIVE_INFINITY : Date.now() - untilMs;
  const images = (df.Images ?? []).filter(
    (image) => image.Containers === 0 && isDangling(image) && (image.Created ?? 0) * 1000 <= cutoff,
  );
  const cache = (df.BuildCache ?? []).filter((entry) => {
    const lastUsed = Date.parse(entry.LastUsedAt ?? entry.CreatedAt ?? '');
    return !entry.InUse && !entry.Shared && (Number.isNaN(lastUsed) || lastUsed <= cutoff);
  });
  if (images.length === 0 && cache.length === 0) {
    return {
      ok: false,
      reason: `there are no dangling images or unused build cache${params.until ? ` older than ${params.until}` : ''} any more`,
    };
  }
  return { ok: true, note: `${images.length} dangling image(s), ${cache.length} build cache record(s)` };
}

async function run(ctx: FixContext, params: PruneSafeParams): Promise<FixOutcome> {
  const context = createContext(ctx.conn);
  await pingDocker(context);
  const [imagesOp, cacheOp] = plan(params) as [Operation, Operation];
  const images: PruneAnswer = await dockerCall(context, 'POST /images/prune', (docker) =>
    docker.pruneImages({ filters: imageFilters(params) }),
  );
  // dockerode's pruneBuilder sends no filters: dial the endpoint itself.
  const cache: PruneAnswer = await dockerCall(
    context,
    'POST /build/prune',
    (docker) =>
      new Promise<PruneAnswer>((resolve, reject) => {
        const request = {
          path: '/build/prune?',
          method: 'POST',
          options: { filters: buildCacheFilters(params) },
          statusCodes: { 200: true, 500: 'server error' },
        };
        docker.modem.dial(request, (error, data) => (error ? reject(error) : resolve((data ?? {}) as PruneAnswer)));
      }),
  );
  const imageBytes = images.SpaceReclaimed ?? 0;
  const cacheBytes = cache.SpaceReclaimed ?? 0;
  const bytesFreed = imageBytes + cacheBytes;
  const imageCount = images.ImagesDeleted?.length ?? 0;
  const cacheCount = cache.CachesDeleted?.length ?? 0;
  return {
    ok: true,
    summary: `Pruned dangling images and build cache: freed ${formatBytes(bytesFreed)}`,
    bytesFreed,
    operations: [
      { ...imagesOp, result: `${imageCount} image record(s) deleted, ${formatBytes(imageBytes)} reclaimed` },
      { ...cacheOp, result: `${cacheCount} build cache record(s) deleted, ${formatBytes(cacheBytes)} reclaimed` },
    ],
  };
}

export const pruneSafeFix: Fix<PruneSafeParams> = {
  id: 'prune-safe',
  title: 'Prune dangling images and build cache',
  risk: 'safe',
  params: PruneSafeParams,
  plan,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposePruneSafe = proposerOf(pruneSafeFix);
