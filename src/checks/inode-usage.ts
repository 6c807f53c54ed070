// Inode usage of the same filesystems as disk-usage (docs/checks.md, trouble § 2): "No space left on device" with
// blocks to spare means the inodes ran out. When they are running out, a bounded `find -xdev`
// count says which directories hold the most files.

import type { EvidenceContext } from '../evidence/context.ts';
import { describeDockerRootSource } from '../evidence/dockerRoot.ts';
import { type DfInodesRow, type FilesystemEvidence, inodeUsage, worstUsedPct } from '../evidence/filesystems.ts';
import { sh } from '../hosts/shell.ts';
import { type PercentThresholds, severityForPercent } from './thresholds.ts';
import type { Check, Finding } from './types.ts';

export const INODE_USAGE_THRESHOLDS: PercentThresholds = { warn: 80, crit: 90 };
/** The directory count walks at most this long, and lists this many directories. */
export const BUSIEST_DIRS_TIMEOUT_S = 20;
export const BUSIEST_DIRS_LIMIT = 10;

export interface BusyDir {
  path: string;
  entries: number;
}

export interface InodeUsageEvidence extends FilesystemEvidence<DfInodesRow> {
  /** Per mount point, for filesystems at warn or worse: directories with the most entries. */
  busiestDirs: Record<string, BusyDir[]>;
}

/** Pure: `uniq -c` output ("  42 /var/lib/x") into directories. */
export function parseBusiestDirs(stdout: string): BusyDir[] {
  const dirs: BusyDir[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\s*(\d+)\s(\/.*)$/.exec(line);
    if (match) dirs.push({ entries: Number(match[1]), path: match[2] as string });
  }
  return dirs;
}

async function busiestDirs(ctx: EvidenceContext, mount: string): Promise<BusyDir[]> {
  // GNU find; on busybox the walk prints nothing and the finding simply has no list.
  const result = await ctx.conn.exec(
    sh`timeout ${BUSIEST_DIRS_TIMEOUT_S} find ${mount} -xdev -printf '%h\n' 2>/dev/null | sort | uniq -c | sort -rn | head -n ${BUSIEST_DIRS_LIMIT}`,
    { privileged: true, timeoutMs: (BUSIEST_DIRS_TIMEOUT_S + 10) * 1000 },
  );
  return parseBusiestDirs(result.stdout);
}

async function collectInodeUsage(ctx: EvidenceContext): Promise<InodeUsageEvidence> {
  const usage = await inodeUsage(ctx);
  const busiest: Record<string, BusyDir[]> = {};
  for (const fs of usage.filesystems) {
    const pct = fs.row.usedPct;
    if (pct === null || pct < INODE_USAGE_THRESHOLDS.warn) continue;
    busiest[fs.row.mount] = await busiestDirs(ctx, fs.row.mount);
  }
  return { ...usage, busiestDirs: busiest };
}

export function judgeInodeUsage(evidence: InodeUsageEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const fs of evidence.filesystems) {
    const { row } = fs;
    const holds = fs.holdsDockerRoot ? `; it holds the Docker root dir ${evidence.dockerRoot.path}` : '';
    const line = `df -P -i ${fs.paths.join(' ')}: ${row.device} ${row.inodes} inodes, ${row.used} used, ${row.free} free, ${row.usedPct ?? '-'}% ${row.mount}`;
    if (row.usedPct === null) {
      findings.push({
        check: 'inode-usage',
        severity: 'ok',
        summary: `${row.mount} has no fixed inode count (${row.device})${holds}`,
        evidence: [line],
      });
      continue;
    }
    const severity = severityForPercent(row.usedPct, INODE_USAGE_THRESHOLDS);
    const finding: Finding = {
      check: 'inode-usage',
      severity,
      summary: `${row.mount} has used ${row.usedPct}% of its inodes (${row.used} of ${row.inodes})${holds}`,
      evidence: [line],
    };
    if (fs.holdsDockerRoot) {
      finding.evidence?.push(`Docker root dir from ${describeDockerRootSource(evidence.dockerRoot)}`);
    }
    if (severity !== 'ok') {
      const dirs = evidence.busiestDirs[row.mount] ?? [];
      const listed = dirs.map((dir) => `${dir.entries} entries in ${dir.path}`).join('\n');
      finding.detail = [
        `"No space left on device" can come from running out of inodes while blocks are still free: every file, directory and symlink takes one, and only ${row.free} are left.`,
        dirs.length > 0 ? `Directories with the most entries:\n${listed}` : undefined,
      ]
        .filter(Boolean)
        .join('\n');
    }
    findings.push(finding);
  }
  for (const problem of evidence.problems) {
    findings.push({ check: 'inode-usage', severity: 'info', summary: `df could not report on ${problem}` });
  }
  return findings;
}

export const inodeUsageCheck: Check<InodeUsageEvidence> = {
  id: 'inode-usage',
  title: 'Inode usage',
  doc: {
    seed: [2],
    evidence: '`df -Pi` for the same filesystems',
    rule: '≥80 % warn, ≥90 % crit; say plainly that "No space left on device" can come with free blocks',
    advice: 'find the directories with most files (`find -xdev` counts, bounded)',
  },
  diskcheck: true,
  diskSummary: true,
  monitorByDefault: true,
  percentOf: worstUsedPct,
  collect: collectInodeUsage,
  judge: judgeInodeUsage,
};
