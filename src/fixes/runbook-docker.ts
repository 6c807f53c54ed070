// Stopping Docker for a runbook that works on its data, and bringing its containers back after.
// Before anything stops, what dockerd holds (images, containers, which ones run) is written to the
// host (host-state.ts): the steps after the restart compare against it, and the rollback starts the
// same containers again. Running containers are stopped one by one first, so live-restore cannot
// keep them (and their mounts) alive while the data is copied.

import { createContext } from '../evidence/context.ts';
import { mountsBelow } from '../evidence/dirFacts.ts';
import { dockerCall } from '../evidence/docker.ts';
import { dockerInventory, Inventory } from '../evidence/dockerInventory.ts';
import { answers, stopContainerd, stopDockerd } from './dockerd-service.ts';
import { holdDockerdStopped, loadState, saveState } from './host-state.ts';
import type { FixContext } from './types.ts';

const SNAPSHOT = 'before';
const STOP_SECONDS = 10;

export function loadSnapshot(ctx: FixContext, run: string): Promise<Inventory | undefined> {
  return loadState(ctx, run, SNAPSHOT, Inventory);
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Snapshot, stop the running containers, stop dockerd (and containerd where separate), then make sure nothing is left mounted below the root. */
export async function stopDockerForRunbook(
  ctx: FixContext,
  run: string,
  root: string,
): Promise<{ ok: boolean; output: string }> {
  const lines: string[] = [];
  // Before anything stops: the watchdog and the Start docker button must leave it stopped.
  await holdDockerdStopped(ctx, run);
  if (await answers(ctx)) {
    const context = createContext(ctx.conn);
    const inventory = await dockerInventory(context);
    await saveState(ctx, run, SNAPSHOT, inventory);
    const running = inventory.containers.filter((container) => container.running);
    lines.push(
      `recorded ${inventory.images.length} image(s) and ${inventory.containers.length} container(s) (${running.length} running)`,
    );
    for (const container of running) {
      const stopped = await dockerCall(context, `POST /containers/${container.name}/stop`, (docker) =>
        docker.getContainer(container.id).stop({ t: STOP_SECONDS }),
      ).then(
        () => 'stopped',
        (error: unknown) =>
          String((error as { statusCode?: number }).statusCode) === '304'
            ? 'was not running'
            : `not stopped: ${(error as Error).message}`,
      );
      lines.push(`container ${container.name}: ${stopped}`);
    }
  } else {
    const saved = await loadSnapshot(ctx, run);
    lines.push(
      saved
        ? 'dockerd was not running; the list recorded before is kept'
        : 'dockerd was not running and nothing was recorded: there is no list to compare against later',
    );
  }
  const daemon = await stopDockerd(ctx);
  lines.push(daemon.output);
  if (!daemon.ok) return { ok: false, output: lines.join('\n') };
  const containerd = await stopContainerd(ctx);
  lines.push(containerd.output);
  if (!containerd.ok) return { ok: false, output: lines.join('\n') };
  const mounts = await mountsBelow(createContext(ctx.conn), root);
  if (mounts.length > 0) {
    lines.push(
      `still mounted below ${root}: ${mounts.slice(0, 10).join(', ')}; unmount them (or find what holds them) before copying anything`,
    );
    return { ok: false, output: lines.join('\n') };
  }
  lines.push(`nothing is mounted below ${root}`);
  lines.push(
    'dockerd is held stopped: neither the watchdog nor Start docker starts it until this runbook or its rollback does',
  );
  return { ok: true, output: lines.join('\n') };
}

/** Starts the containers the snapshot saw running that do not run now, and waits until they do. */
export async function startContainersThatRan(ctx: FixContext, run: string): Promise<{ ok: boolean; output: string }> {
  const before = await loadSnapshot(ctx, run);
  if (!before) return { ok: true, output: 'no list of containers was recorded before the stop: none started' };
  const wanted = before.containers.filter((container) => container.running);
  if (wanted.length === 0) return { ok: true, output: 'no container was running before: none to start' };
  const context = createContext(ctx.conn);
  const now = await dockerInventory(context);
  const known = new Map(now.containers.map((container) => [container.id, container]));
  const lines: string[] = [];
  for (const container of wanted) {
    const current = known.get(container.id);
    if (!current) {
      lines.push(`${container.name}: not known to dockerd any more`);
      continue;
    }
    if (current.running) {
      lines.push(`${container.name}: already running (restart policy)`);
      continue;
    }
    const started = await dockerCall(context, `POST /containers/${container.name}/start`, (docker) =>
      docker.getContainer(container.id).start(),
    ).then(
      () => 'started',
      (error: unknown) => `not started: ${(error as Error).message}`,
    );
    lines.push(`${container.name}: ${started}`);
  }
  const deadline = Date.now() + 20_000;
  let notRunning = wanted.map((container) => container.name);
  while (notRunning.length > 0 && Date.now() < deadline) {
    const running = new Set(
      (await dockerInventory(createContext(ctx.conn))).containers.filter((c) => c.running).map((c) => c.id),
    );
    notRunning = wanted.filter((container) => !running.has(container.id)).map((container) => container.name);
    if (notRunning.length > 0) await wait(500);
  }
  if (notRunning.length > 0) lines.push(`not running after 20 s: ${notRunning.join(', ')}`);
  else lines.push(`all ${wanted.length} container(s) that ran before run again`);
  return { ok: notRunning.length === 0, output: lines.join('\n') };
}
