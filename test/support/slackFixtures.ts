// Reports and findings for Slack renderer and e2e tests: shaped like what workers/command.ts builds
// from a real host (a Docker root on its own ext4 filesystem, a big json-file log, dangling images).

import type { HostReport } from '../../src/checks/report.ts';
import type { Finding, Severity } from '../../src/checks/types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export function sampleReport(overrides: Partial<HostReport> = {}): HostReport {
  const findings: Finding[] = [
    {
      check: 'disk-usage',
      severity: 'crit',
      summary: '/var/lib/docker is 93% full',
      evidence: ['/dev/loop3  ext4  1.9G  1.8G  132M  93% /var/lib/docker'],
    },
    {
      check: 'container-logs',
      severity: 'warn',
      summary: 'web writes a 30 MiB json-file log without rotation',
      detail: 'LogConfig.Type=json-file, no max-size',
      evidence: ['/var/lib/docker/containers/4f1c…/4f1c…-json.log 31457280'],
    },
  ];
  return {
    host: 'web-1',
    command: 'diskcheck',
    startedAt: '2025-01-01T10:00:00.000Z',
    durationMs: 1234,
    reachable: true,
    dockerAvailable: true,
    results: [],
    findings,
    worst: 'crit',
    disk: {
      dockerRootDir: '/var/lib/docker',
      filesystems: [
        {
          mount: '/',
          device: '/dev/sda1',
          fstype: 'ext4',
          sizeBytes: 20 * GiB,
          usedBytes: 8 * GiB,
          availBytes: 12 * GiB,
          usedPct: 40,
          inodes: 1_310_720,
          inodesUsed: 131_072,
          inodesPct: 10,
          holdsDockerRoot: false,
        },
        {
          mount: '/var/lib/docker',
          device: '/dev/loop3',
          fstype: 'ext4',
          sizeBytes: 2 * GiB,
          usedBytes: 1.86 * GiB,
          availBytes: 132 * MiB,
          usedPct: 93,
          inodes: 131_072,
          inodesUsed: 20_000,
          inodesPct: 15,
          holdsDockerRoot: true,
        },
      ],
      biggestLogs: [
        {
          containerId: '4f1c',
          containerName: 'web',
          path: '/var/lib/docker/containers/4f1c/4f1c-json.log',
          sizeBytes: 30 * MiB,
        },
      ],
      reclaimable: [{ kind: 'dangling-images', count: 3, totalBytes: 300 * MiB, reclaimableBytes: 300 * MiB }],
    },
    ...overrides,
  };
}

/** A report far over Slack's limits: many findings of every severity with long evidence. */
export function hugeReport(count = 200): HostReport {
  const severities: Severity[] = ['info', 'warn', 'crit', 'ok'];
  const findings: Finding[] = [];
  for (let index = 0; index < count; index += 1) {
    const severity = severities[index % severities.length] ?? 'info';
    findings.push({
      check: 'container-logs',
      severity,
      summary: `finding ${index} (${severity}) ${'x'.repeat(400)}`,
      detail: 'd'.repeat(2000),
      evidence: Array.from({ length: 40 }, (_, line) => `evidence ${index}.${line} ${'e'.repeat(500)}`),
    });
  }
  const base = sampleReport();
  const filesystems = Array.from({ length: 300 }, (_, index) => ({
    ...(base.disk?.filesystems[0] ?? ({} as never)),
    mount: `/mnt/volume-${index}/${'deep/'.repeat(10)}`,
  }));
  return sampleReport({
    findings,
    worst: 'crit',
    disk: { ...(base.disk ?? { biggestLogs: [], reclaimable: [] }), filesystems },
  });
}
