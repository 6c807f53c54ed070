// Moves container directories the daemon does not know out of <root>/containers (docs/checks.md, trouble § 6). The
// guide deletes them with `rm -rf` and restarts docker; this runbook moves them to
// <root>/orphans-<stamp>/ instead (nothing is lost) and needs dockerd stopped meanwhile, so it is
// dangerous: each step is shown and confirmed on its own (runStep), run() does all in order.

import path from 'node:path';
import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { pingDocker } from '../evidence/docker.ts';
import { containerList } from '../evidence/dockerApi.ts';
import { dockerRoot } from '../evidence/dockerRoot.ts';
import { joinCommands, type ShellCommand, sh } from '../hosts/shell.ts';
import { startDockerd, stopDockerd } from './dockerd-service.ts';
import { runEveryStep } from './runbook.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

/** Docker root dirs the runbook accepts: the usual places, nothing like / or /etc. */
export const ALLOWED_ROOT_PREFIXES = [
  '/var/lib/docker',
  '/var/lib/docker-',
  '/srv/',
  '/data/',
  '/mnt/',
  '/opt/',
  '/home/',
  '/docker',
];

export function isAllowedDockerRoot(root: string): boolean {
  if (!root.startsWith('/') || path.posix.normalize(root) !== root || root.endsWith('/')) return false;
  if (!/^[A-Za-z0-9_./-]+$/.test(root)) return false;
  return ALLOWED_ROOT_PREFIXES.some((prefix) => root === prefix || root.startsWith(prefix));
}

export const OrphanDirsParams = z
  .object({
    dockerRoot: z.string().max(200).refine(isAllowedDockerRoot, 'expected a Docker root dir under an allowed prefix'),
    /** Comma-separated 64-hex container ids (proposal params are flat). */
    ids: z.string().regex(/^[0-9a-f]{64}(?:,[0-9a-f]{64}){0,49}$/, 'expected 1 to 50 comma-separated container ids'),
    stamp: z.string().regex(/^\d{8}T\d{6}Z$/, 'expected a stamp like 20260102T030405Z'),
  })
  .strict();
export type OrphanDirsParams = z.infer<typeof OrphanDirsParams>;

function idsOf(params: OrphanDirsParams): string[] {
  return params.ids.split(',');
}

export function orphansDir(params: OrphanDirsParams): string {
  return `${params.dockerRoot}/orphans-${params.stamp}`;
}

export function moveCommand(params: OrphanDirsParams): ShellCommand {
  const target = orphansDir(params);
  const moves = idsOf(params).map((id) => sh`mv -- ${`${params.dockerRoot}/containers/${id}`} ${`${target}/`}`);
  return joinCommands([sh`mkdir -p -- ${target}`, ...moves], ' && ');
}

function plan(params: OrphanDirsParams): Operation[] {
  return [
    {
      description: 'Stop docker (every container stops)',
      command: 'systemctl stop docker.socket docker.service, or SIGTERM to the pid in its pidfile without systemd',
    },
    { description: `Move ${idsOf(params).length} orphan dir(s) aside (nothing deleted)`, command: moveCommand(params) },
    {
      description: 'Start docker',
      command: 'systemctl start docker.service, or the dockerd binary detached without systemd; wait for GET /_ping',
    },
  ];
}

async function recheck(ctx: FixContext, params: OrphanDirsParams): Promise<Recheck> {
  const context = createContext(ctx.conn);
  await pingDocker(context);
  const root = await dockerRoot(context);
  if (root.path.replace(/\/+$/, '') !== params.dockerRoot) {
    return { ok: false, reason: `the Docker root dir is now ${root.path}, not ${params.dockerRoot}` };
  }
  const known = new Set((await containerList(context, { fresh: true })).map((container) => container.Id));
  const claimed = idsOf(params).filter((id) => known.has(id));
  if (claimed.length > 0)
    return { ok: false, reason: `${claimed.map((id) => id.slice(0, 12)).join(', ')} now belong to known containers` };
  const tests = idsOf(params).map(
    (id) => sh`if [ -d ${`${params.dockerRoot}/containers/${id}`} ]; then echo ${id}; fi`,
  );
  const present = await ctx.conn.exec(joinCommands(tests), { privileged: true });
  const found = present.stdout.split('\n').filter(Boolean);
  if (found.length !== idsOf(params).length) {
    return { ok: false, reason: `${idsOf(params).length - found.length} of the directories are gone already` };
  }
  return { ok: true, note: `${found.length} orphan dir(s) still there` };
}

async function runStep(
  ctx: FixContext,
  params: OrphanDirsParams,
  step: number,
): Promise<{ ok: boolean; output: string }> {
  if (step === 0) {
    const stopped = await stopDockerd(ctx);
    return { ok: stopped.ok, output: stopped.output };
  }
  if (step === 1) {
    const root = await dockerRoot(createContext(ctx.conn));
    if (root.path.replace(/\/+$/, '') !== params.dockerRoot) {
      return {
        ok: false,
        output: `the Docker root dir is ${root.path} (${root.source}), not ${params.dockerRoot}: nothing moved`,
      };
    }
    const result = await ctx.conn.exec(moveCommand(params), { privileged: true });
    if (result.code !== 0) return { ok: false, output: `mv failed: ${result.stderr.trim() || `exit ${result.code}`}` };
    return { ok: true, output: `moved ${idsOf(params).length} dir(s) to ${orphansDir(params)}/` };
  }
  if (step === 2) {
    const started = await startDockerd(ctx);
    return { ok: started.ok, output: started.output };
  }
  return { ok: false, output: `this runbook has no step ${step + 1}` };
}

function run(ctx: FixContext, params: OrphanDirsParams): Promise<FixOutcome> {
  return runEveryStep(
    ctx,
    params,
    plan(params),
    runStep,
    `Moved ${idsOf(params).length} orphan container dir(s) to ${orphansDir(params)}/ and started docker again; remove that folder once nothing is missed`,
  );
}

export const orphanContainerDirsFix: Fix<OrphanDirsParams> = {
  id: 'orphan-container-dirs',
  title: 'Move orphan container directories aside',
  risk: 'dangerous',
  params: OrphanDirsParams,
  plan,
  recheck,
  run,
  runStep,
};

/** How a check or an alert proposes this fix. */
export const proposeOrphanContainerDirs = proposerOf(orphanContainerDirsFix);
