// Restarts one container (POST /containers/{id}/restart): helps a wedged process that fails its
// health check. Rechecked first: the container must still exist and still be unhealthy.

import { detailsName, inspectContainer } from '../evidence/containerStates.ts';
import { createContext } from '../evidence/context.ts';
import { dockerCall, pingDocker } from '../evidence/docker.ts';
import { ContainerIdParams } from './remove-dead-container.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

/** Seconds the container gets to stop before SIGKILL. */
export const RESTART_TIMEOUT_S = 10;

function plan(params: ContainerIdParams): Operation[] {
  return [
    { description: 'Check that it is still unhealthy', command: `GET /containers/${params.containerId}/json` },
    {
      description: `Restart it (SIGTERM, SIGKILL after ${RESTART_TIMEOUT_S} s, start)`,
      command: `POST /containers/${params.containerId}/restart?t=${RESTART_TIMEOUT_S}`,
    },
  ];
}

async function recheck(ctx: FixContext, params: ContainerIdParams): Promise<Recheck> {
  const context = createContext(ctx.conn);
  await pingDocker(context);
  const container = await inspectContainer(context, params.containerId);
  if (!container) return { ok: false, reason: `container ${params.containerId.slice(0, 12)} no longer exists` };
  const name = detailsName(container);
  const health = container.State.Health?.Status;
  if (health !== 'unhealthy')
    return { ok: false, reason: `${name} is not unhealthy any more (${health ?? container.State.Status})` };
  return { ok: true, note: `${name} is unhealthy` };
}

async function run(ctx: FixContext, params: ContainerIdParams): Promise<FixOutcome> {
  const context = createContext(ctx.conn);
  const [inspectOp, restartOp] = plan(params) as [Operation, Operation];
  const before = await inspectContainer(context, params.containerId);
  if (!before)
    return {
      ok: false,
      summary: `Not run: container ${params.containerId.slice(0, 12)} no longer exists`,
      operations: [],
    };
  const name = detailsName(before);
  const operations: FixOutcome['operations'] = [
    { ...inspectOp, result: `${name}: ${before.State.Status}, health ${before.State.Health?.Status ?? 'none'}` },
  ];
  const command = `POST /containers/${before.Id}/restart?t=${RESTART_TIMEOUT_S}`;
  try {
    await dockerCall(context, 'POST /containers/{id}/restart', (docker) =>
      docker.getContainer(before.Id).restart({ t: RESTART_TIMEOUT_S }),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    operations.push({ ...restartOp, command, result: `failed: ${reason}` });
    return { ok: false, summary: `Could not restart ${name}: ${reason}`, operations };
  }
  const after = await inspectContainer(context, before.Id);
  const state = after ? `${after.State.Status}, health ${after.State.Health?.Status ?? 'none'}` : 'gone';
  operations.push({ ...restartOp, command, result: `restarted; now ${state}` });
  return {
    ok: after?.State.Running === true,
    summary: `Restarted ${name}: now ${state} (the health check needs a few intervals to turn healthy)`,
    operations,
  };
}

export const restartContainerFix: Fix<ContainerIdParams> = {
  id: 'restart-container',
  title: 'Restart a container',
  risk: 'risky',
  params: ContainerIdParams,
  plan,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeRestartContainer = proposerOf(restartContainerFix);
