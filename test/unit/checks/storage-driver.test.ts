import { describe, expect, it } from 'vitest';
import {
  DEVICEMAPPER_MIN_AVAILABLE_PCT,
  judgeStorageDriver,
  parseDriverSize,
  type StorageDriverEvidence,
} from '../../../src/checks/storage-driver.ts';
import { DockerInfo } from '../../../src/evidence/docker.ts';
import { parseOverlaySupport } from '../../../src/evidence/overlaySupport.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const info = DockerInfo.parse(fixtureJson('storage-driver/info-vfs.json'));
const vfs: StorageDriverEvidence = {
  Driver: info.Driver,
  DriverStatus: info.DriverStatus ?? null,
  DockerRootDir: info.DockerRootDir,
};

// No devicemapper host here: DriverStatus as devicemapper reports it in `GET /info` (go-units sizes).
function devicemapper(dataAvailPct: number, metadataAvailPct = 50): StorageDriverEvidence {
  return {
    ...vfs,
    Driver: 'devicemapper',
    DriverStatus: [
      ['Pool Name', 'docker-thinpool'],
      ['Data Space Used', '90 GB'],
      ['Data Space Total', '100 GB'],
      ['Data Space Available', `${dataAvailPct} GB`],
      ['Metadata Space Used', '1 GB'],
      ['Metadata Space Total', '2 GB'],
      ['Metadata Space Available', `${(metadataAvailPct * 2) / 100} GB`],
    ],
  };
}

describe('judgeStorageDriver', () => {
  it('says vfs costs disk (the captured daemon)', () => {
    const [finding] = judgeStorageDriver(vfs);

    expect(finding).toMatchObject({ severity: 'info', summary: expect.stringContaining('vfs') });
  });

  it('is ok with overlay2', () => {
    expect(judgeStorageDriver({ ...vfs, Driver: 'overlay2' })).toMatchObject([{ severity: 'ok' }]);
  });

  it.each(['devicemapper', 'aufs'])('warns that %s is gone from current Docker and points at overlay2', (driver) => {
    const findings = judgeStorageDriver({ ...vfs, Driver: driver, DriverStatus: [] });

    expect(findings.at(-1)).toMatchObject({ severity: 'warn', summary: expect.stringContaining('overlay2') });
  });

  it.each([
    [DEVICEMAPPER_MIN_AVAILABLE_PCT - 1, 50, ['crit', 'warn']],
    [DEVICEMAPPER_MIN_AVAILABLE_PCT, 50, ['warn']],
    [50, DEVICEMAPPER_MIN_AVAILABLE_PCT - 1, ['crit', 'warn']],
  ])('devicemapper with data and metadata available at %i and %i percent → %j', (data, metadata, severities) => {
    const findings = judgeStorageDriver(devicemapper(data, metadata));

    expect(findings.map((finding) => finding.severity)).toEqual(severities);
  });
});

describe('the overlay2 offer', () => {
  const lab = { ...vfs, DockerRootDir: '/var/lib/docker', collectedAt: Date.parse('2026-01-02T03:04:05Z') };

  it('offers the runbook where overlay2 can work', () => {
    const overlay = parseOverlaySupport('/var/lib/docker', fixtureText('storage-driver/overlay-support-ext4.txt'));

    const [finding] = judgeStorageDriver({ ...lab, overlay });

    expect(finding?.fixes).toEqual([
      {
        fix: 'switch-to-overlay2',
        label: 'Change the storage driver to overlay2 (stops docker)',
        params: { root: '/var/lib/docker', driver: 'vfs', stamp: '20260102T030405Z' },
      },
    ]);
    expect(finding?.evidence).toContainEqual(expect.stringMatching(/^overlay2: can work here: .*with d_type/));
  });

  it.each(['devicemapper', 'aufs'])('offers it to a %s host too', (driver) => {
    const overlay = parseOverlaySupport('/var/lib/docker', fixtureText('storage-driver/overlay-support-ext4.txt'));

    const finding = judgeStorageDriver({ ...lab, Driver: driver, DriverStatus: [], overlay }).at(-1);

    expect(finding?.fixes?.[0]?.params).toMatchObject({ driver });
  });

  it('says why and offers nothing where it cannot', () => {
    const overlay = parseOverlaySupport(
      '/var/lib/docker',
      fixtureText('storage-driver/overlay-support-ext4-no-filetype.txt'),
    );

    const [finding] = judgeStorageDriver({ ...lab, overlay });

    expect(finding?.fixes).toBeUndefined();
    expect(finding?.detail).toMatch(/^overlay2 cannot work here, so no runbook is offered: .*no d_type/);
  });
});

describe('parseDriverSize', () => {
  it.each([
    ['107.4 GB', 107.4e9],
    ['0 B', 0],
    ['2.147 GB', 2.147e9],
    ['16 MiB', 16 * 1024 ** 2],
    ['lots', undefined],
  ])('%s → %s', (text, bytes) => {
    expect(parseDriverSize(text)).toBe(bytes);
  });
});
