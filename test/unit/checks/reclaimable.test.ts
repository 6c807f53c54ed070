import { describe, expect, it } from 'vitest';
import { DISK_USAGE_THRESHOLDS } from '../../../src/checks/disk-usage.ts';
import { judgeReclaimable } from '../../../src/checks/reclaimable.ts';
import { parseDfBlocks } from '../../../src/evidence/filesystems.ts';
import { reclaimableKinds, SystemDf } from '../../../src/evidence/systemDf.ts';
import { getFix } from '../../../src/fixes/index.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const systemDf = SystemDf.parse(fixtureJson('reclaimable/system-df.json'));
const fsRow = parseDfBlocks(fixtureText('disk-usage/df-PTk.txt'))[1]!;
const MiB = 1024 ** 2;

// No BuildKit here: a build-cache record in the shape the Engine API documents (GET /system/df).
const cacheRecord = {
  ID: 'k0a1b2c3d4',
  Type: 'regular',
  Description: 'mount / from exec /bin/sh -c apt-get update',
  InUse: false,
  Shared: false,
  Size: 300 * MiB,
  CreatedAt: '2026-11-01T00:00:00Z',
  LastUsedAt: '2026-11-02T00:00:00Z',
  UsageCount: 1,
};

describe('reclaimableKinds', () => {
  it('counts the dangling image left by building the same tag twice, and the unused volume', () => {
    const kinds = reclaimableKinds(systemDf);
    const byKind = Object.fromEntries(kinds.map((kind) => [kind.kind, kind]));

    expect(byKind['dangling-images']?.count).toBe(1);
    expect(byKind['dangling-images']?.reclaimableBytes).toBeGreaterThan(0);
    expect(byKind.volumes).toMatchObject({ count: 1 });
    expect(byKind['build-cache']).toMatchObject({ count: 0, reclaimableBytes: 0 });
  });

  it('counts unused build cache, not cache in use', () => {
    const withCache = { ...systemDf, BuildCache: [cacheRecord, { ...cacheRecord, ID: 'used', InUse: true }] };

    const cache = reclaimableKinds(withCache).find((kind) => kind.kind === 'build-cache');

    expect(cache).toMatchObject({ count: 2, totalBytes: 600 * MiB, reclaimableBytes: 300 * MiB });
  });
});

describe('judgeReclaimable', () => {
  it.each([
    [DISK_USAGE_THRESHOLDS.warn - 1, 'info'],
    [DISK_USAGE_THRESHOLDS.warn, 'warn'],
    [DISK_USAGE_THRESHOLDS.crit, 'warn'],
  ] as const)('Docker filesystem %i percent full, something safe to prune → %s', (usedPct, severity) => {
    const [finding] = judgeReclaimable({ systemDf, dockerFilesystem: { ...fsRow, usedPct } });

    expect(finding?.severity).toBe(severity);
    expect(finding?.fixes?.[0]).toMatchObject({ fix: 'prune-safe', params: {} });
    expect(finding?.fixes?.[0]?.label).toMatch(/^Prune dangling images and build cache \(.+\)$/);
  });

  it('offers the build cache in the prune label', () => {
    const [finding] = judgeReclaimable({ systemDf: { ...systemDf, BuildCache: [cacheRecord] } });

    expect(finding?.fixes?.[0]?.label).toBe('Prune dangling images and build cache (300 MiB)');
  });

  it('lists unused volumes by name and offers them only as a dangerous runbook, never in a prune', () => {
    const findings = judgeReclaimable({ systemDf });
    const volumes = findings.find((finding) => finding.summary.includes('volume'));

    expect(volumes?.summary).toContain('orphan-data');
    expect(volumes?.fixes).toEqual([
      expect.objectContaining({
        fix: 'remove-unused-volumes',
        params: { names: expect.stringContaining('orphan-data') },
      }),
    ]);
    expect(getFix('remove-unused-volumes')?.risk).toBe('dangerous');
    const pruneOffers = findings.flatMap((finding) => finding.fixes ?? []).filter((fix) => fix.fix === 'prune-safe');
    for (const offer of pruneOffers) expect(JSON.stringify(offer.params)).not.toContain('orphan-data');
  });

  it('is ok with nothing to give back', () => {
    const [finding] = judgeReclaimable({ systemDf: { Images: [], Containers: [], Volumes: [], BuildCache: [] } });

    expect(finding).toMatchObject({ severity: 'ok', summary: 'Docker has nothing to give back' });
  });
});
