// The rollback of the runbooks that stop Docker (move-data-root, switch-to-overlay2): whatever step
// failed, or was cut short by a dying worker, this puts the host back as it was before the runbook
// with that stamp: an unfinished copy or save is stopped, daemon.json is restored from the backup
// the runbook made (dockerd is stopped first when it runs with the changed file), dockerd is started
// and the containers that ran before run again. It only ever goes back to a state the host had, so
// an operator other than the requester may approve it: getting Docker back should not wait.

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { dockerInfo } from '../evidence/docker.ts';
import { sh } from '../hosts/shell.ts';
import { backupOf, daemonJsonChanged, restoreDaemonJson } from './daemon-json-edit.ts';
import { answers, START_WAYS, startDockerd, stopDockerd } from './dockerd-service.ts';
import { RUN_ID, releaseDockerd, stateDir } from './host-state.ts';
import { startContainersThatRan } from './runbook-docker.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const RestoreDockerParams = z
  .object({ run: z.string().regex(RUN_ID, 'expected a runbook run like move-data-root-20260102T030405Z') })
  .strict();
export type RestoreDockerParams = z.infer<typeof RestoreDockerParams>;

function plan(params: RestoreDockerParams): Operation[] {
  return [
    {
      description: 'Stop a copy or save of this runbook that still runs (it would be stale)',
      command: `kill -TERM -<pgid> for each unfinished ${stateDir(params.run)}/*.pid`,
    },
    {
      description: 'Stop dockerd if it runs with the changed daemon.json',
      command: 'systemctl stop docker.socket docker.service, or SIGTERM to the pid in its pidfile',
    },
    {
      description: 'Restore /etc/docker/daemon.json as it was before the runbook (the replaced one is kept)',
      command: `cp -p ${backupOf(params.run)} /etc/docker/daemon.json`,
    },
    { description: 'Start dockerd', command: `${START_WAYS.systemctl.command}, or ${START_WAYS.dockerd.command}` },
    {
      description: 'Start the containers that were running before the runbook',
      command: 'POST /containers/{id}/start',
    },
  ];
}

async function recheck(): Promise<Recheck> {
  // Every part is idempotent: on a host already back to normal it only reports that.
  return { ok: true };
}

async function stopUnfinished(ctx: FixContext, run: string): Promise<string> {
  const result = await ctx.conn.exec(
    sh`for f in ${stateDir(run)}/*.pid; do [ -e "$f" ] || continue; [ -e "\${f%.pid}.rc" ] && continue; p=$(cat "$f"); kill -0 "$p" 2>/dev/null || continue; kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p"; echo "stopped the unfinished $(basename "$f" .pid) (pid $p)"; done`,
    { privileged: true },
  );
  return result.stdout.trim() || 'nothing of the runbook still runs';
}

async function run(ctx: FixContext, params: RestoreDockerParams): Promise<FixOutcome> {
  const [stopOp, daemonOp, restoreOp, startOp, containersOp] = plan(params) as [
    Operation,
    Operation,
    Operation,
    Operation,
    Operation,
  ];
  const operations: FixOutcome['operations'] = [];
  operations.push({ ...stopOp, result: await stopUnfinished(ctx, params.run) });
  const changed = await daemonJsonChanged(ctx, params.run);
  if (changed && (await answers(ctx))) {
    const stopped = await stopDockerd(ctx);
    operations.push({ ...daemonOp, command: stopped.command, result: stopped.output });
    if (!stopped.ok)
      return { ok: false, summary: `Could not stop dockerd to restore daemon.json: ${stopped.output}`, operations };
  } else {
    operations.push({
      ...daemonOp,
      command: 'none',
      result: changed ? 'dockerd is not running' : 'daemon.json is unchanged: dockerd may keep running',
    });
  }
  const restored = await restoreDaemonJson(ctx, params.run);
  operations.push({ ...restoreOp, result: restored.output });
  if (!restored.ok) return { ok: false, summary: restored.output, operations };
  await releaseDockerd(ctx, params.run);
  const started = await startDockerd(ctx);
  operations.push({ ...startOp, command: started.command, result: started.output });
  if (!started.ok)
    return { ok: false, summary: `daemon.json is restored but dockerd did not start: ${started.output}`, operations };
  const containers = await startContainersThatRan(ctx, params.run);
  operations.push({ ...containersOp, result: containers.output });
  const info = await dockerInfo(createContext(ctx.conn));
  const state = `dockerd runs with the daemon.json from before the runbook (DockerRootDir ${info.DockerRootDir}, storage driver ${info.Driver})`;
  return {
    ok: containers.ok,
    summary: containers.ok ? state : `${state}, but not every container runs again`,
    operations,
  };
}

export const restoreDockerFix: Fix<RestoreDockerParams> = {
  id: 'restore-docker',
  title: 'Roll back: restore the previous daemon.json and start dockerd',
  risk: 'risky',
  params: RestoreDockerParams,
  plan,
  recheck,
  run,
};

/** How a runbook offers its rollback. */
export const proposeRestoreDocker = proposerOf(restoreDockerFix);
