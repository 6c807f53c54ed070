// What dockerd holds right now, in a shape that can be written to a file on the host before a
// runbook stops it, and compared with what it holds after: every image (id and tags) and every
// container (id, name, image, running or not). Read fresh, never from a run's memo.

import { z } from 'zod';
import type { EvidenceContext } from './context.ts';
import { dockerCall, parseApi } from './docker.ts';
import { ContainerList, containerName, ImageList } from './dockerApi.ts';

export const Inventory = z.object({
  images: z.array(z.object({ id: z.string(), tags: z.array(z.string()) })),
  containers: z.array(z.object({ id: z.string(), name: z.string(), image: z.string(), running: z.boolean() })),
});
export type Inventory = z.infer<typeof Inventory>;

export async function dockerInventory(ctx: EvidenceContext): Promise<Inventory> {
  const [rawImages, rawContainers] = await Promise.all([
    dockerCall(ctx, 'GET /images/json?all=1', (docker) => docker.listImages({ all: true }) as Promise<unknown>),
    dockerCall(ctx, 'GET /containers/json?all=1', (docker) => docker.listContainers({ all: true }) as Promise<unknown>),
  ]);
  const images = parseApi(ImageList, rawImages, 'GET /images/json', ctx);
  const containers = parseApi(ContainerList, rawContainers, 'GET /containers/json', ctx);
  return {
    images: images
      .map((image) => ({ id: image.Id, tags: (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>') }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    containers: containers
      .map((container) => ({
        id: container.Id,
        name: containerName(container.Names, container.Id),
        image: container.Image ?? '',
        running: container.State === 'running',
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Every tag of the inventory with the image id it names. */
export function tagsOf(inventory: Inventory): Map<string, string> {
  const tags = new Map<string, string>();
  for (const image of inventory.images) for (const tag of image.tags) tags.set(tag, image.id);
  return tags;
}

/** Pure: how `after` differs from `before` (missing images and containers, by id), empty when alike. */
export function inventoryDifferences(before: Inventory, after: Inventory): string[] {
  const afterImages = new Set(after.images.map((image) => image.id));
  const afterContainers = new Set(after.containers.map((container) => container.id));
  const missingImages = before.images.filter((image) => !afterImages.has(image.id));
  const missingContainers = before.containers.filter((container) => !afterContainers.has(container.id));
  const differences: string[] = [];
  if (missingImages.length > 0) {
    const names = missingImages.map((image) => image.tags[0] ?? image.id.slice(7, 19));
    differences.push(`${missingImages.length} image(s) missing: ${names.slice(0, 10).join(', ')}`);
  }
  if (missingContainers.length > 0) {
    const names = missingContainers.map((container) => container.name);
    differences.push(`${missingContainers.length} container(s) missing: ${names.slice(0, 10).join(', ')}`);
  }
  return differences;
}

/** Pure: "3 images (busybox:local, …), 2 containers (1 running: web)". */
export function describeInventory(inventory: Inventory): string {
  const tags = inventory.images.flatMap((image) => image.tags);
  const running = inventory.containers.filter((container) => container.running).map((container) => container.name);
  const shown = tags.slice(0, 8).join(', ') + (tags.length > 8 ? ', …' : '');
  return `${inventory.images.length} image(s)${tags.length > 0 ? ` (${shown})` : ''}, ${inventory.containers.length} container(s) (${running.length} running${running.length > 0 ? `: ${running.slice(0, 8).join(', ')}` : ''})`;
}
