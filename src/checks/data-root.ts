// Where Docker keeps its data and how it was told (docs/checks.md, trouble § 1). A symlinked root dir confuses
// orchestrators; `graph` (option or flag) was removed in Docker 23 and keeps dockerd from starting;
// a full root filesystem next to an emptier one is a case for moving data-root.

import type { EvidenceContext } from '../evidence/context.ts';
import { type DaemonJson, daemonJson, daemonString } from '../evidence/daemonConfig.ts';
import { isNetworkFs } from '../evidence/dirFacts.ts';
import { DEFAULT_DOCKER_ROOT, type DockerRoot, describeDockerRootSource, dockerRoot } from '../evidence/dockerRoot.ts';
import { blockUsage, type DfBlocksRow, localFilesystems } from '../evidence/filesystems.ts';
import { MoveDataRootParams, moveDataRootFix, proposeMoveDataRoot } from '../fixes/move-data-root.ts';
import { neededBytes } from '../fixes/move-data-root-steps.ts';
import { formatBytes } from '../format.ts';
import { sh } from '../hosts/shell.ts';
import { stampOf } from './dead-containers.ts';
import { DISK_USAGE_THRESHOLDS } from './disk-usage.ts';
import type { Check, Finding } from './types.ts';

/** A filesystem worth moving data-root to has room for it with margin, and at least this much free. */
export const MIGRATION_MIN_FREE_BYTES = 1024 ** 3;
const NOT_A_DATA_DISK =
  /^(tmpfs|devtmpfs|ramfs|overlay|squashfs|iso9660|proc|sysfs|cgroup2?|nsfs|autofs|efivarfs|vfat)$/;

export interface DataRootEvidence {
  dockerRoot: DockerRoot;
  /** `readlink -f` of the root dir; differs from it when a symlink is on the way. */
  resolvedPath?: string;
  /**
   * dockerd follows a symlinked root and reports where it leads: the configured root (daemon.json
   * `data-root`, else /var/lib/docker) when it is a symlink to the reported one.
   */
  configuredLink?: { path: string; target: string };
  daemonJson: DaemonJson;
  /** The running dockerd's command line, split on spaces, when the process table shows one. */
  dockerdArgs?: string[];
  /** ExecStart lines of the docker systemd unit, where systemd exists. */
  unitExecStart: string[];
  dockerFilesystem?: DfBlocksRow;
  localFilesystems: DfBlocksRow[];
  /** When it was read: names the runbook's backups and state files. */
  collectedAt: number;
}

/** Pure: `ps -eo args=` output to the dockerd command line. */
export function findDockerdArgs(psOutput: string): string[] | undefined {
  for (const line of psOutput.split('\n')) {
    const args = line.trim().split(/\s+/);
    const program = args[0]?.split('/').pop();
    if (program === 'dockerd') return args;
  }
  return undefined;
}

