import type { CheckResult, Finding, Severity } from './types.ts';

// The functions that build these shapes live beside them; re-exported so callers need one import.
export {
  buildHostReport,
  type ReportMeta,
  type ReportTiming,
  sortFindings,
  summarizeDisk,
  unreachableReport,
} from './hostReport.ts';

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

export interface ContainerLog {
  containerId: string;
  containerName: string;
  path: string;
  sizeBytes: number;
}

export interface ReclaimableKind {
  kind: 'images' | 'dangling-images' | 'containers' | 'build-cache' | 'volumes';
  count: number;
  totalBytes: number;
  reclaimableBytes: number;
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
