// The guide's repair for devicemapper errors (docs/checks.md, trouble § 4), as a runbook: stop docker, check the thin
// pool metadata and clear its needs-check flag, start docker. The guide's `rm -rf <root>/containers`
// is left out: it throws away every container's config and log. Cannot be exercised on a real
// devicemapper pool here (none exists on the test machines): tested on recorded command results.

import path from 'node:path';
import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { dockerRoot } from '../evidence/dockerRoot.ts';
import { sh } from '../hosts/shell.ts';
import { startDockerd, stopDockerd } from './dockerd-service.ts';
import { isAllowedDockerRoot } from './orphan-container-dirs.ts';
import { runEveryStep } from './runbook.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const ThinCheckParams = z
  .object({
    dockerRoot: z.string().max(200).refine(isAllowedDockerRoot, 'expected a Docker root dir under an allowed prefix'),
  })
  .strict();
export type ThinCheckParams = z.infer<typeof ThinCheckParams>;

export function metadataPath(root: string): string {
  return path.posix.join(root, 'devicemapper/devicemapper/metadata');
}

export function thinCheckCommand(root: string) {
  const metadata = metadataPath(root);
  return sh`thin_check ${metadata} && thin_check --clear-needs-check-flag ${metadata}`;
}

function plan(params: ThinCheckParams): Operation[] {
  return [
    {
      description: 'Stop docker (every container stops)',
      command: 'systemctl stop docker.socket docker.service, or SIGTERM to the pid in its pidfile without systemd',
    },
    {
      description: 'Check the thin pool metadata and clear its needs-check flag',
      command: thinCheckCommand(params.dockerRoot),
    },
    {
      description: 'Start docker',
      command: 'systemctl start docker.service, or the dockerd binary detached without systemd; wait for GET /_ping',
    },
  ];
}

async function recheck(ctx: FixContext, params: ThinCheckParams): Promise<Recheck> {
  const root = await dockerRoot(createContext(ctx.conn));
  if (root.path.replace(/\/+$/, '') !== params.dockerRoot)
    return { ok: false, reason: `the Docker root dir is ${root.path}, not ${params.dockerRoot}` };
  const present = await ctx.conn.exec(sh`test -e ${metadataPath(params.dockerRoot)} && command -v thin_check`, {
    privileged: true,
  });
  if (present.code !== 0) {
    return {
      ok: false,
      reason: `${metadataPath(params.dockerRoot)} or thin_check (package thin-provisioning-tools) is missing`,
    };
  }
  return { ok: true, note: `thin_check at ${present.stdout.trim()}` };
}

async function runStep(
  ctx: FixContext,
  params: ThinCheckParams,
  step: number,
): Promise<{ ok: boolean; output: string }> {
  if (step === 0) {
    const stopped = await stopDockerd(ctx);
    return { ok: stopped.ok, output: stopped.output };
  }
  if (step === 1) {
    const result = await ctx.conn.exec(thinCheckCommand(params.dockerRoot), { privileged: true, timeoutMs: 600_000 });
    const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-5).join('\n');
    return { ok: result.code === 0, output: `exit ${result.code}${output ? `: ${output}` : ''}` };
  }
  if (step === 2) {
    const started = await startDockerd(ctx);
    return { ok: started.ok, output: started.output };
  }
  return { ok: false, output: `this runbook has no step ${step + 1}` };
}

function run(ctx: FixContext, params: ThinCheckParams): Promise<FixOutcome> {
  return runEveryStep(
    ctx,
    params,
    plan(params),
    runStep,
    'Checked the thin pool metadata, cleared its needs-check flag and started docker again',
  );
}

export const devicemapperThinCheckFix: Fix<ThinCheckParams> = {
  id: 'devicemapper-thin-check',
  title: 'Repair devicemapper thin pool metadata',
  risk: 'dangerous',
  params: ThinCheckParams,
  plan,
  recheck,
  run,
  runStep,
};

/** How a check or an alert proposes this fix. */
export const proposeDevicemapperThinCheck = proposerOf(devicemapperThinCheckFix);