async function collectDataRoot(ctx: EvidenceContext): Promise<DataRootEvidence> {
  // Everything but the readlink of the root dir starts beside /info (one batch with the run's other
  // shell evidence), and the usual root is resolved meanwhile; dockerRoot still decides first.
  const independent = Promise.all([
    daemonJson(ctx),
    ctx.conn.exec(sh`ps -eo args= 2>/dev/null || ps -o args`),
    ctx.conn.exec(sh`systemctl cat docker.service 2>/dev/null`),
    blockUsage(ctx).catch(() => undefined),
    localFilesystems(ctx),
  ]);
  independent.catch(() => {});
  const usualRoot = ctx.conn.exec(sh`readlink -f -- ${DEFAULT_DOCKER_ROOT}`);
  usualRoot.catch(() => {});
  const root = await dockerRoot(ctx);
  const [resolved, [config, ps, unit, disk, locals]] = await Promise.all([
    root.path === DEFAULT_DOCKER_ROOT ? usualRoot : ctx.conn.exec(sh`readlink -f -- ${root.path}`),
    independent,
  ]);
  const evidence: DataRootEvidence = {
    dockerRoot: root,
    daemonJson: config,
    unitExecStart: unit.stdout.split('\n').filter((line) => /^\s*ExecStart=/.test(line)),
    localFilesystems: locals,
    collectedAt: Date.now(),
  };
  const resolvedPath = resolved.stdout.trim();
  if (resolved.code === 0 && resolvedPath.startsWith('/')) evidence.resolvedPath = resolvedPath;
  const dockerdArgs = findDockerdArgs(ps.stdout);
  if (dockerdArgs) evidence.dockerdArgs = dockerdArgs;
  const dockerFilesystem = disk?.filesystems.find((fs) => fs.holdsDockerRoot)?.row;
  if (dockerFilesystem) evidence.dockerFilesystem = dockerFilesystem;
  const configured = daemonString(config, 'data-root') ?? DEFAULT_DOCKER_ROOT;
  if (configured !== root.path && configured.startsWith('/')) {
    const link = await (configured === DEFAULT_DOCKER_ROOT
      ? usualRoot
      : ctx.conn.exec(sh`readlink -f -- ${configured}`));
    const target = link.stdout.trim();
    if (link.code === 0 && target !== configured && target === (evidence.resolvedPath ?? root.path)) {
      evidence.configuredLink = { path: configured, target };
    }
  }
  return evidence;
}

function usesGraphFlag(words: readonly string[]): boolean {
  return words.some(
    (word) => word === '-g' || word === '--graph' || word.startsWith('--graph=') || word.startsWith('-g='),
  );
}

function graphFindings(evidence: DataRootEvidence): Finding[] {
  const where: string[] = [];
  if (evidence.daemonJson.config && 'graph' in evidence.daemonJson.config) {
    where.push(`${evidence.daemonJson.path} sets "graph"`);
  }
  if (evidence.dockerdArgs && usesGraphFlag(evidence.dockerdArgs)) where.push('the running dockerd has --graph');
  for (const line of evidence.unitExecStart) {
    if (usesGraphFlag(line.split(/\s+/))) where.push(`the docker unit has --graph: ${line.trim()}`);
  }
  if (where.length === 0) return [];
  return [
    {
      check: 'data-root',
      severity: 'crit',
      summary: `${where[0]}: removed in Docker 23, dockerd will not start with it; use "data-root"`,
      detail:
        'Replace "graph" with "data-root" (same value) in daemon.json, or --graph with --data-root in the unit. Older guides still show "graph".',
      evidence: where,
    },
  ];
}

/** Pure: local filesystems that could take the Docker root, best first (a data disk before `/`, then the roomiest). */
export function migrationTargets(evidence: DataRootEvidence, fs: DfBlocksRow): DfBlocksRow[] {
  const root = evidence.dockerRoot.path;
  return evidence.localFilesystems
    .filter((other) => other.mount !== fs.mount && other.device !== fs.device) // a bind mount of the same disk is no room
    .filter((other) => !NOT_A_DATA_DISK.test(other.fstype) && !isNetworkFs(other.fstype))
    .filter((other) => other.mount !== root && !other.mount.startsWith(`${root}/`))
    .filter((other) => other.availBytes >= Math.max(MIGRATION_MIN_FREE_BYTES, neededBytes(fs.usedBytes)))
    .sort((a, b) => Number(a.mount === '/') - Number(b.mount === '/') || b.availBytes - a.availBytes);
}

