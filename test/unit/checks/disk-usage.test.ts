import { describe, expect, it } from 'vitest';
import { DISK_USAGE_THRESHOLDS, type DiskUsageEvidence, judgeDiskUsage } from '../../../src/checks/disk-usage.ts';
import { parseDfBlocks } from '../../../src/evidence/filesystems.ts';
import { fixtureText } from './fixtures.ts';

const rows = parseDfBlocks(fixtureText('disk-usage/df-PTk.txt'));
const rootRow = rows[0]!;
const fullRow = rows[1]!;

function evidence(row = fullRow, source: DiskUsageEvidence['dockerRoot']['source'] = 'docker-info'): DiskUsageEvidence {
  return {
    dockerRoot: { path: row.mount, source },
    filesystems: [
      { row: rootRow, paths: ['/'], holdsDockerRoot: false },
      { row, paths: [row.mount], holdsDockerRoot: true },
    ],
    problems: [],
  };
}

describe('judgeDiskUsage', () => {
  it.each([
    [0, 'ok'],
    [DISK_USAGE_THRESHOLDS.warn - 1, 'ok'],
    [DISK_USAGE_THRESHOLDS.warn, 'warn'],
    [DISK_USAGE_THRESHOLDS.crit - 1, 'warn'],
    [DISK_USAGE_THRESHOLDS.crit, 'crit'],
    [100, 'crit'],
  ] as const)('%i percent used → %s', (usedPct, severity) => {
    const findings = judgeDiskUsage(evidence({ ...fullRow, usedPct }));

    expect(findings[1]?.severity).toBe(severity);
  });

  it('names the mount point, the percentage and sizes, and which filesystem holds the Docker root dir', () => {
    const findings = judgeDiskUsage(evidence());

    expect(findings[0]).toMatchObject({ severity: 'ok', summary: '/ is 23% full (23 GiB of 252 GiB)' });
    expect(findings[1]?.severity).toBe('crit');
    expect(findings[1]?.summary).toMatch(
      /var lib docker is 97% full \(241 MiB of 251 MiB\); it holds the Docker root dir/,
    );
    expect(findings[1]?.evidence?.join('\n')).toContain('from the Engine API');
  });

  it('says when the Docker root dir was only assumed (dockerd down, no data-root)', () => {
    const findings = judgeDiskUsage(evidence(fullRow, 'default'));

    expect(findings[1]?.evidence?.join('\n')).toContain('the default /var/lib/docker (dockerd did not answer');
  });

  it('reports paths df could not see', () => {
    const findings = judgeDiskUsage({ ...evidence(), problems: ['/srv/docker: No such file or directory'] });

    expect(findings.at(-1)).toMatchObject({ severity: 'info', summary: expect.stringContaining('/srv/docker') });
  });
});
