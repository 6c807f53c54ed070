import { describe, expect, it } from 'vitest';
import { buildHostReport, unreachableReport } from '../../../src/checks/report.ts';
import type { CheckResult } from '../../../src/checks/types.ts';
import { DockmedicError } from '../../../src/errors.ts';
import { parseDfBlocks } from '../../../src/evidence/filesystems.ts';
import { fixtureText } from './fixtures.ts';

const row = parseDfBlocks(fixtureText('disk-usage/df-PTk.txt'))[1]!;

const results: CheckResult[] = [
  {
    check: 'disk-usage',
    durationMs: 3,
    evidence: {
      dockerRoot: { path: row.mount, source: 'docker-info' },
      filesystems: [{ row, paths: [row.mount], holdsDockerRoot: true }],
      problems: [],
    },
    findings: [{ check: 'disk-usage', severity: 'ok', summary: 'fine' }],
  },
  {
    check: 'reclaimable',
    durationMs: 1,
    findings: [{ check: 'reclaimable', severity: 'info', summary: 'skipped' }],
    error: { code: 'dm_docker_unavailable', message: 'down' },
  },
  { check: 'daemon-health', durationMs: 0, findings: [{ check: 'daemon-health', severity: 'crit', summary: 'down' }] },
];

describe('buildHostReport', () => {
  it('sorts findings worst first and summarizes the disk', () => {
    const report = buildHostReport('web-1', 'diskcheck', results, { startedAt: new Date(0), durationMs: 12 });

    expect(report.findings.map((finding) => finding.severity)).toEqual(['crit', 'info', 'ok']);
    expect(report).toMatchObject({
      worst: 'crit',
      reachable: true,
      dockerAvailable: false,
      startedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(report.disk?.filesystems).toEqual([
      expect.objectContaining({ mount: row.mount, usedPct: 97, holdsDockerRoot: true }),
    ]);
    expect(report.disk?.dockerRootDir).toBe(row.mount);
  });

  it('takes the start time in epoch ms too', () => {
    expect(buildHostReport('web-1', 'diskcheck', [], Date.now()).durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('unreachableReport', () => {
  it('is one crit finding quoting the user message', () => {
    const error = new DockmedicError('dm_host_unreachable', 'ECONNREFUSED 10.0.0.1:22', {
      userMessage: 'web-1 refused the connection',
    });

    const report = unreachableReport('web-1', 'diskcheck', error);

    expect(report).toMatchObject({
      reachable: false,
      worst: 'crit',
      findings: [{ severity: 'crit', summary: 'Could not reach web-1: web-1 refused the connection' }],
    });
  });
});
