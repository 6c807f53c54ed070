// What one run of checks on one host amounts to: the HostReport that the Slack renderers and
// `dockmedic check` consume, built from the check results.

import { userMessageOf } from '../errors.ts';
import type { ContainerLog } from '../evidence/containerLogs.ts';
import type { ReclaimableKind } from '../evidence/systemDf.ts';
import { reclaimableKinds } from '../evidence/systemDf.ts';
import type { ContainerLogsEvidence } from './container-logs.ts';
import type { DiskUsageEvidence } from './disk-usage.ts';
import { getCheck } from './index.ts';
import type { InodeUsageEvidence } from './inode-usage.ts';
import type { ReclaimableEvidence } from './reclaimable.ts';
import { type CheckResult, type Finding, type Severity, worstFirst, worstSeverity } from './types.ts';

/** A filesystem as the diskcheck message shows it: blocks and inodes side by side. */
export interface FilesystemUsage {
  mount: string;
  device: string;
  fstype: string;
  sizeBytes: number;
  usedBytes: number;
  availBytes: number;
  usedPct: number;
  inodes?: number;
  inodesUsed?: number;
  inodesPct?: number;
  holdsDockerRoot: boolean;
}

/** What the diskcheck message shows besides findings; any part may be missing when it could not be collected. */
export interface DiskSummary {
  dockerRootDir?: string;
  filesystems: FilesystemUsage[];
  biggestLogs: ContainerLog[];
  reclaimable: ReclaimableKind[];
}

export interface HostReport {
  host: string;
  /** The subcommand that produced it, e.g. `diskcheck`. */
  command: string;
  startedAt: string;
  durationMs: number;
  /** False when the host itself could not be reached: results then hold what could not be collected. */
  reachable: boolean;
  /** False when dockerd did not answer: shell-side evidence is still reported. */
  dockerAvailable: boolean;
  results: CheckResult[];
  /** Every finding of every check, worst first. */
  findings: Finding[];
  worst: Severity;
  disk?: DiskSummary;
}

export interface ReportMeta {
  /** When the run started (ISO string or Date). */
  startedAt: string | Date;
  durationMs: number;
}

/** A ReportMeta, or just the run's start in epoch ms (its duration then runs until now). */
export type ReportTiming = ReportMeta | number;

function timing(meta: ReportTiming | undefined): { startedAt: string; durationMs: number } {
  if (meta === undefined) return { startedAt: new Date().toISOString(), durationMs: 0 };
  if (typeof meta === 'number') return { startedAt: new Date(meta).toISOString(), durationMs: Date.now() - meta };
  const startedAt = typeof meta.startedAt === 'string' ? meta.startedAt : meta.startedAt.toISOString();
  return { startedAt, durationMs: meta.durationMs };
}

function evidenceOf<E>(results: readonly CheckResult[], check: string): E | undefined {
  const result = results.find((candidate) => candidate.check === check);
  return result?.evidence as E | undefined;
}

export function summarizeDisk(results: readonly CheckResult[]): DiskSummary {
  const disk = evidenceOf<DiskUsageEvidence>(results, 'disk-usage');
  const inodes = evidenceOf<InodeUsageEvidence>(results, 'inode-usage');
  const logs = evidenceOf<ContainerLogsEvidence>(results, 'container-logs');
  const reclaimable = evidenceOf<ReclaimableEvidence>(results, 'reclaimable');
  const filesystems: FilesystemUsage[] = [];
  for (const fs of disk?.filesystems ?? []) {
    const usage: FilesystemUsage = {
      mount: fs.row.mount,
      device: fs.row.device,
      fstype: fs.row.fstype,
      sizeBytes: fs.row.sizeBytes,
      usedBytes: fs.row.usedBytes,
      availBytes: fs.row.availBytes,
      usedPct: fs.row.usedPct,
      holdsDockerRoot: fs.holdsDockerRoot,
    };
    const inode = inodes?.filesystems.find((candidate) => candidate.row.mount === fs.row.mount)?.row;
    if (inode) {
      usage.inodes = inode.inodes;
      usage.inodesUsed = inode.used;
      if (inode.usedPct !== null) usage.inodesPct = inode.usedPct;
    }
    filesystems.push(usage);
  }
  const summary: DiskSummary = {
    filesystems,
    biggestLogs: [...(logs?.logs ?? [])].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, 5),
    reclaimable: reclaimable ? reclaimableKinds(reclaimable.systemDf) : [],
  };
  const root = logs?.dockerRootDir ?? disk?.dockerRoot.path ?? inodes?.dockerRoot.path;
  if (root) summary.dockerRootDir = root;
  return summary;
}

export function buildHostReport(host: string, command: string, results: CheckResult[], meta: ReportTiming): HostReport {
  const findings = worstFirst(results.flatMap((result) => result.findings));
  const report: HostReport = {
    host,
    command,
    ...timing(meta),
    reachable: true,
    dockerAvailable: !results.some((result) => result.error?.code === 'dm_docker_unavailable'),
    results,
    findings,
    worst: worstSeverity(findings.map((finding) => finding.severity)),
  };
  if (results.some((result) => getCheck(result.check)?.diskSummary)) report.disk = summarizeDisk(results);
  return report;
}

/** A host we could not connect to at all: one crit finding that quotes why. */
export function unreachableReport(host: string, command: string, error: unknown, meta?: ReportTiming): HostReport {
  const finding: Finding = {
    check: 'host',
    severity: 'crit',
    summary: `Could not reach ${host}: ${userMessageOf(error)}`,
  };
  return {
    host,
    command,
    ...timing(meta),
    reachable: false,
    dockerAvailable: false,
    results: [],
    findings: [finding],
    worst: 'crit',
  };
}
