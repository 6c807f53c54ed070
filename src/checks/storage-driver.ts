// The storage driver (docs/checks.md, trouble § 2, 4). devicemapper and aufs were removed from Docker (aufs in 24,
// devicemapper in 25): a host still on them cannot upgrade without migrating. devicemapper's thin
// pool fills up on its own, apart from the filesystem, so its free space is checked too.

import { type DockerInfo, dockerInfo } from '../evidence/docker.ts';
import type { Check, Finding } from './types.ts';

/** devicemapper Data/Metadata Space Available below this share of the total → crit. */
export const DEVICEMAPPER_MIN_AVAILABLE_PCT = 10;
export const REMOVED_DRIVERS = ['devicemapper', 'aufs', 'overlay'] as const;

export type StorageDriverEvidence = Pick<DockerInfo, 'Driver' | 'DriverStatus' | 'ServerVersion' | 'DockerRootDir'>;

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
    findings.push({
      check: 'storage-driver',
      severity: 'warn',
      summary: `The storage driver is ${driver}, which current Docker no longer has: move to overlay2`,
      detail: [
        'Runbook (dangerous, plan a maintenance window): 1. save what you need (docker save images, back up volumes);',
        '2. stop docker; 3. set "storage-driver": "overlay2" in /etc/docker/daemon.json (on ext4, or xfs with ftype=1);',
        '4. start docker (images and containers of the old driver are not visible any more); 5. pull or load images and recreate containers;',
        `6. once all is well, remove the old ${driver} data under ${evidence.DockerRootDir}.`,
      ].join('\n'),
      evidence: [driverLine],
    });
    return findings;
  }
  if (driver === 'vfs') {
    findings.push({
      check: 'storage-driver',
      severity: 'info',
      summary: 'The storage driver is vfs: every layer is a full copy, so images and containers take far more disk',
      detail: 'vfs is meant for tests and odd filesystems; overlay2 shares layers between images and containers.',
      evidence: [driverLine],
    });
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
    evidence: '`docker info` Driver, DriverStatus',
    rule: 'devicemapper: crit if Data or Metadata Space Available < 10 %; devicemapper/aufs are removed from current Docker → warn, recommend overlay2',
    advice: 'runbook only',
  },
  diskcheck: true,
  async collect(ctx) {
    const info = await dockerInfo(ctx);
    return {
      Driver: info.Driver,
      DriverStatus: info.DriverStatus ?? null,
      DockerRootDir: info.DockerRootDir,
      ...(info.ServerVersion ? { ServerVersion: info.ServerVersion } : {}),
    };
  },
  judge: judgeStorageDriver,
};
