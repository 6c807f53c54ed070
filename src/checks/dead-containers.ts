// Containers that cannot be removed (docs/checks.md, trouble § 6): the daemon marks them `dead` (or leaves them
// `removing`) when removing their filesystem failed; and directories under <root>/containers that
// the daemon does not know at all, left by a crash or a hand-made cleanup.

import type { z } from 'zod';
import type { EvidenceContext } from '../evidence/context.ts';
import { dockerInfo } from '../evidence/docker.ts';
import { type ContainerList, containerList, containerName } from '../evidence/dockerApi.ts';
import { orphanContainerDirsFix, proposeOrphanContainerDirs } from '../fixes/orphan-container-dirs.ts';
import { proposeRemoveDeadContainer, removeDeadContainerFix } from '../fixes/remove-dead-container.ts';
import type { FixProposal } from '../fixes/types.ts';
import { formatBytes } from '../format.ts';
import { sh } from '../hosts/shell.ts';
import type { Check, Finding } from './types.ts';

export const CONTAINER_ID = /^[0-9a-f]{64}$/;
const STUCK_STATES = new Set(['dead', 'removing']);

export interface StuckContainer {
  id: string;
  name: string;
  state: string;
  status?: string;
  /** Size of its directory under <root>/containers, from du. */
  dirBytes?: number;
}

export interface OrphanDir {
  id: string;
  path: string;
  bytes?: number;
}

export interface DeadContainersEvidence {
  dockerRootDir: string;
  stuck: StuckContainer[];
  orphans: OrphanDir[];
  /** When the evidence was taken (ms since epoch): the orphans runbook names its folder after it. */
  collectedAt: number;
}

/** Pure: `du -sk <root>/containers/*` lines into sizes in bytes by container id. */
export function parseDu(stdout: string, containersDir: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^(\d+)\s+(\/.+)$/.exec(line.trim());
    if (!match) continue;
    const dir = (match[2] as string).replace(/\/+$/, '');
    if (!dir.startsWith(`${containersDir}/`)) continue;
    const id = dir.slice(containersDir.length + 1);
    if (CONTAINER_ID.test(id)) sizes.set(id, Number(match[1]) * 1024);
  }
  return sizes;
}

/** Pure: what the daemon lists and what the directory holds into stuck containers and orphans. */
export function classify(
  list: z.infer<typeof ContainerList>,
  dirSizes: Map<string, number>,
  dockerRootDir: string,
  collectedAt: number,
): DeadContainersEvidence {
  const known = new Set(list.map((container) => container.Id));
  const stuck: StuckContainer[] = [];
  for (const container of list) {
    if (!STUCK_STATES.has(container.State ?? '')) continue;
    const dirBytes = dirSizes.get(container.Id);
    const status = (container as { Status?: unknown }).Status;
    stuck.push({
      id: container.Id,
      name: containerName(container.Names, container.Id),
      state: container.State as string,
      ...(typeof status === 'string' ? { status } : {}),
      ...(dirBytes === undefined ? {} : { dirBytes }),
    });
  }
  const orphans: OrphanDir[] = [];
  for (const [id, bytes] of dirSizes) {
    if (!known.has(id)) orphans.push({ id, path: `${dockerRootDir}/containers/${id}`, bytes });
  }
  return { dockerRootDir, stuck, orphans, collectedAt };
}

async function collectDeadContainers(ctx: EvidenceContext): Promise<DeadContainersEvidence> {
  const info = await dockerInfo(ctx);
  const containersDir = `${info.DockerRootDir.replace(/\/+$/, '')}/containers`;
  // The directory first, the daemon's list second: a container created in between is in the list
  // (known), never a false orphan.
  const du = await ctx.conn.exec(sh`cd ${containersDir} && du -sk -- ${containersDir}/*/`, { privileged: true });
  const list = await containerList(ctx, { fresh: true });
  return classify(list, parseDu(du.stdout, containersDir), info.DockerRootDir.replace(/\/+$/, ''), Date.now());
}

/** `20260102T030405Z`: the stamp of the folder the orphans runbook moves directories into. */
export function stampOf(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function size(bytes: number | undefined): string {
  return bytes === undefined ? '' : ` (${formatBytes(bytes)})`;
}

function stuckFinding(evidence: DeadContainersEvidence): Finding | undefined {
  if (evidence.stuck.length === 0) return undefined;
  const fixes: FixProposal[] = evidence.stuck
    .slice(0, 5)
    .map((container) =>
      proposeRemoveDeadContainer(`Remove ${container.name} (${container.state})`, { containerId: container.id }),
    );
  return {
    check: 'dead-containers',
    severity: 'warn',
    summary: `${evidence.stuck.length} container(s) stuck dead or removing: ${evidence.stuck
      .map((container) => `${container.name}${size(container.dirBytes)}`)
      .join(', ')}`,
    detail:
      'Removing their filesystem failed (a mount still busy, an immutable file, a full disk); they keep their name and their space. `docker rm -f` usually succeeds once the cause is gone; the daemon log says what failed.',
    evidence: evidence.stuck.map(
      (container) =>
        `${container.id.slice(0, 12)} ${container.name}: State=${container.state}${container.status ? `, Status="${container.status}"` : ''}`,
    ),
    fixes,
  };
}

function orphanFinding(evidence: DeadContainersEvidence): Finding | undefined {
  if (evidence.orphans.length === 0) return undefined;
  const total = evidence.orphans.reduce((sum, orphan) => sum + (orphan.bytes ?? 0), 0);
  return {
    check: 'dead-containers',
    severity: 'warn',
    summary: `${evidence.orphans.length} director(ies) under ${evidence.dockerRootDir}/containers belong to no container the daemon knows (${formatBytes(total)})`,
    detail:
      'Left behind by a crash or a cleanup done by hand; a leftover with an old name can keep a new container from taking that name. They can only be moved while dockerd is stopped: the runbook stops docker, moves them aside (nothing is deleted) and starts docker again.',
    evidence: evidence.orphans.map(
      (orphan) => `${orphan.path}${size(orphan.bytes)}: not in GET /containers/json?all=1`,
    ),
    fixes: [
      proposeOrphanContainerDirs(`Move ${evidence.orphans.length} orphan container dir(s) aside (stops docker)`, {
        dockerRoot: evidence.dockerRootDir,
        ids: evidence.orphans.map((orphan) => orphan.id).join(','),
        stamp: stampOf(evidence.collectedAt),
      }),
    ],
  };
}

export function judgeDeadContainers(evidence: DeadContainersEvidence): Finding[] {
  const findings = [stuckFinding(evidence), orphanFinding(evidence)].filter(
    (finding): finding is Finding => finding !== undefined,
  );
  if (findings.length > 0) return findings;
  return [
    {
      check: 'dead-containers',
      severity: 'ok',
      summary: 'No dead containers and no orphan container directories',
      evidence: [`${evidence.dockerRootDir}/containers: every directory belongs to a known container`],
    },
  ];
}

export const deadContainersCheck: Check<DeadContainersEvidence> = {
  id: 'dead-containers',
  title: 'Dead containers',
  doc: {
    seed: [6],
    evidence:
      'containers with State `dead` or `removing`; directories under `<root>/containers` the daemon does not know',
    rule: 'any → warn, with sizes',
  },
  offers: [orphanContainerDirsFix, removeDeadContainerFix],

  collect: collectDeadContainers,
  judge: judgeDeadContainers,
};
