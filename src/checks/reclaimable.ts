// What Docker could give back (docs/checks.md, trouble § 2, 16, 19), per kind, from the Engine API's `/system/df`.
// Only dangling images and unused build cache are offered as a safe prune; volumes hold data and
// are only ever listed by name.

import type { EvidenceContext } from '../evidence/context.ts';
import { blockUsage, type DfBlocksRow } from '../evidence/filesystems.ts';
import type { ReclaimableKind } from '../evidence/systemDf.ts';
import {
  reclaimableKinds,
  type SystemDf,
  safeReclaimableBytes,
  systemDf,
  unusedVolumeNames,
} from '../evidence/systemDf.ts';
import { proposePruneSafe, pruneSafeFix } from '../fixes/prune-safe.ts';
import { proposeUnusedVolumesRemoval, removeUnusedVolumesFix } from '../fixes/remove-unused-volumes.ts';
import type { FixProposal } from '../fixes/types.ts';
import { formatBytes } from '../format.ts';
import { DISK_USAGE_THRESHOLDS } from './disk-usage.ts';
import type { Check, Finding } from './types.ts';

export interface ReclaimableEvidence {
  systemDf: SystemDf;
  /** The filesystem holding the Docker root dir, when df could tell. */
  dockerFilesystem?: DfBlocksRow;
}

const KIND_LABELS: Record<ReclaimableKind['kind'], string> = {
  images: 'unused tagged images',
  'dangling-images': 'dangling images',
  containers: 'stopped containers',
  'build-cache': 'build cache',
  volumes: 'unused volumes',
};

export function pruneSafeProposal(bytes: number): FixProposal {
  return proposePruneSafe(`Prune dangling images and build cache (${formatBytes(bytes)})`, {});
}

async function collectReclaimable(ctx: EvidenceContext): Promise<ReclaimableEvidence> {
  const df = await systemDf(ctx);
  const disk = await blockUsage(ctx).catch(() => undefined);
  const dockerFilesystem = disk?.filesystems.find((fs) => fs.holdsDockerRoot)?.row;
  return dockerFilesystem ? { systemDf: df, dockerFilesystem } : { systemDf: df };
}

export function judgeReclaimable(evidence: ReclaimableEvidence): Finding[] {
  const kinds = reclaimableKinds(evidence.systemDf);
  const safe = safeReclaimableBytes(kinds);
  let total = 0;
  const lines: string[] = [];
  for (const kind of kinds) {
    total += kind.reclaimableBytes;
    lines.push(`${KIND_LABELS[kind.kind]}: ${kind.count}, ${formatBytes(kind.reclaimableBytes)} reclaimable`);
  }
  const fs = evidence.dockerFilesystem;
  const diskPressure = fs !== undefined && fs.usedPct >= DISK_USAGE_THRESHOLDS.warn;
  const findings: Finding[] = [];
  const main: Finding = {
    check: 'reclaimable',
    severity: 'ok',
    summary: total > 0 ? `Docker could give back ${formatBytes(total)}` : 'Docker has nothing to give back',
    evidence: lines.map((line) => `GET /system/df: ${line}`),
  };
  if (safe > 0) {
    main.severity = diskPressure ? 'warn' : 'info';
    main.summary = `${formatBytes(safe)} of dangling images and build cache can be pruned safely${
      diskPressure ? ` (${fs.mount} is ${fs.usedPct}% full)` : ''
    }`;
    main.fixes = [pruneSafeProposal(safe)];
  } else if (total > 0) {
    main.severity = 'info';
  }
  const stopped = kinds.find((kind) => kind.kind === 'containers');
  if (stopped && stopped.reclaimableBytes > 0) {
    main.detail = `Stopped containers hold ${formatBytes(stopped.reclaimableBytes)}; they are not pruned here: remove the ones nobody needs by name.`;
  }
  findings.push(main);
  const volumes = unusedVolumeNames(evidence.systemDf);
  if (volumes.length > 0) {
    const bytes = kinds.find((kind) => kind.kind === 'volumes')?.reclaimableBytes ?? 0;
    findings.push({
      check: 'reclaimable',
      severity: 'info',
      summary: `${volumes.length} volume(s) no container uses (${formatBytes(bytes)}): ${volumes.slice(0, 10).join(', ')}`,
      detail:
        'Volumes hold data: removing one loses it for good. dockmedic never prunes volumes: it offers them as a dangerous runbook, one named volume per step, each approved by an admin and checked unused right before.',
      fixes: [proposeUnusedVolumesRemoval(volumes)],
    });
  }
  return findings;
}

export const reclaimableCheck: Check<ReclaimableEvidence> = {
  id: 'reclaimable',
  title: 'Reclaimable space',
  doc: {
    seed: [2, 16, 19],
    evidence: 'Engine API `/system/df`',
    rule: 'reclaimable bytes per kind: dangling images, stopped containers, build cache, unused volumes',
  },
  offers: [pruneSafeFix, removeUnusedVolumesFix],

  diskcheck: true,
  diskSummary: true,
  collect: collectReclaimable,
  judge: judgeReclaimable,
};
