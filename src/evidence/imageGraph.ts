// Which images were built FROM which (classic builder Parent chains) and which containers use them:
// what keeps `docker rmi` from removing an image, in the order to remove things. Read by the
// image-children check, `/docker image-deps` and the remove-image-children fix.

import { z } from 'zod';
import { DockmedicError } from '../errors.ts';
import type { HostConnection } from '../hosts/types.ts';
import type { EvidenceContext } from './context.ts';
import { createContext } from './context.ts';
import { dockerCall, pingDocker } from './docker.ts';
import { containerList, containerName, type ImageSummary, imageList } from './dockerApi.ts';

export interface ContainerRef {
  id: string;
  name: string;
  imageId: string;
  state?: string;
}

export interface ImageChildrenEvidence {
  images: ImageSummary[];
  containers: ContainerRef[];
}

export interface RemovalStep {
  kind: 'container' | 'image';
  id: string;
  /** Container name, or the image's tags (`<none>` when untagged). */
  name: string;
}

export interface ImageDependencies {
  image: { id: string; name: string };
  children: Array<{ id: string; name: string }>;
  containers: ContainerRef[];
  /** Containers first, then child images deepest first: the order in which removing them works. */
  removalOrder: RemovalStep[];
}

/** A reference the user may type: an image id (short or long) or name[:tag][@digest]. */
export const ImageRef = z
  .string()
  .max(255)
  .regex(
    /^(?:(?:sha256:)?[0-9a-f]{12,64}|[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?)$/,
    'expected an image id or name[:tag]',
  );

export function imageName(image: Pick<ImageSummary, 'Id' | 'RepoTags'>): string {
  const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
  return tags.length > 0 ? tags.join(', ') : `<none> ${image.Id.slice(7, 19)}`;
}

/** Pure: every image below `imageId` in the Parent chains, deepest first. */
export function descendants(images: readonly ImageSummary[], imageId: string): ImageSummary[] {
  const children = new Map<string, ImageSummary[]>();
  for (const image of images) {
    if (!image.ParentId) continue;
    const list = children.get(image.ParentId) ?? [];
    list.push(image);
    children.set(image.ParentId, list);
  }
  const ordered: ImageSummary[] = [];
  const visit = (id: string, seen: Set<string>): void => {
    for (const child of children.get(id) ?? []) {
      if (seen.has(child.Id)) continue;
      seen.add(child.Id);
      visit(child.Id, seen);
      ordered.push(child);
    }
  };
  visit(imageId, new Set([imageId]));
  return ordered;
}

/** Pure: what blocks removing `imageId`, and the order in which to remove it. */
export function dependenciesOf(evidence: ImageChildrenEvidence, imageId: string): ImageDependencies | undefined {
  const image = evidence.images.find((candidate) => candidate.Id === imageId);
  if (!image) return undefined;
  const children = descendants(evidence.images, imageId);
  const family = new Set([imageId, ...children.map((child) => child.Id)]);
  const containers = evidence.containers.filter((container) => family.has(container.imageId));
  return {
    image: { id: image.Id, name: imageName(image) },
    children: children.map((child) => ({ id: child.Id, name: imageName(child) })),
    containers,
    removalOrder: [
      ...containers.map((container): RemovalStep => ({ kind: 'container', id: container.id, name: container.name })),
      ...children.map((child): RemovalStep => ({ kind: 'image', id: child.Id, name: imageName(child) })),
    ],
  };
}

export async function collectImageChildren(ctx: EvidenceContext): Promise<ImageChildrenEvidence> {
  return ctx.memo('docker:image-children', async () => {
    const [images, list] = await Promise.all([imageList(ctx), containerList(ctx)]);
    const containers = list.map((container) => ({
      id: container.Id,
      name: containerName(container.Names, container.Id),
      imageId: container.ImageID ?? '',
      ...(container.State ? { state: container.State } : {}),
    }));
    return { images, containers };
  });
}

/**
 * The children images and containers of one image, in the order to remove them. The reference is
 * validated, then resolved through the Engine API (GET /images/{ref}/json): never used as shell text.
 */
export async function imageDependencies(conn: HostConnection, imageRef: string): Promise<ImageDependencies> {
  const ref = ImageRef.safeParse(imageRef);
  if (!ref.success) {
    throw new DockmedicError('dm_bad_arguments', `bad image reference ${JSON.stringify(imageRef)}`, {
      userMessage: `"${imageRef.slice(0, 80)}" is not an image id or name[:tag]`,
    });
  }
  const ctx = createContext(conn);
  await pingDocker(ctx);
  const inspected: unknown = await dockerCall(ctx, 'GET /images/{ref}/json', (docker) =>
    docker
      .getImage(ref.data)
      .inspect()
      .catch((error: { statusCode?: number }) => (error.statusCode === 404 ? null : Promise.reject(error))),
  );
  const id = (inspected as { Id?: unknown } | null)?.Id;
  if (typeof id !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(id)) {
    throw new DockmedicError('dm_bad_arguments', `no image ${ref.data} on ${conn.host.name}`, {
      userMessage: `There is no image "${ref.data}" on ${conn.host.name}`,
    });
  }
  const dependencies = dependenciesOf(await collectImageChildren(ctx), id);
  if (!dependencies) {
    throw new DockmedicError('dm_command_failed', `image ${id} vanished while listing images on ${conn.host.name}`, {
      userMessage: `The image "${ref.data}" was removed while its dependencies were being listed`,
    });
  }
  return dependencies;
}

/** Pure: images that other images were built FROM (classic builder Parent chains). */
export function parentsWithChildren(evidence: ImageChildrenEvidence): ImageDependencies[] {
  const parents = new Set(evidence.images.map((image) => image.ParentId).filter((id): id is string => Boolean(id)));
  const result: ImageDependencies[] = [];
  for (const image of evidence.images) {
    if (!parents.has(image.Id)) continue;
    // Untagged intermediate layers of a build are parents too; show the images people name.
    if (imageName(image).startsWith('<none>')) continue;
    const dependencies = dependenciesOf(evidence, image.Id);
    if (dependencies) result.push(dependencies);
  }
  return result;
}
