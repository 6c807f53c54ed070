import { describe, expect, it } from 'vitest';
import {
  DEVICEMAPPER_MIN_AVAILABLE_PCT,
  judgeStorageDriver,
  parseDriverSize,
  type StorageDriverEvidence,
} from '../../../src/checks/storage-driver.ts';
import { DockerInfo } from '../../../src/evidence/docker.ts';
import { fixtureJson } from './fixtures.ts';

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
