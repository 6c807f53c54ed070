// The Engine API lists the checks and fixes read, each typed by one zod schema: containers, images,
// networks (and the volumes of /system/df in systemDf.ts). A daemon speaking another dialect is a
// clear error (parseApi), not a crash later.

import { z } from 'zod';
import type { EvidenceContext } from './context.ts';
import { dockerCall, parseApi } from './docker.ts';

/** One row of `GET /containers/json?all=1`. */
export const ContainerSummary = z.looseObject({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  State: z.string().optional(),
  Image: z.string().optional(),
  ImageID: z.string().optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;
export const ContainerList = z.array(ContainerSummary);

/** One row of `GET /images/json?all=1`. */
export const ImageSummary = z.looseObject({
  Id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  ParentId: z.string().optional(),
  RepoTags: z.array(z.string()).nullish(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;
export const ImageList = z.array(ImageSummary);

/** One row of `GET /networks`. */
export const NetworkSummary = z.looseObject({
  Name: z.string(),
  Id: z.string(),
  Driver: z.string().optional(),
  ConfigOnly: z.boolean().optional(),
  ConfigFrom: z.looseObject({ Network: z.string().optional() }).nullish(),
  IPAM: z.looseObject({ Config: z.array(z.looseObject({ Subnet: z.string().optional() })).nullish() }).nullish(),
  Options: z.record(z.string(), z.string()).nullish(),
});
export const NetworkList = z.array(NetworkSummary);

/** `/foo` → `foo`: the Engine API prefixes names with a slash. */
export function containerName(names: readonly string[] | null | undefined, id: string): string {
  const first = names?.[0];
  return first ? first.replace(/^\//, '') : id.slice(0, 12);
}

/**
 * Every container, running or not: once per run, shared by the checks and fixes that read it.
 * `fresh` asks the daemon again, for callers whose reading must come after something else they read
 * (dead-containers lists the directories first, so a container created in between is known).
 */
export function containerList(ctx: EvidenceContext, options: { fresh?: boolean } = {}): Promise<ContainerSummary[]> {
  const fetch = async () => {
    const raw: unknown = await dockerCall(ctx, 'GET /containers/json?all=1', (docker) =>
      docker.listContainers({ all: true }),
    );
    return parseApi(ContainerList, raw, 'GET /containers/json', ctx);
  };
  return options.fresh ? fetch() : ctx.memo('docker:containers', fetch);
}

/** Containers looked at one by one (inspect): a few at a time, as one host's connection allows. */
const CONTAINERS_AT_ONCE = 4;

/** `look` at every container, a few at a time, in list order. */
export async function eachContainer<T>(
  ctx: EvidenceContext,
  look: (summary: ContainerSummary) => Promise<T>,
): Promise<T[]> {
  const list = await containerList(ctx);
  const seen: T[] = [];
  for (let start = 0; start < list.length; start += CONTAINERS_AT_ONCE) {
    seen.push(...(await Promise.all(list.slice(start, start + CONTAINERS_AT_ONCE).map(look))));
  }
  return seen;
}

export async function imageList(ctx: EvidenceContext): Promise<ImageSummary[]> {
  return ctx.memo('docker:images', async () => {
    const raw: unknown = await dockerCall(ctx, 'GET /images/json?all=1', (docker) => docker.listImages({ all: true }));
    return parseApi(ImageList, raw, 'GET /images/json', ctx);
  });
}

export async function networkList(ctx: EvidenceContext) {
  return ctx.memo('docker:networks', async () => {
    const raw: unknown = await dockerCall(ctx, 'GET /networks', (docker) => docker.listNetworks());
    return parseApi(NetworkList, raw, 'GET /networks', ctx);
  });
}