function migrationFinding(evidence: DataRootEvidence): Finding | undefined {
  const fs = evidence.dockerFilesystem;
  if (!fs || fs.usedPct < DISK_USAGE_THRESHOLDS.warn) return undefined;
  const [best] = migrationTargets(evidence, fs);
  if (!best) return undefined;
  const from = evidence.dockerRoot.path.replace(/\/+$/, '');
  const to = `${best.mount.replace(/\/$/, '')}/docker`;
  const params = MoveDataRootParams.safeParse({ from, to, stamp: stampOf(evidence.collectedAt) });
  return {
    check: 'data-root',
    severity: 'info',
    summary: `${fs.mount} is ${fs.usedPct}% full while ${best.mount} has ${formatBytes(best.availBytes)} free: consider moving data-root there`,
    detail: [
      `The runbook (dangerous: every container stops; an admin approves each step, each re-checked first): measure ${from} and the room on ${to};`,
      `stop the containers and dockerd; copy with rsync -aHAX --numeric-ids ${from}/ ${to}/ (cp -a where rsync is missing); verify file count and bytes;`,
      `set "data-root": "${to}" in /etc/docker/daemon.json (other keys kept); start dockerd and compare root, images and containers; start the containers again.`,
      `${from} is kept; removing it is offered afterwards. A failure once dockerd is stopped offers the rollback (previous daemon.json, dockerd started).`,
      ...(params.success
        ? []
        : [`No button: ${params.error.issues[0]?.message ?? 'the paths are not ones dockmedic moves'}.`]),
    ].join('\n'),
    evidence: [
      `${best.device} ${best.fstype} ${best.mount}: ${formatBytes(best.availBytes)} free`,
      `${fs.device} ${fs.fstype} ${fs.mount}: ${formatBytes(fs.usedBytes)} used`,
    ],
    ...(params.success ? { fixes: [proposeMoveDataRoot(`Move data-root to ${to} (stops docker)`, params.data)] } : {}),
  };
}

export function judgeDataRoot(evidence: DataRootEvidence): Finding[] {
  const root = evidence.dockerRoot;
  const source = `Docker root dir ${root.path}, from ${describeDockerRootSource(root)}`;
  const findings: Finding[] = [...graphFindings(evidence)];
  if (evidence.resolvedPath && evidence.resolvedPath !== root.path.replace(/\/+$/, '')) {
    findings.push({
      check: 'data-root',
      severity: 'warn',
      summary: `The Docker root dir ${root.path} is a symlink to ${evidence.resolvedPath}`,
      detail: `Orchestrators (Kubernetes among them) do not support a symlinked Docker root dir. Set "data-root": "${evidence.resolvedPath}" in daemon.json instead.`,
      evidence: [source, `readlink -f ${root.path}: ${evidence.resolvedPath}`],
    });
  }
  if (evidence.daemonJson.parseError) {
    findings.push({
      check: 'data-root',
      severity: 'info',
      summary: `${evidence.daemonJson.path} could not be used: ${evidence.daemonJson.parseError}`,
    });
  }
  if (evidence.configuredLink) {
    const { path, target } = evidence.configuredLink;
    findings.push({
      check: 'data-root',
      severity: 'warn',
      summary: `${path}, where dockerd is told to keep its data, is a symlink to ${target}`,
      detail: `dockerd follows it and reports ${target}. Orchestrators (Kubernetes among them) do not support a symlinked Docker root dir: set "data-root": "${target}" in daemon.json (the move runbook sets data-root to where it moves the data).`,
      evidence: [source, `readlink -f ${path}: ${target}`],
    });
  }
  const migration = migrationFinding(evidence);
  if (migration) findings.push(migration);
  if (findings.length === 0)
    findings.push({
      check: 'data-root',
      severity: 'ok',
      summary: `The Docker root dir is ${root.path}`,
      evidence: [source],
    });
  return findings;
}

export const dataRootCheck: Check<DataRootEvidence> = {
  id: 'data-root',
  title: 'Docker root dir',
  doc: {
    seed: [1],
    evidence: 'DockerRootDir, `readlink -f`, daemon.json, dockerd command line, `df -PTkl` (local filesystems)',
    rule: 'root dir is a symlink → warn (orchestrators, k8s among them, do not support it); daemon.json uses `graph` or the unit uses `--graph` → crit (removed in Docker 23+: use `data-root`); root fs ≥80 % while another local, non-network fs has room for its data plus a tenth (≥256 MiB more, ≥1 GiB free; a data disk before `/`) → offer the move runbook',
  },
  offers: [moveDataRootFix],
  diskcheck: true,
  collect: collectDataRoot,
  judge: judgeDataRoot,
};
