// `docker rm -f` for a container stuck dead or removing (docs/checks.md, trouble § 6), through the Engine API:
// DELETE /containers/{id}?force=true. Rechecked first: it must still exist and still be stuck.

import { z } from 'zod';
import { detailsName, inspectContainer } from '../evidence/containerStates.ts';
import { createContext } from '../evidence/context.ts';
import { dockerCall, pingDocker } from '../evidence/docker.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const ContainerIdParams = z
  .object({ containerId: z.string().regex(/^[0-9a-f]{12,64}$/, 'expected a container id (12 to 64 hex digits)') })
  .strict();
export type ContainerIdParams = z.infer<typeof ContainerIdParams>;

const STUCK = new Set(['dead', 'removing']);

function plan(params: ContainerIdParams): Operation[] {
  return [
    { description: 'Check that the container is still dead', command: `GET /containers/${params.containerId}/json` },
    {
      description: 'Remove it and its filesystem (docker rm -f)',
      command: `DELETE /containers/${params.containerId}?force=true`,
    },
  ];
}

async function recheck(ctx: FixContext, params: ContainerIdParams): Promise<Recheck> {
  const context = createContext(ctx.conn);
  await pingDocker(context);
  const container = await inspectContainer(context, params.containerId);
  if (!container) return { ok: false, reason: `container ${params.containerId.slice(0, 12)} no longer exists` };
  if (!STUCK.has(container.State.Status)) {
    return { ok: false, reason: `${detailsName(container)} is ${container.State.Status}, not dead any more` };
  }
  return { ok: true, note: `${detailsName(container)} is ${container.State.Status}` };
}

async function run(ctx: FixContext, params: ContainerIdParams): Promise<FixOutcome> {
  const context = createContext(ctx.conn);
  const [inspectOp, removeOp] = plan(params) as [Operation, Operation];
  const container = await inspectContainer(context, params.containerId);
  if (!container) {
    return {
      ok: false,
      summary: `Not run: container ${params.containerId.slice(0, 12)} no longer exists`,
      operations: [],
    };
  }
  const name = detailsName(container);
  const operations: FixOutcome['operations'] = [{ ...inspectOp, result: `${name}: ${container.State.Status}` }];
  const command = `DELETE /containers/${container.Id}?force=true`;
  try {
    await dockerCall(context, 'DELETE /containers/{id}', (docker) =>
      docker.getContainer(container.Id).remove({ force: true }),
    );
  } catch (error) {
    const reason =
      error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    operations.push({ ...removeOp, command, result: `failed: ${reason}` });
    return { ok: false, summary: `Could not remove ${name}: ${reason}`, operations };
  }
  const after = await inspectContainer(context, container.Id);
  operations.push({ ...removeOp, command, result: after ? `still there (${after.State.Status})` : 'removed' });
  if (after) return { ok: false, summary: `${name} is still there (${after.State.Status})`, operations };
  return { ok: true, summary: `Removed the dead container ${name} (${container.Id.slice(0, 12)})`, operations };
}

export const removeDeadContainerFix: Fix<ContainerIdParams> = {
  id: 'remove-dead-container',
  title: 'Remove a dead container',
  risk: 'risky',
  params: ContainerIdParams,
  plan,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeRemoveDeadContainer = proposerOf(removeDeadContainerFix);
