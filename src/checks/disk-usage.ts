// Block usage of `/` and of the filesystem holding the Docker root dir (docs/checks.md, trouble § 2). Shell only: it
// must work while dockerd is down, which is often *because* the disk is full.

import { describeDockerRootSource } from '../evidence/dockerRoot.ts';
import {
  blockUsage,
  type DfBlocksRow,
  dfLine,
  type FilesystemEvidence,
  worstUsedPct,
} from '../evidence/filesystems.ts';
import { formatBytes } from '../format.ts';
import { type PercentThresholds, severityForPercent } from './thresholds.ts';
import type { Check, Finding } from './types.ts';

export const DISK_USAGE_THRESHOLDS: PercentThresholds = { warn: 80, crit: 90 };

export type DiskUsageEvidence = FilesystemEvidence<DfBlocksRow>;

export function judgeDiskUsage(evidence: DiskUsageEvidence): Finding[] {
  const findings: Finding[] = [];
  const root = evidence.dockerRoot;
  for (const fs of evidence.filesystems) {
    const { row } = fs;
    const severity = severityForPercent(row.usedPct, DISK_USAGE_THRESHOLDS);
    const holds = fs.holdsDockerRoot ? `; it holds the Docker root dir ${root.path}` : '';
    const finding: Finding = {
      check: 'disk-usage',
      severity,
      summary: `${row.mount} is ${row.usedPct}% full (${formatBytes(row.usedBytes)} of ${formatBytes(row.sizeBytes)})${holds}`,
      evidence: [`df -P -T -k ${fs.paths.join(' ')}: ${dfLine(row)}`],
    };
    if (fs.holdsDockerRoot)
      finding.evidence?.push(`Docker root dir: ${root.path}, from ${describeDockerRootSource(root)}`);
    if (severity !== 'ok') {
      finding.detail = fs.holdsDockerRoot
        ? `${formatBytes(row.availBytes)} free. The container-logs and reclaimable findings show what can be freed safely.`
        : `${formatBytes(row.availBytes)} free. This filesystem does not hold Docker's data: look for big files outside Docker.`;
    }
    findings.push(finding);
  }
  for (const problem of evidence.problems) {
    findings.push({ check: 'disk-usage', severity: 'info', summary: `df could not report on ${problem}` });
  }
  return findings;
}

export const diskUsageCheck: Check<DiskUsageEvidence> = {
  id: 'disk-usage',
  title: 'Disk usage',
  doc: {
    seed: [2],
    evidence: '`df -PT` for `/` and the filesystem holding the Docker root dir',
    rule: '≥80 % warn, ≥90 % crit; name the mount point and the Docker root dir',
    advice: 'see `container-logs`, `reclaimable`',
  },
  diskcheck: true,
  diskSummary: true,
  monitorByDefault: true,
  percentOf: worstUsedPct,
  collect: (ctx) => blockUsage(ctx),
  judge: judgeDiskUsage,
};
