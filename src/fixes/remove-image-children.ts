// Removes an image that `docker rmi` refuses because of dependent child images (docs/checks.md, trouble § 16):
// the containers using it or a child first, then the child images deepest first, then the image.
// What to remove is worked out again from the Engine API right before running, never from params.

import { z } from 'zod';
import { isDockmedicError } from '../errors.ts';
import { createContext } from '../evidence/context.ts';
import { dockerCall } from '../evidence/docker.ts';
import { type ImageDependencies, imageDependencies, type RemovalStep } from '../evidence/imageGraph.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const RemoveImageChildrenParams = z
  .object({ imageId: z.string().regex(/^[0-9a-f]{12,64}$/, 'expected an image id (12 to 64 hex digits)') })
  .strict();
export type RemoveImageChildrenParams = z.infer<typeof RemoveImageChildrenParams>;

function stepOperation(step: RemovalStep): Operation {
  if (step.kind === 'container') {
    return {
      description: `Remove container ${step.name} (docker rm -f)`,
      command: `DELETE /containers/${step.id}?force=true`,
    };
  }
  return { description: `Remove child image ${step.name}`, command: `DELETE /images/${step.id}?force=true` };
}

function operationsFor(deps: ImageDependencies): Operation[] {
  return [
    ...deps.removalOrder.map(stepOperation),
    { description: `Remove the image ${deps.image.name}`, command: `DELETE /images/${deps.image.id}?force=true` },
  ];
}

function plan(params: RemoveImageChildrenParams): Operation[] {
  return [
    {
      description: 'List its child images and the containers using any of them',
      command: `GET /images/${params.imageId}/json, GET /images/json?all=1, GET /containers/json?all=1`,
    },
    {
      description: 'Remove those containers, then the child images (deepest first)',
      command: 'DELETE /containers/<id>?force=true, DELETE /images/<id>?force=true',
    },
    { description: 'Remove the image', command: `DELETE /images/${params.imageId}?force=true` },
  ];
}

async function dependencies(ctx: FixContext, params: RemoveImageChildrenParams): Promise<ImageDependencies | string> {
  try {
    return await imageDependencies(ctx.conn, params.imageId);
  } catch (error) {
    if (isDockmedicError(error) && error.code === 'dm_bad_arguments') return error.userMessage;
    throw error;
  }
}

async function preview(ctx: FixContext, params: RemoveImageChildrenParams): Promise<Operation[]> {
  const deps = await dependencies(ctx, params);
  return typeof deps === 'string' ? plan(params) : operationsFor(deps);
}

async function recheck(ctx: FixContext, params: RemoveImageChildrenParams): Promise<Recheck> {
  const deps = await dependencies(ctx, params);
  if (typeof deps === 'string') return { ok: false, reason: deps };
  if (deps.children.length === 0)
    return { ok: false, reason: `${deps.image.name} has no child images any more: plain \`docker rmi\` works` };
  return { ok: true, note: `${deps.children.length} child image(s), ${deps.containers.length} container(s)` };
}

async function run(ctx: FixContext, params: RemoveImageChildrenParams): Promise<FixOutcome> {
  const deps = await dependencies(ctx, params);
  if (typeof deps === 'string') return { ok: false, summary: `Not run: ${deps}`, operations: [] };
  const context = createContext(ctx.conn);
  const operations: FixOutcome['operations'] = [];
  const steps: RemovalStep[] = [...deps.removalOrder, { kind: 'image', id: deps.image.id, name: deps.image.name }];
  const planned = operationsFor(deps);
  for (const [index, step] of steps.entries()) {
    const operation = planned[index] as Operation;
    try {
      await dockerCall(
        context,
        step.kind === 'container' ? 'DELETE /containers/{id}' : 'DELETE /images/{id}',
        (docker) =>
          step.kind === 'container'
            ? docker.getContainer(step.id).remove({ force: true })
            : (docker.getImage(step.id).remove({ force: true }) as Promise<unknown>),
      );
      operations.push({ ...operation, result: 'removed' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      operations.push({ ...operation, result: `failed: ${reason}` });
      return { ok: false, summary: `Stopped at ${step.kind} ${step.name}: ${reason}`, operations };
    }
  }
  return {
    ok: true,
    summary: `Removed ${deps.image.name} after ${deps.containers.length} container(s) and ${deps.children.length} child image(s): ${deps.removalOrder
      .map((step) => step.name)
      .join(', ')}`,
    operations,
  };
}

export const removeImageChildrenFix: Fix<RemoveImageChildrenParams> = {
  id: 'remove-image-children',
  title: 'Remove an image with its child images',
  risk: 'risky',
  params: RemoveImageChildrenParams,
  plan,
  preview,
  recheck,
  run,
};

const proposeRemoveImageChildren = proposerOf(removeImageChildrenFix);

/** How the image-children check and `image-deps` propose this fix, in the same words. */
export function proposeImageRemoval(image: { name: string; id: string }, children: number, containers: number) {
  return proposeRemoveImageChildren(
    `Remove ${image.name} with ${children} child image(s) and ${containers} container(s)`,
    { imageId: image.id.replace(/^sha256:/, '') },
  );
}
