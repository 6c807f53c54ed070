// The storage driver (docs/checks.md, trouble § 2, 4). devicemapper and aufs were removed from Docker (aufs in 24,
// devicemapper in 25): a host still on them cannot upgrade without migrating. devicemapper's thin
// pool fills up on its own, apart from the filesystem, so its free space is checked too.

import { type DockerInfo, dockerInfo } from '../evidence/docker.ts';
import { type OverlaySupport, overlaySupport, overlayVerdict } from '../evidence/overlaySupport.ts';
import {
  FROM_DRIVERS,
  proposeSwitchToOverlay2,
  SwitchToOverlay2Params,
  switchToOverlay2Fix,
} from '../fixes/switch-to-overlay2.ts';
import { stampOf } from './dead-containers.ts';
import type { Check, Finding } from './types.ts';

/** devicemapper Data/Metadata Space Available below this share of the total → crit. */
export const DEVICEMAPPER_MIN_AVAILABLE_PCT = 10;
export const REMOVED_DRIVERS = ['devicemapper', 'aufs', 'overlay'] as const;

export type StorageDriverEvidence = Pick<DockerInfo, 'Driver' | 'DriverStatus' | 'ServerVersion' | 'DockerRootDir'> & {
  /** Read for the drivers the overlay2 runbook moves away from: can overlay2 work under the root? */
  overlay?: OverlaySupport;
  collectedAt?: number;
};

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Pure: go-units sizes as devicemapper prints them ("107.4 GB", "2.147 GB", "0 B") into bytes. */
export function parseDriverSize(text: string): number | undefined {
  const match = /^([\d.]+)\s*([a-z]+)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNIT_BYTES[(match[2] as string).toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

function status(evidence: StorageDriverEvidence, key: string): string | undefined {
  for (const pair of evidence.DriverStatus ?? []) {
    if (pair[0] === key) return pair[1];
  }
  return undefined;
}

function thinPoolFinding(evidence: StorageDriverEvidence, space: 'Data' | 'Metadata'): Finding | undefined {
  const availText = status(evidence, `${space} Space Available`);
  const totalText = status(evidence, `${space} Space Total`);
  const avail = availText ? parseDriverSize(availText) : undefined;
  const total = totalText ? parseDriverSize(totalText) : undefined;
  if (avail === undefined || !total) return undefined;
  const pct = (avail * 100) / total;
  if (pct >= DEVICEMAPPER_MIN_AVAILABLE_PCT) return undefined;
  return {
    check: 'storage-driver',
    severity: 'crit',
    summary: `devicemapper ${space.toLowerCase()} space is almost gone: ${availText} of ${totalText} available (${pct.toFixed(1)}%)`,
    detail:
      'When the thin pool fills up, containers fail to start and writes inside them fail, even with space left on the filesystem. Free images and containers, or grow the pool (lvextend).',
    evidence: [`docker info DriverStatus: ${space} Space Available=${availText}, ${space} Space Total=${totalText}`],
  };
}

/** Pure: the overlay2 runbook for this host, or why there is none (said first in the finding's detail). */
function overlay2Offer(evidence: StorageDriverEvidence): Pick<Finding, 'fixes'> & { said: string[] } {
  if (!evidence.overlay) return { said: [] };
  const verdict = overlayVerdict(evidence.overlay);
  const line = `overlay2: ${verdict.can === 'no' ? 'cannot work here' : verdict.can === 'yes' ? 'can work here' : 'may work here'}: ${verdict.why}`;
  if (verdict.can === 'no')
    return { said: [`overlay2 cannot work here, so no runbook is offered: ${verdict.why}.`, line] };
  const params = SwitchToOverlay2Params.safeParse({
    root: evidence.DockerRootDir,
    driver: evidence.Driver,
    stamp: stampOf(evidence.collectedAt ?? Date.now()),
  });
  if (!params.success)
    return {
      said: [`No runbook: ${params.error.issues[0]?.message ?? 'the root dir is not one dockmedic changes'}.`, line],
    };
  return {
    said: [line],
    fixes: [proposeSwitchToOverlay2(`Change the storage driver to overlay2 (stops docker)`, params.data)],
  };
}

function withOffer(finding: Finding, evidence: StorageDriverEvidence): Finding {
  const offer = overlay2Offer(evidence);
  if (offer.said.length === 0) return finding;
  const [first, ...evidenceLines] = offer.said.length > 1 ? offer.said : ['', ...offer.said];
  return {
    ...finding,
    detail: [first, finding.detail].filter(Boolean).join('\n'),
    evidence: [...(finding.evidence ?? []), ...evidenceLines],
    ...(offer.fixes ? { fixes: offer.fixes } : {}),
  };
}

export function judgeStorageDriver(evidence: StorageDriverEvidence): Finding[] {
  const driver = evidence.Driver;
  const driverLine = `docker info Driver: ${driver}${evidence.ServerVersion ? ` (Docker ${evidence.ServerVersion})` : ''}`;
  const findings: Finding[] = [];
  if (driver === 'devicemapper') {
    for (const space of ['Data', 'Metadata'] as const) {
      const finding = thinPoolFinding(evidence, space);
      if (finding) findings.push(finding);
    }
  }
  if ((REMOVED_DRIVERS as readonly string[]).includes(driver)) {
    findings.push(
      withOffer(
        {
          check: 'storage-driver',
          severity: 'warn',
          summary: `The storage driver is ${driver}, which current Docker no longer has: move to overlay2`,
          detail: [
            'The runbook (dangerous, a maintenance window: every container stops): check overlay2 can work, save every tagged image and every container’s settings,',
            'stop docker, set "storage-driver": "overlay2" in /etc/docker/daemon.json, start, load the images back. Containers are listed for recreation with how they were started;',
            `volumes are kept. The old ${driver} data under ${evidence.DockerRootDir} stays until you remove it.`,
          ].join('\n'),
          evidence: [driverLine],
        },
        evidence,
      ),
    );
    return findings;
  }
  if (driver === 'vfs') {
    findings.push(
      withOffer(
        {
          check: 'storage-driver',
          severity: 'info',
          summary: 'The storage driver is vfs: every layer is a full copy, so images and containers take far more disk',
          detail: 'vfs is meant for tests and odd filesystems; overlay2 shares layers between images and containers.',
          evidence: [driverLine],
        },
        evidence,
      ),
    );
    return findings;
  }
  findings.push({
    check: 'storage-driver',
    severity: 'ok',
    summary: `The storage driver is ${driver}`,
    evidence: [driverLine],
  });
  return findings;
}

export const storageDriverCheck: Check<StorageDriverEvidence> = {
  id: 'storage-driver',
  title: 'Storage driver',
  doc: {
    seed: [2, 4],
    evidence:
      '`docker info` Driver, DriverStatus; for devicemapper/aufs/overlay/vfs also /proc/filesystems, `df -PT` of the root, `tune2fs -l` or `xfs_info` (d_type)',
    rule: 'devicemapper: crit if Data or Metadata Space Available < 10 %; devicemapper/aufs/overlay are removed from current Docker → warn; vfs → info; either offers the overlay2 runbook where the kernel has overlay and the root’s filesystem can hold it with d_type (ext4 `filetype`, xfs `ftype=1`), else says why not',
  },
  offers: [switchToOverlay2Fix],
  diskcheck: true,
  async collect(ctx) {
    const info = await dockerInfo(ctx);
    const movable = (FROM_DRIVERS as readonly string[]).includes(info.Driver);
    return {
      Driver: info.Driver,
      DriverStatus: info.DriverStatus ?? null,
      DockerRootDir: info.DockerRootDir,
      ...(info.ServerVersion ? { ServerVersion: info.ServerVersion } : {}),
      ...(movable ? { overlay: await overlaySupport(ctx, info.DockerRootDir) } : {}),
      collectedAt: Date.now(),
    };
  },
  judge: judgeStorageDriver,
};
